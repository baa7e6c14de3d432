"""Renditions carry the picture, not the camera's metadata.

Wagtail serves citizens renditions of an image, never its original file. Wagtail 8.0 makes them
in ``wagtail.images.models.Filter.run``, which saves through Willow's ``PillowImage.save_as_*``;
Willow 1.12 writes the source's EXIF into JPEG and PNG renditions (``get_exif_data``), and
Pillow keeps a JPEG's comment: GPS coordinates, the camera's owner, the artist and copyright
holder, the camera's serial number, whatever the photographer's phone put there. (WebP and AVIF
renditions happen to carry none.)

``install()`` wraps each of Willow's save operations so that the image is saved without its
EXIF, XMP, IPTC and comment (the colour profile stays), whatever the output format. It is
called when Wagtail loads its hooks (``publishing.images.wagtail_hooks``), which Wagtail does
before it makes any rendition: a filter reads its operations from the
``register_image_operations`` hook first. Renditions made before it was installed keep what
they had: ``manage.py wagtail_update_image_renditions --purge-only`` makes them again.

This relies on Willow's ``PillowImage`` and its registry (``willow.registry``); re-read it when
Willow or Wagtail is upgraded (``tests/publishing/test_image_location.py`` fails if a rendition
carries the metadata again).
"""

import functools

from willow.plugins.pillow import PillowImage
from willow.registry import registry

#: Pillow ``info`` keys that hold a file's metadata, as the format plugins read them.
METADATA_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "photoshop", "iptc", "comment")
#: Willow's operations that write a file.
SAVE_OPERATIONS = (
    "save_as_jpeg",
    "save_as_png",
    "save_as_gif",
    "save_as_webp",
    "save_as_avif",
    "save_as_heic",
    "save_as_ico",
)


def _without_metadata(save):
    @functools.wraps(save)
    def save_without_metadata(self, f, *args, **kwargs):
        info = self.image.info
        kept = {key: info.pop(key) for key in METADATA_KEYS if key in info}
        try:
            return save(self, f, *args, **kwargs)
        finally:
            info.update(kept)

    save_without_metadata.strips_metadata = True
    return save_without_metadata


def install():
    """Make every Willow save operation leave the metadata out (once)."""
    for name in SAVE_OPERATIONS:
        operation = getattr(PillowImage, name, None)
        if operation is None or getattr(operation, "strips_metadata", False):
            continue
        wrapped = _without_metadata(operation)
        setattr(PillowImage, name, wrapped)
        # Willow also finds operations through its registry, for images it must convert first.
        registry.register_operation(PillowImage, name, wrapped)


def installed():
    return all(
        getattr(getattr(PillowImage, name, None), "strips_metadata", True)
        for name in SAVE_OPERATIONS
    )
