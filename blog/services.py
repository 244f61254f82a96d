"""Writes about people: profiles.

Each service takes the acting person as ``user`` and validates before it saves.
"""

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from wagtail.images import get_image_model
from wagtail.models import Collection

from blog.models import Profile
from site.people import display_name

MAX_TOPICS = 15


def profile_ensure(*, user) -> Profile:
    """``user``'s profile, made empty the first time; safe to call again and from two requests at once."""
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


def _topics(names: Sequence[str], *, field: str) -> list[str]:
    cleaned, seen = [], set()
    for name in names:
        name = " ".join(name.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            cleaned.append(name)
    if len(cleaned) > MAX_TOPICS:
        raise ValidationError({field: f"Name at most {MAX_TOPICS} topics."})
    if any(len(name) > 100 for name in cleaned):
        raise ValidationError({field: "A topic's name has at most 100 characters."})
    return cleaned


@transaction.atomic
def profile_update(
    *,
    user,
    first_name: str,
    last_name: str,
    job_title: str,
    team: str,
    joined_on: datetime.date | None,
    bio: str,
    can_teach: Sequence[str],
    wants_to_learn: Sequence[str],
    avatar: UploadedFile | None = None,
    remove_avatar: bool = False,
) -> Profile:
    """Save ``user``'s own profile; an ``avatar`` becomes a Wagtail image (the old one is deleted).

    Topics are matched case-insensitively to the existing vocabulary, and new
    ones are added to it. Raises ``ValidationError`` and saves nothing when a
    field is invalid.
    """
    profile = Profile.objects.select_for_update().get(pk=profile_ensure(user=user).pk)
    if joined_on is not None and joined_on > timezone.localdate():
        raise ValidationError({"joined_on": "That date has not come yet."})
    teach, learn = _topics(can_teach, field="can_teach"), _topics(wants_to_learn, field="wants_to_learn")
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.full_clean(validate_unique=False, exclude=["password"])
    user.save(update_fields=["first_name", "last_name"])
    profile.job_title, profile.team, profile.joined_on, profile.bio = job_title, team, joined_on, bio
    old_avatar = profile.avatar
    if avatar is not None:
        profile.avatar = get_image_model().objects.create(
            title=f"Avatar of {display_name(user)}",
            file=avatar,
            collection=Collection.get_first_root_node(),
            uploaded_by_user=user,
        )
    elif remove_avatar:
        profile.avatar = None
    profile.updated = timezone.now()
    profile.full_clean()
    profile.save()
    profile.can_teach.set(teach)
    profile.wants_to_learn.set(learn)
    if old_avatar is not None and old_avatar != profile.avatar:
        old_avatar.delete()
    return profile
