"""Admin wiring for learning: topics (tags) and the long-lesson warning.

Who may change a lesson is decided with posts, in ``blog/wagtail_hooks.py``.
"""

from wagtail import hooks
from wagtail.admin import messages
from wagtail.snippets.models import register_snippet

from learning.models import LessonPage
from learning.models.lessons import MAX_LESSON_MINUTES
from learning.topic_admin import MergeTopicsBulkAction, TopicViewSet

register_snippet(TopicViewSet)
hooks.register("register_bulk_action", MergeTopicsBulkAction)


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
