"""The editors' review queue of flagged comments, and the read-only comment listing, in the Wagtail admin.

Views stay thin: the queue reads ``review.review_queue``, actions call
``flags.comment_review``; both show only comments on pages the editor may see.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.html import format_html_join
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import Page
from wagtail.permission_policies.base import BasePermissionPolicy

import django_filters

from blog.threads.actions import conversation_actions
from blog.threads.flags import REVIEW_ACTIONS, comment_review
from blog.threads.models import Comment
from blog.threads.review import open_flags_exist, review_queue, visible_comments
from site.people import EDITORS, EditorsOnlyMixin, is_editor
from site.visibility import visible_pages


class CommentReviewView(EditorsOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "blog/admin/comment_review.html"
    page_title = "Flagged comments"
    header_icon = "warning"
    breadcrumbs_items = [
        {"url": reverse_lazy("wagtailadmin_home"), "label": "Home"},
        {"url": "", "label": "Flagged comments"},
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["queue"] = review_queue(user=self.request.user, session=self.request.session)
        return context


@require_POST
def comment_review_action(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Hide, restore or dismiss the flags of one comment; a message says what was done."""
    if not is_editor(request.user):
        raise PermissionDenied
    action = request.POST.get("action")
    if action not in REVIEW_ACTIONS:
        messages.error(request, "Choose hide, restore or dismiss.")
        return redirect(reverse("comment_review:index"))
    if not visible_comments(user=request.user, session=request.session).filter(pk=comment_id).exists():
        raise Http404
    try:
        comment_review(user=request.user, comment_id=comment_id, action=action)
    except Comment.DoesNotExist as error:
        raise Http404 from error
    messages.success(request, f"{REVIEW_ACTIONS[action][2]}.")
    return redirect(reverse("comment_review:index"))


# --- the comment listing ---------------------------------------------------------------


class EditorsViewOnlyPolicy(BasePermissionPolicy):
    """Editors may list comments; nobody adds, changes or deletes them here (moderation is the queue)."""

    def user_has_permission(self, user, action):
        return action == "view" and is_editor(user)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and is_editor(user)

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.filter(is_active=True)
        if "view" not in actions:
            return users.none()
        return users.filter(Q(is_superuser=True) | Q(groups__name=EDITORS)).distinct()

    def users_with_permission(self, action):
        return self.users_with_any_permission([action])


def _visible_page_choices(request):
    if request is None:
        return Page.objects.none()
    return visible_pages(
        Page.objects.filter(comments__isnull=False), user=request.user, session=request.session
    )


class CommentFilterSet(WagtailFilterSet):
    page = django_filters.ModelChoiceFilter(queryset=_visible_page_choices, label="Page")
    author = django_filters.ModelChoiceFilter(
        queryset=lambda request: get_user_model().objects.filter(comments__isnull=False).distinct(),
        label="Author",
    )
    hidden = django_filters.BooleanFilter(label="Hidden")
    flagged = django_filters.BooleanFilter(label="Open flags", method="filter_flagged")
    created = django_filters.DateFromToRangeFilter(label="Written", widget=DateRangePickerWidget)

    class Meta:
        model = Comment
        fields = ["page", "author", "hidden", "flagged", "created"]

    def filter_flagged(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(open_flags_exist()) if value else queryset.exclude(open_flags_exist())


def _conversation_links(comment: Comment):
    """What may be done with the conversation a comment starts (promote it to a lesson): none for a reply.

    The actions come from the registry higher apps fill; the page each leads
    to checks who may act, as it does from the thread.
    """
    if comment.parent_id is not None or comment.deleted:
        return ""
    return format_html_join(" · ", '<a href="{1}">{0}</a>', conversation_actions(comment.pk))


class CommentIndexView(IndexView):
    def get_base_queryset(self):
        return (
            visible_comments(user=self.request.user, session=self.request.session)
            .select_related("page", "author")
            .annotate(flag_count=Count("flags", filter=Q(flags__outcome="")))
        )


class CommentViewSet(ModelViewSet):
    model = Comment
    icon = "comment"
    menu_label = "Comments"
    menu_order = 210
    add_to_admin_menu = True
    url_prefix = "comments"
    name = "comments"
    # Comments are not content that references content: indexing them would
    # cost every comment written four more queries for a usage count nobody reads.
    add_to_reference_index = False
    index_view_class = CommentIndexView
    filterset_class = CommentFilterSet
    search_fields = ["body"]
    search_backend_name = None
    copy_view_enabled = False
    list_per_page = 50
    # Never shown: the policy lets nobody add or change a comment here.
    form_fields = ["hidden"]
    list_display = [
        Column("excerpt", label="Comment", accessor=lambda c: c.body[:120]),
        Column("page", label="Page", accessor=lambda c: c.page.title),
        Column(
            "author", label="Author", accessor=lambda c: c.author.get_full_name() or c.author.get_username()
        ),
        BooleanColumn("hidden", label="Hidden"),
        Column("flag_count", label="Open flags"),
        DateColumn("created", label="Written"),
        Column("conversation", label="Conversation", accessor=_conversation_links),
    ]
