"""Admin wiring for learning: tag management and the long-lesson warning.

Who may change a lesson is decided with posts, in ``blog/wagtail_hooks.py``.
"""

from django.urls import include, path, reverse

from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from learning import admin_views
from learning.models import LessonPage
from learning.models.lessons import MAX_LESSON_MINUTES

_tag_urls = (
    [
        path("", admin_views.tag_index, name="index"),
        path("merge/", admin_views.tag_merge_view, name="merge"),
        path("<int:tag_id>/rename/", admin_views.tag_rename_view, name="rename"),
    ],
    "learning_tags",
)


@hooks.register("register_admin_urls")
def register_tag_urls():
    return [path("topics/", include(_tag_urls, namespace="learning_tags"))]


class TagMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.MANAGE_TAGS)


@hooks.register("register_admin_menu_item")
def register_tag_menu_item():
    return TagMenuItem("Topics (tags)", reverse("learning_tags:index"), icon_name="tag", order=210)


def _warn_if_lesson_too_long(request, page) -> None:
    # A warning, not a validation error: editors may publish a long lesson on purpose.
    lesson = page.specific
    if isinstance(lesson, LessonPage) and lesson.is_too_long:
        messages.warning(
            request,
            f"“{lesson.title}” takes about {lesson.estimated_minutes} minutes; a micro-lesson "
            f"should take {MAX_LESSON_MINUTES} or fewer. Consider splitting it.",
        )


@hooks.register("after_create_page")
def warn_long_lesson_after_create(request, page):
    _warn_if_lesson_too_long(request, page)


@hooks.register("after_edit_page")
def warn_long_lesson_after_edit(request, page):
    _warn_if_lesson_too_long(request, page)
