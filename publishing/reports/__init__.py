"""Governance reports in the admin's Reports menu, and the kept text checks of live pages they
read.
"""
