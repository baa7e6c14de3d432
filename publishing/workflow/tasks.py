"""Background work of the workflow, run by the task worker."""

from django_tasks import task

from publishing.models.workflow import release_pages_held_by


@task()
def release_pages_held_by_notice(notice_id):
    """Move on the pages that waited for this internal notice, now that it is live."""
    return {"released": release_pages_held_by(notice_id)}
