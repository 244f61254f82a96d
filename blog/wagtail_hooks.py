"""Admin wiring: the pair snippet, and keeping members to their own pairs' posts."""

from django.core.exceptions import PermissionDenied

from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from blog.models import MentorPair
from blog.permissions import can_change_pair_page


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


def _refuse_other_pairs_page(request, page):
    page = page.specific_deferred if hasattr(page, "specific_deferred") else page
    # Posts and lessons carry the pair that writes them.
    if hasattr(page, "pair_id") and not can_change_pair_page(request.user, page):
        raise PermissionDenied("This page belongs to another pair.")


@hooks.register("before_edit_page")
def refuse_editing_other_pairs_page(request, page):
    _refuse_other_pairs_page(request, page)


@hooks.register("before_delete_page")
def refuse_deleting_other_pairs_page(request, page):
    _refuse_other_pairs_page(request, page)


@hooks.register("before_copy_page")
def refuse_copying_other_pairs_page(request, page):
    # A copy keeps its pair, so copying would create a page in another pair's name.
    _refuse_other_pairs_page(request, page)


@hooks.register("before_unpublish_page")
def refuse_unpublishing_other_pairs_page(request, page):
    _refuse_other_pairs_page(request, page)


# The explorer's bulk actions (delete, move, ...) skip the per-page hooks above.
@hooks.register("before_bulk_action")
def refuse_bulk_actions_on_other_pairs_pages(request, action_type, objects, action_class_instance):
    for obj in objects:
        _refuse_other_pairs_page(request, obj)
