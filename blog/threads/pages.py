"""What a Wagtail page type mixes in to carry a live thread.

``class LessonPage(ThreadPageMixin, Page)`` is all a page type needs: the page
then accepts WebSocket connections at ``/ws/threads/<id>/``, serves the JSON
API, renders the thread (``{% include "blog/includes/thread.html" %}``) and
takes the no-JavaScript comment form as a POST to its own URL.
"""

from blog.threads.selectors import ANONYMOUS, Viewer, thread_context
from blog.threads.views import thread_form_post
from site.readers import reader_state


class ThreadPageMixin:
    has_thread = True

    @classmethod
    def thread_follower_ids(cls, page_id: int) -> list[int]:
        """The hook for host pages: people told about every new comment on a page of this type.

        Nobody by default; pages a mentor pair writes name the pair
        (``blog.models.PairPageMixin``). Called with every comment, so it must
        not load the page: one query at most.
        """
        return []

    @classmethod
    def thread_follower_text(cls, actor: str, title: str) -> str:
        """What a follower's notification of a new comment says (the same hook's wording)."""
        return f"{actor} commented on “{title}”"

    @classmethod
    def thread_host_ids(cls, page_id: int) -> list[int]:
        """The hook for host pages: who a question on a page of this type is asked of.

        They are told of each question at once and may mark its answer (editors
        may too). Nobody by default, so only editors mark answers; pages a
        mentor pair writes name the pair's two members. One query at most,
        without loading the page.
        """
        return []

    def thread_hosts(self) -> list[int]:
        """``thread_host_ids`` for a page already loaded (its render); a host page may answer from it."""
        return type(self).thread_host_ids(self.pk)

    def serve(self, request, *args, **kwargs):
        # Only the thread's own forms (marked with ``thread_form``); a routable
        # page's other POST routes (a lesson's knowledge check) pass through.
        if request.method == "POST" and "thread_form" in request.POST:
            return thread_form_post(request, self)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if "thread" not in context:
            # The reader's facts come in the one query the header needs anyway.
            reader = reader_state(request, page=self)
            viewer = Viewer(user_id=reader.user_id, is_editor=reader.is_editor) if reader else ANONYMOUS
            opened = opened_forms(request) if viewer.user_id is not None else {}
            context["thread"] = thread_context(page=self, user=request.user, viewer=viewer, **opened)
        return context


# A comment's Reply, Edit and Flag links (no JavaScript) open its form: ``?reply=<id>``.
OPENED_FORMS = {"reply": "form_parent", "edit": "form_edit", "flag": "form_flag"}


def opened_forms(request) -> dict[str, str]:
    """The form a reader's link asked to open, by ``thread_context``'s name; one at most, others ignored."""
    for parameter, name in OPENED_FORMS.items():
        value = request.GET.get(parameter, "")
        if value.isascii() and value.isdigit():
            return {name: value}
    return {}
