"""Municipality profiles: the TOML shape a municipality describes itself in, and loading it into
the database.
"""
