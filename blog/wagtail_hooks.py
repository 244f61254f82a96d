"""Admin wiring: the pair snippet.

Keeping members to their own pairs' posts and lessons is not wired here: the
pages answer Wagtail's permission questions themselves
(``blog.permissions.PairPagePermissionsMixin``), which covers every admin view
and bulk action.
"""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from blog.models import MentorPair


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
