"""E-mail to the people governance concerns: approvers, submitters, leaders and the communications
group.
"""
