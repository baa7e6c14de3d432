"""The publishing workflow and the veto on every path that makes a page live: tasks' setup,
confirmations on the way, the internal notice, the crisis fast track, page locks and the checks
that re-read what went live.
"""
