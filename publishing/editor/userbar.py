"""Our own content checks in Wagtail's Checks panel and the frontend userbar.

Wagtail runs Axe with a short list of rules for authored content, and its own ``alt-text-quality``
rule flags alt texts with file extensions or underscores. This adds what municipal editors still
miss: link texts that do not say where the link goes ("les mer", "klikk her", "läs mer" ...),
images with no alt attribute at all (Axe's ``image-alt``), and alt texts that are only a file or
camera name ("IMG-2041", the image's own file name) or a word such as "bilde".

The evaluate functions are in ``publishing/js/content-checks.js``, registered with the userbar
through ``window.wagtail.userbar.registerCheck`` before Axe starts; the phrases come from here, so
the Checks panel and the server-side plain-language rule use one list.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.userbar import ContentCheckerItem

from publishing.content_checks.plain_language import VAGUE_LINK_TEXTS

#: Alt texts that name the kind of thing instead of describing it (nb, nn, sv, en).
GENERIC_ALT_TEXTS = sorted(
    {
        *("bilde", "bildet", "foto", "fotografi", "illustrasjon", "ikon", "logo"),
        *("bild", "bilden", "illustration", "ikon", "logotyp"),
        *("image", "picture", "photo", "photograph", "icon", "graphic"),
    }
)
#: File and camera names: IMG-2041, DSC01234, PXL_2026..., Skjermbilde 2026-01-03, bilde1.
FILE_NAME_PATTERN = (
    r"^(img|dsc|dscn|dscf|dcim|pxl|photo|image|screenshot|skjermbilde|skärmbild|bilde|bild)"
    r"[\s_-]*\d[\w\s.-]*$|^\d{6,}[\w.-]*$"
)

VAGUE_LINK_RULE = "vague-link-text"
ALT_FILE_NAME_RULE = "alt-text-file-name"


class GovernedContentCheckerItem(ContentCheckerItem):
    """Wagtail's content checker with our rules added to its own."""

    axe_run_only = [
        *ContentCheckerItem.axe_run_only,
        "image-alt",
        VAGUE_LINK_RULE,
        ALT_FILE_NAME_RULE,
    ]

    axe_custom_rules = [
        *ContentCheckerItem.axe_custom_rules,
        {
            "id": VAGUE_LINK_RULE,
            "impact": "serious",
            "selector": "a[href]",
            "tags": ["best-practice", "wcag2a", "wcag244"],
            "any": ["check-vague-link-text"],
            "enabled": True,
        },
        {
            "id": ALT_FILE_NAME_RULE,
            "impact": "serious",
            "selector": "img[alt]:not([alt=''])",
            "tags": ["best-practice"],
            "any": ["check-alt-not-file-name"],
            "enabled": True,
        },
    ]

    axe_custom_checks = [
        *ContentCheckerItem.axe_custom_checks,
        {"id": "check-vague-link-text", "options": {"phrases": sorted(VAGUE_LINK_TEXTS)}},
        {
            "id": "check-alt-not-file-name",
            "options": {"pattern": FILE_NAME_PATTERN, "generic": GENERIC_ALT_TEXTS},
        },
    ]

    axe_messages = {
        **ContentCheckerItem.axe_messages,
        "image-alt": {
            "error_name": _("Image has no alt text"),
            "help_text": _(
                "Describe what the image shows, or mark it as decorative if it adds nothing"
            ),
        },
        VAGUE_LINK_RULE: {
            "error_name": _("Link text does not say where the link goes"),
            "help_text": _(
                "Replace “read more” or “click here” with what the reader gets, for example "
                "“Apply for home care”"
            ),
        },
        ALT_FILE_NAME_RULE: {
            "error_name": _("Image alt text is a file name or just “image”"),
            "help_text": _("Describe what the image shows and why it is on the page"),
        },
    }

    class Media:
        js = ["publishing/js/content-checks.js"]


def swap_content_checker(request, items, page):
    """Replace Wagtail's content checker with ours, keeping where it runs (editor or site)."""
    items[:] = [
        GovernedContentCheckerItem(in_editor=item.in_editor)
        if isinstance(item, ContentCheckerItem) and not isinstance(item, GovernedContentCheckerItem)
        else item
        for item in items
    ]
