"""What a Wagtail page type mixes in to carry a live thread.

``class LessonPage(ThreadPageMixin, Page)`` is all a page type needs: the page
then accepts WebSocket connections at ``/ws/threads/<id>/``, serves the JSON
API, renders the thread (``{% include "blog/includes/thread.html" %}``) and
takes the no-JavaScript comment form as a POST to its own URL.
"""


class ThreadPageMixin:
    has_thread = True

    @classmethod
    def thread_follower_ids(cls, page_id: int) -> list[int]:
        """People told about every new comment on a page of this type: its mentor pair, if any.

        One query, without loading the page: writers call it with every comment.
        """
        if not any(field.name == "pair" for field in cls._meta.get_fields()):
            return []
        members = cls.objects.filter(pk=page_id, pair__isnull=False).values_list(
            "pair__first_member_id", "pair__second_member_id"
        )
        return [member for row in members for member in row]

    def serve(self, request, *args, **kwargs):
        # Only the thread's own forms (marked with ``thread_form``); a routable
        # page's other POST routes (a lesson's knowledge check) pass through.
        if request.method == "POST" and "thread_form" in request.POST:
            from blog.threads.views import thread_form_post

            return thread_form_post(request, self)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from blog.threads.selectors import ANONYMOUS, thread_context
        from home.reader import reader_state

        context = super().get_context(request, *args, **kwargs)
        if "thread" not in context:
            # The reader's facts come in the one query the header needs anyway.
            reader = reader_state(request, page=self)
            viewer = reader.viewer if reader is not None else ANONYMOUS
            context["thread"] = thread_context(page=self, user=request.user, viewer=viewer)
        return context
