"""People in images: consents to show them, their withdrawal, and the location in image files.

The models are in ``publishing.models.image_consent``, the rule that stops a public page from
showing people without their consent in ``publishing.rules.images``. Here are the doors: the
admin views where a publisher marks an image as showing people and records and withdraws
consents (``views``), who may do so (``permissions``), the leaders told when a consent is
withdrawn (``withdrawal``), the dashboard panel of live pages whose images no longer may be
shown (``panels``), the renditions citizens get without the file's metadata (``renditions``),
and their registration with Wagtail (``wagtail_hooks``).
"""
