"""Who may read and record the people in an image: whoever may use the image.

A record belongs to its image, and an image to a collection of a municipality. A person may work
on the records of the images they may choose, add or change in Wagtail (the publishers and the
communications group of the image's municipality), never of another municipality's images
(``publishing.access.admin_scope``). Deleting a record, and with it the consents on record, is
left to superusers: a consent that no longer holds is withdrawn, not deleted.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from wagtail.images import get_image_model
from wagtail.permission_policies import BasePermissionPolicy
from wagtail.permissions import policy_registry

from publishing.access.admin_scope import collection_ids, sees_everything
from publishing.access.user_scope import kept_for_user

#: The image permissions that let a person use an image, and so record who is in it.
IMAGE_ACTIONS = ("add", "change", "choose")
#: What a person who may use an image may do with its people record.
ACTIONS = frozenset({"add", "change", "view"})


def usable_collection_ids(user):
    """Ids of the collections whose images ``user`` may use, within their municipalities
    (``None``: every collection, for superusers); remembered for the request."""
    if sees_everything(user):
        return None

    def compute():
        if not user.is_authenticated or not user.is_active:
            return set()
        images = policy_registry.get_by_type(get_image_model())
        usable = set(
            images.collections_user_has_any_permission_for(user, IMAGE_ACTIONS).values_list(
                "pk", flat=True
            )
        )
        own = collection_ids(user)
        return frozenset(usable if own is None else usable & set(own))

    # Collections and their group permissions are the organisation's: kept for its version.
    return kept_for_user(user, "images.usable_collections", compute)


def usable_images(user):
    """The images whose people ``user`` may record."""
    images = get_image_model().objects.all()
    ids = usable_collection_ids(user)
    return images if ids is None else images.filter(collection_id__in=ids)


class ImagePeoplePermissionPolicy(BasePermissionPolicy):
    """``ImagePeople`` records: reachable through the images a person may use."""

    def _may(self, user, action):
        if not user.is_active:
            return False
        if sees_everything(user):
            return True
        return action in ACTIONS and bool(usable_collection_ids(user))

    def user_has_permission(self, user, action):
        return self._may(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        if not self._may(user, action):
            return False
        ids = usable_collection_ids(user)
        return ids is None or instance.image.collection_id in ids

    def instances_user_has_any_permission_for(self, user, actions):
        records = self.model._default_manager.all()
        if not any(self._may(user, action) for action in actions):
            return records.none()
        ids = usable_collection_ids(user)
        return records if ids is None else records.filter(image__collection_id__in=ids)

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.filter(is_active=True)
        if not set(actions) & ACTIONS:
            return users.filter(is_superuser=True)
        images = policy_registry.get_by_type(get_image_model())
        return users.filter(
            Q(is_superuser=True) | Q(pk__in=images.users_with_any_permission(IMAGE_ACTIONS))
        )

    def users_with_any_permission_for_instance(self, actions, instance):
        return self.users_with_any_permission(actions)
