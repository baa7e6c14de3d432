"""The governance registers in the admin (units, roles, audiences, contact points): their columns,
detail pages and history.
"""
