"""The action that ends an approved workflow: ``WAGTAIL_FINISH_WORKFLOW_ACTION``.

Wagtail imports this action while its own models are still loading, before ours can be; so the
function imports the rule engine when it runs (marked ``# late``), and this module imports
nothing of the extension at load time.
"""


def publish_workflow_state(workflow_state, user=None):
    """Publish the approved revision.

    Wagtail's default publishes as the approver and fails when a leader has no publish permission
    of their own; approval is the permission here. The governance veto still applies.
    """
    from publishing.rules import WORKFLOW, publish_route  # late: see docstring

    revision = workflow_state.content_object.get_latest_revision()
    with publish_route(WORKFLOW):
        revision.publish(user=user, skip_permission_checks=True)
