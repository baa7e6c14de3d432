"""StreamField blocks for page bodies."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul", "h2", "h3"]


class DocumentLinkBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    title = blocks.CharBlock(
        label=_("link text"),
        required=False,
        help_text=_("Say what the document is, not “click here”. Empty uses the document title."),
    )

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "home/blocks/document_link.html"


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        label=_("heading"),
        form_classname="title",
        icon="title",
        template="home/blocks/heading.html",
    )
    paragraph = blocks.RichTextBlock(label=_("paragraph"), features=RICH_TEXT_FEATURES)
    image = ImageBlock(label=_("image"), template="home/blocks/image.html")
    document = DocumentLinkBlock()
