"""Public URLs of the extension: the feedback form under each governed page.

A site includes them without a namespace, before Wagtail's page serving::

    path("", include("publishing.urls.public")),

The names ``feedback`` and ``feedback_thanks`` are what the extension's templates reverse.
"""

from django.urls import path

from publishing.citizens import feedback

urlpatterns = [
    path("feedback/<int:page_id>/", feedback.feedback, name="feedback"),
    path("feedback/<int:page_id>/thanks/", feedback.feedback_thanks, name="feedback_thanks"),
]
