"""The citizens' side: the public site's municipality, the crisis banner, the feedback form and
inbox, and purging caches when pages leave public view.
"""
