"""Learning reactions on a post or lesson itself: "I learned something", "insightful".

One row per person, page and kind; a person sets each kind on or off
(``blog.page_reactions.page_reaction_set``). Rows name ``wagtailcore.Page``
so that every page type a pair writes (posts here, lessons in the learning
app) shares them, and their listings count them in the listing's own query
(``reaction_count_annotations``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone


class PageReaction(models.Model):
    class Kind(models.TextChoices):
        LEARNED = "learned", "I learned something"
        INSIGHTFUL = "insightful", "Insightful"

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["page", "user", "kind"], name="page_reaction_once_per_person")
        ]
        indexes = [models.Index(fields=["page", "kind"], name="page_reaction_counts")]

    def __str__(self) -> str:
        return f"{self.kind} on page {self.page_id}"


def _count_of(kind: str):
    rows = (
        PageReaction.objects.filter(page=OuterRef("pk"), kind=kind)
        .order_by()
        .values("page")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def reaction_count_annotations() -> dict:
    """``learned_count`` and ``insightful_count`` for a queryset of pages, in its own query."""
    return {f"{kind}_count": _count_of(kind) for kind in PageReaction.Kind.values}
