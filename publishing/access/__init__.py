"""Who may reach and list what: a person's municipalities, worked out once per request, and the
scope every admin listing, chooser and search keeps to.
"""
