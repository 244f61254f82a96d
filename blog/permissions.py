"""Who may do what with pairs and posts.

Groups are created by ``blog/migrations/0002_groups.py``; page permissions on
the blog index are granted by ``manage.py bootstrap_site``.
"""

EDITORS = "Editors"
PAIR_MEMBERS = "Pair members"


def is_editor(user) -> bool:
    """Editors review and publish, curate and moderate; superusers count too."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_pairwise_is_editor", None)
    if cached is None:
        cached = user.groups.filter(name=EDITORS).exists()
        user._pairwise_is_editor = cached
    return cached


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
    return page.pair.has_member(user)
