"""The page editor: the governance panel, its live report, the leader picker, the userbar checks,
and the forms and views that keep editors inside their own organisation.
"""
