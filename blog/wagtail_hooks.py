"""Admin wiring: the pair snippet, the pairing board, a pair's dashboard panel and people's avatars.

Keeping members to their own pairs' posts and lessons is not wired here: the
pages answer Wagtail's permission questions themselves
(``blog.permissions.PairPagePermissionsMixin``), which covers every admin view
and bulk action.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.urls import include, path, reverse

from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from blog import admin_views
from blog.models import MentorPair, Profile
from blog.selectors import pair_dashboard
from blog.threads import admin_views as thread_admin_views
from blog.threads.flags import REVIEW_ACTIONS
from blog.threads.models import Comment
from blog.threads.rendering import body_excerpt
from site.editors_menu import EditorsMenuItem


class MentorPairViewSet(SnippetViewSet):
    model = MentorPair
    icon = "group"
    menu_label = "Mentor pairs"
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["name", "first_member", "second_member", "status", "started"]
    list_filter = ["status"]
    search_fields = ["name"]


register_snippet(MentorPairViewSet)


class ProfileViewSet(SnippetViewSet):
    model = Profile
    icon = "user"
    menu_label = "Profiles"
    menu_order = 205
    add_to_admin_menu = True
    list_display = ["user", "job_title", "team", "joined_on"]
    search_fields = ["user__first_name", "user__last_name", "user__username", "job_title", "team"]


register_snippet(ProfileViewSet)

_pairing_urls = (
    [
        path("", admin_views.PairingView.as_view(), name="index"),
        path("accept/", admin_views.pairing_accept, name="accept"),
    ],
    "blog_pairing",
)


@hooks.register("register_admin_urls")
def register_pairing_urls():
    return [path("pairing/", include(_pairing_urls, namespace="blog_pairing"))]


@hooks.register("register_admin_menu_item")
def register_pairing_menu_item():
    return EditorsMenuItem("Pairing", reverse("blog_pairing:index"), icon_name="group", order=202)


@hooks.register("get_avatar_url")
def profile_photo_as_avatar(user, size: int) -> str | None:
    """The admin shows a person's profile photo (a rendition served by the site itself).

    ``None`` lets Wagtail go on to its own account avatar, then its default
    image: with ``WAGTAIL_GRAVATAR_PROVIDER_URL = None`` it never asks Gravatar.
    """
    try:
        photo = user.profile.avatar
    except (AttributeError, ObjectDoesNotExist):  # anonymous, or no profile yet
        return None
    if photo is None:
        return None
    # Twice the size asked for, so the photo stays sharp on high-density screens.
    return photo.get_rendition(f"fill-{size * 2}x{size * 2}-c100").url


class PairWorkPanel(Component):
    """A pair member's own work on the dashboard, which otherwise shows them nothing."""

    name = "pair_work"
    template_name = "blog/admin/pair_dashboard_panel.html"
    order = 50  # above Wagtail's own panels

    def __init__(self, dashboard):
        self.dashboard = dashboard

    def get_context_data(self, parent_context=None):
        dashboard = self.dashboard
        names = " and ".join(pair.name for pair in dashboard.pairs)
        whose = "Your pair's" if len(dashboard.pairs) == 1 else "Your pairs'"
        return {
            "heading": f"{whose} work: {names}",
            "dashboard": dashboard,
            "comments": [(comment, body_excerpt(comment.body_html)) for comment in dashboard.comments],
            "page_groups": [
                ("In review", dashboard.in_review, "Nothing waiting for an editor."),
                ("Drafts", dashboard.drafts, "No drafts."),
            ],
        }


@hooks.register("construct_homepage_panels")
def add_pair_work_panel(request, panels):
    dashboard = pair_dashboard(user=request.user)
    if dashboard is not None:
        panels.append(PairWorkPanel(dashboard))


@hooks.register("register_log_actions")
def register_comment_review_actions(actions):
    """The audit log's words for an editor's review of a flagged comment."""
    for action, label, message in REVIEW_ACTIONS.values():
        actions.register_action(action, label, message)


_comment_review_urls = (
    [
        path("", thread_admin_views.CommentReviewView.as_view(), name="index"),
        path("<id:comment_id>/", thread_admin_views.comment_review_action, name="action"),
    ],
    "comment_review",
)


@hooks.register("register_admin_urls")
def register_comment_review_urls():
    return [path("comment-review/", include(_comment_review_urls, namespace="comment_review"))]


@hooks.register("register_admin_menu_item")
def register_comment_review_menu_item():
    return EditorsMenuItem(
        "Flagged comments", reverse("comment_review:index"), icon_name="warning", order=209
    )


# Comments are listed for editors and changed only through the review queue and the threads.
register_permission_policy(Comment, thread_admin_views.EditorsViewOnlyPolicy(Comment))


@hooks.register("register_admin_viewset")
def register_comment_viewset():
    return thread_admin_views.CommentViewSet("comments")
