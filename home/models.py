"""The home page: what is new, who is pairing, and what people are discussing."""

from django.db import models

from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from home.selectors import home_sections
from site.visibility import VisibilityRuleMixin


class HomePage(VisibilityRuleMixin, Page):
    intro = models.TextField(blank=True, help_text="A sentence or two welcoming people to the site.")

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(home_sections(user=request.user))
        return context


class PeriodicJobRun(models.Model):
    """The latest period a periodic job was enqueued for (``home.clock``); one row per job.

    Claiming a period is one conditional ``UPDATE`` of this row, so however
    many clocks tick at once, one of them enqueues the job for that period.
    The row is also the lock a periodic task may hold while it runs
    (``home.clock.periodic_job_lock``).
    """

    name = models.CharField(max_length=100, unique=True)
    last_period = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return self.name
