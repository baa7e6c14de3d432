"""The admin in each person's own admin language, also where Wagtail's views are not running.

Wagtail switches to the language a person chose in their account only while one of its admin
views runs. What is said around a view (the "Sorry, you do not have permission" of a refused
view, a message left for the next page) is made in the browser's language instead, so a
Swedish communications editor whose browser asks for English got an English refusal on a
Swedish dashboard. This middleware switches to the person's admin language for every admin
request. Add it after Django's ``LocaleMiddleware`` and ``AuthenticationMiddleware``.
"""

from django.urls import reverse
from django.utils import translation


class AdminLanguageMiddleware:
    """Activate the signed-in person's admin language on admin requests."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._prefix = None

    @property
    def prefix(self):
        if self._prefix is None:
            self._prefix = reverse("wagtailadmin_home")
        return self._prefix

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.path.startswith(self.prefix)
            and hasattr(user, "wagtail_userprofile")  # read once; Wagtail reads it again cached
        ):
            language = user.wagtail_userprofile.get_preferred_language()
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
