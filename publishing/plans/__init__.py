"""Communication plans: the register of planned activities and the annual wheel that draws a year
of them.
"""
