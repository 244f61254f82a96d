"""Who may do what with pairs and posts.

Groups are created by ``blog/migrations/0002_groups.py``; page permissions on
the blog index are granted by ``manage.py bootstrap_site``.
"""

from wagtail.models import PagePermissionTester

from site.people import EDITORS, PAIR_MEMBERS, is_editor

# The roles are the ground's (site.people); pairs and their pages are this app's.
__all__ = [
    "EDITORS",
    "PAIR_MEMBERS",
    "OtherPairsPagePermissionTester",
    "PairPagePermissionsMixin",
    "can_change_pair_page",
    "can_write_for_pair",
    "is_editor",
]


def can_write_for_pair(user, pair) -> bool:
    """Editors may write for any pair; everyone else only for their own."""
    return is_editor(user) or pair.has_member(user)


def can_change_pair_page(user, page) -> bool:
    """Pages a pair writes (posts, lessons): editors change any, members their pair's.

    A page with no pair (a lesson an editor or member wrote alone) belongs to
    the person who created it.
    """
    if is_editor(user):
        return True
    if page.pair_id is None:
        return page.owner_id == user.pk
    # A page fetched with its pair (the post page) answers from it for free; the
    # admin's listings ask about every row, which comparing ids keeps to one query.
    if type(page)._meta.get_field("pair").is_cached(page):
        return page.pair.has_member(user)
    return page.pair_id in _pair_ids(user)


def _pair_ids(user) -> frozenset[int]:
    """The pairs a person is in, asked once per user object as ``is_editor`` is.

    The user object lives for one request, so a new pair counts from the next one.
    """
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_pairwise_pair_ids", None)
    if cached is None:
        cached = frozenset(
            user.pairs_as_first_member.order_by()
            .values_list("pk", flat=True)
            .union(user.pairs_as_second_member.order_by().values_list("pk", flat=True))
        )
        user._pairwise_pair_ids = cached
    return cached


class OtherPairsPagePermissionTester(PagePermissionTester):
    """Another pair's page, seen by someone who may not change it: no admin action at all.

    Group permissions on the index grant pair members "change" on every page
    below it, so Wagtail alone would let them open, preview and read the
    drafts and revisions of any pair. Every ``can_*`` answers no, and
    ``tests/blog/test_admin_pair_pages.py`` fails when Wagtail adds one this
    class does not answer.
    """

    def _refuse(self, *args, **kwargs) -> bool:
        return False

    can_add_subpage = can_publish_subpage = can_reorder_children = _refuse
    can_edit = can_copy = can_copy_to = can_view_revisions = _refuse
    can_delete = can_move = can_move_to = _refuse
    can_publish = can_unpublish = can_unschedule = can_submit_for_moderation = _refuse
    can_set_view_restrictions = can_lock = can_unlock = _refuse


class PairPagePermissionsMixin:
    """For page models with a ``pair``: the pair rule decides every admin action on the page.

    Wagtail's admin views (edit, view draft, preview, revisions, history,
    workflow history, copy, move, delete, lock, privacy, usage, bulk actions)
    all ask ``page.permissions_for_user``, and Wagtail casts a plain ``Page``
    to its specific class when that class overrides it. Answering here closes
    every one of those views at once; a ``before_*`` hook per view missed
    view draft, preview and history, and would miss the next view Wagtail adds.
    """

    def permissions_for_user(self, user) -> PagePermissionTester:
        if can_change_pair_page(user, self):
            return super().permissions_for_user(user)
        return OtherPairsPagePermissionTester(user, self)
