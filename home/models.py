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
