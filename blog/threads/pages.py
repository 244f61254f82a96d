"""What a Wagtail page type mixes in to carry a live thread.

``class LessonPage(ThreadPageMixin, Page)`` is all a page type needs: the page
then accepts WebSocket connections at ``/ws/threads/<id>/``, serves the JSON
API, renders the thread (``{% include "blog/includes/thread.html" %}``) and
takes the no-JavaScript comment form as a POST to its own URL.
"""


class ThreadPageMixin:
    has_thread = True

    def thread_followers(self) -> list:
        """People told about every new comment; a post's pair, for instance."""
        return []

    def serve(self, request, *args, **kwargs):
        if request.method == "POST":
            from blog.threads.views import thread_form_post

            return thread_form_post(request, self)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from blog.threads.selectors import thread_context

        context = super().get_context(request, *args, **kwargs)
        context.setdefault("thread", thread_context(page=self, user=request.user))
        return context
