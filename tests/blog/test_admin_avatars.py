"""The admin's avatars come from the site itself: a profile photo, or Wagtail's default, never Gravatar."""

import io
import re

from django.core.files.images import ImageFile

from wagtail.images.models import Image

import pytest
from PIL import Image as PILImage

from blog.services import profile_ensure

pytestmark = pytest.mark.django_db

# What a browser fetches by itself (images, scripts, the sidebar's avatar) from another host:
# an absolute or protocol-relative address. Links a person may click are not fetched.
OFF_SITE = re.compile(r"""(?:src|srcset|avatarUrl|avatar_url)["']?\s*[=:]\s*\\?["'](?:https?:)?\\?/\\?/""")


def photo() -> Image:
    buffer = io.BytesIO()
    PILImage.new("RGB", (300, 200), "teal").save(buffer, "PNG")
    return Image.objects.create(title="Elif", file=ImageFile(buffer, name="elif.png"))


def test_the_admin_shows_a_profile_photo_as_the_avatar(client, editor):
    profile = profile_ensure(user=editor)
    profile.avatar = photo()
    profile.save()
    client.force_login(editor)

    html = client.get("/admin/").content.decode()

    rendition = profile.avatar.renditions.get(filter_spec="fill-100x100-c100")
    assert rendition.url in html
    assert "gravatar" not in html


def test_without_a_photo_the_admin_uses_wagtails_own_default_avatar(client, editor, pair, make_post):
    post = make_post(title="Avatars everywhere")
    client.force_login(editor)

    pages = [client.get(path).content.decode() for path in ("/admin/", f"/admin/pages/{post.pk}/edit/")]

    for html in pages:
        assert "default-user-avatar" in html
        assert "gravatar" not in html
        assert not OFF_SITE.search(html), OFF_SITE.search(html)
