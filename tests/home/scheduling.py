"""Pages whose go-live or expiry time has passed, as the admin leaves them when the time comes."""

from datetime import timedelta

from django.utils import timezone

from wagtail.models import Page

from blog.factories import BlogPostPageFactory


def post_scheduled_in_the_past(*, parent, pair, title: str, tags: list[str]):
    """A post an editor scheduled for later whose go-live time has since passed: not live yet."""
    post = BlogPostPageFactory(parent=parent, pair=pair, title=title, live=False)
    post.tags.add(*tags)
    post.go_live_at = timezone.now() + timedelta(hours=1)
    revision = post.save_revision()
    revision.publish()  # a future go-live time only approves the revision
    # An hour passes: the revision, and the page it would make live, are due.
    past = timezone.now() - timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    Page.objects.filter(pk=post.pk).update(go_live_at=past)
    post.refresh_from_db()
    assert not post.live and post.has_unpublished_changes
    return post


def post_expired(*, parent, pair, title: str, tags: list[str]):
    """A live post whose expiry time has passed: still live until something unpublishes it."""
    post = BlogPostPageFactory(parent=parent, pair=pair, title=title, tags=tags)
    Page.objects.filter(pk=post.pk).update(expire_at=timezone.now() - timedelta(minutes=1))
    post.refresh_from_db()
    assert post.live
    return post
