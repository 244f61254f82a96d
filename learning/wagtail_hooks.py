"""Admin wiring for learning: topics (tags), the long-lesson warning, the request a page answers.

Who may change a lesson is decided with posts, in ``blog/wagtail_hooks.py``.
"""

from django.core.exceptions import PermissionDenied, ValidationError

from wagtail import hooks
from wagtail.admin import messages
from wagtail.snippets.models import register_snippet

from learning.models import LessonPage, TopicRequestPage
from learning.models.lessons import MAX_LESSON_MINUTES
from learning.request_admin import FIELD, AnswersRequestForm
from learning.request_services import request_answer_choose
from learning.topic_admin import MergeTopicsBulkAction, TopicViewSet
from site.inputs import InvalidInput, optional_id

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


def _link_answered_request(request, page) -> None:
    """The post's or lesson's "answers the request" choice, handed to the service that checks it."""
    if FIELD not in request.POST or not issubclass(type(page).base_form_class, AnswersRequestForm):
        return
    try:
        chosen_id = optional_id(request.POST.get(FIELD), name="request")
    except InvalidInput:
        return  # the form refused it already; nothing was saved
    chosen = TopicRequestPage.objects.filter(pk=chosen_id).first() if chosen_id is not None else None
    try:
        request_answer_choose(user=request.user, page=page, request=chosen)
    except (PermissionDenied, ValidationError) as error:
        messages.error(
            request, f"The request was not linked: {' '.join(getattr(error, 'messages', [str(error)]))}"
        )


@hooks.register("after_create_page")
def link_answered_request_after_create(request, page):
    _link_answered_request(request, page)


@hooks.register("after_edit_page")
def link_answered_request_after_edit(request, page):
    _link_answered_request(request, page)
