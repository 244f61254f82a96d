"""Topics (taggit's ``Tag``) in the Wagtail admin: Wagtail's own snippet views, plus merging.

Listing, search, ordering, editing and deleting are Wagtail's snippet views;
only the writes are ours. Saving the form (add or rename) calls
``learning.services.tag_create`` or ``tag_rename``, so an old address keeps
leading to the topic and the pages that carry it are reindexed; the "Merge"
bulk action, which Wagtail has no equivalent of, calls ``tag_merge``. Who may
do what is Wagtail's snippet rule: taggit's add, change and delete
permissions (the Editors group has all three), and merging needs change and
delete, since it deletes the topics merged away.
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.text import get_text_list
from django.utils.translation import ngettext

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.views.snippets import CreateView, EditView, SnippetViewSet

from taggit.models import Tag

from learning.services import tag_create, tag_merge, tag_rename, tag_through_models


class TopicForm(WagtailAdminModelForm):
    """A topic's name; saving it goes through the services, which also set the slug."""

    def validate_unique(self):
        # The services refuse a name that another topic has in any letter case,
        # saying to merge instead; the model's exact-match check would pre-empt that.
        pass

    def save(self, commit=True):
        # Tags have no drafts, so Wagtail never asks for ``commit=False`` here.
        name = self.cleaned_data["name"]
        if self.instance.pk is None:
            self.instance = tag_create(name=name)
        else:
            tag_rename(tag=self.instance, name=name)
        return self.instance


class _RefusalShownOnForm:
    """A ``ValidationError`` from the service in ``form.save()`` becomes the form's error, not a 500."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:  # raised inside the save's transaction, rolled back
            form.add_error(None, error)
            # What Wagtail's own ``is_valid`` sets when a form fails, for its error banner.
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class TopicCreateView(_RefusalShownOnForm, CreateView):
    pass


class TopicEditView(_RefusalShownOnForm, EditView):
    pass


def tags_with_usage(tags):
    """``tags`` with ``usage``: how many posts, lessons and collections carry each, in the same query."""
    usage = Value(0, output_field=IntegerField())
    for model in tag_through_models():
        count = (
            model.objects.filter(tag=OuterRef("pk"))
            .order_by()
            .values("tag")
            .annotate(n=Count("pk"))
            .values("n")
        )
        usage = usage + Coalesce(Subquery(count, output_field=IntegerField()), 0)
    return tags.annotate(usage=usage)


class TopicViewSet(SnippetViewSet):
    model = Tag
    icon = "tag"
    menu_label = "Topics"
    menu_order = 210
    add_to_admin_menu = True
    url_prefix = "topics"  # where the hand-made admin was: editors' bookmarks keep working
    copy_view_enabled = False
    list_display = [
        "name",
        "slug",
        Column("usage", label="Used by", sort_key="usage", classname="w-text-end"),
    ]
    ordering = "name"
    search_fields = ["name"]
    search_backend_name = None  # Tag is not in Wagtail's search index: filter with the ORM
    add_view_class = TopicCreateView
    edit_view_class = TopicEditView
    edit_handler = ObjectList(
        [
            FieldPanel(
                "name",
                help_text="Posts, lessons and collections keep their topic when it is renamed; its "
                "address changes to match, and the old address leads to the new one.",
            )
        ],
        base_form_class=TopicForm,
    )

    def get_queryset(self, request):
        return tags_with_usage(Tag.objects.all())


class TopicMergeForm(forms.Form):
    into = forms.ModelChoiceField(
        queryset=Tag.objects.order_by("name"),
        label="Merge into",
        help_text="Posts, lessons, collections and followers of the other selected topics move to "
        "this one; those topics are then deleted, and their addresses lead here.",
    )

    def __init__(self, *args, selected: list[Tag], **kwargs):
        super().__init__(*args, **kwargs)
        self.selected = selected

    def clean_into(self):
        into = self.cleaned_data["into"]
        if all(tag.pk == into.pk for tag in self.selected):
            raise ValidationError("Choose a topic other than the one selected, or select more topics.")
        return into


# Merging deletes the topics merged away, so it needs both.
MERGE_NEEDS = ("change", "delete")


class MergeTopicsBulkAction(SnippetBulkAction):
    display_name = "Merge"
    action_type = "merge"
    aria_label = "Merge the selected topics into one"
    template_name = "learning/admin/topic_merge.html"
    action_priority = 20
    form_class = TopicMergeForm
    models = [Tag]

    def __init__(self, request, model):
        super().__init__(request, model)
        if self.next_url == request.path:  # no ``next``: back to the listing, not to this form
            self.next_url = reverse(model.snippet_viewset.get_url_name("list"))

    def dispatch(self, request, *args, **kwargs):
        policy = self.permission_policy
        if not all(policy.user_has_permission(request.user, action) for action in MERGE_NEEDS):
            raise PermissionDenied  # Wagtail's admin answers with a redirect to the dashboard
        return super().dispatch(request, *args, **kwargs)

    def check_perm(self, tag):
        policy, user = self.permission_policy, self.request.user
        return all(policy.user_has_permission_for_instance(user, action, tag) for action in MERGE_NEEDS)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "selected": self.get_actionable_objects()[0]}

    def get_execution_context(self):
        return {**super().get_execution_context(), "into": self.cleaned_form.cleaned_data["into"]}

    @classmethod
    def execute_action(cls, objects, into=None, **kwargs):
        sources = [tag for tag in objects if tag.pk != into.pk]
        names = sorted((tag.name for tag in sources), key=str.casefold)  # before tag_merge deletes them
        results = [tag_merge(source=tag, into=into) for tag in sources]
        moved = sum(result["moved"] for result in results)
        duplicates = sum(result["duplicates"] for result in results)
        kwargs["self"].merged = (names, into.name, duplicates)
        return len(sources), moved

    def get_success_message(self, num_parent_objects, num_child_objects):
        names, into_name, duplicates = self.merged
        return merge_summary(names=names, into_name=into_name, moved=num_child_objects, duplicates=duplicates)


def merge_summary(*, names: list[str], into_name: str, moved: int, duplicates: int) -> str:
    """What a merge did, in plain English.

    For example: "Merged “A” and “B” into “C”: 1 item moved; 2 items already had “C”."
    """
    merged = get_text_list([f"“{name}”" for name in names], "and")
    parts = [
        ngettext("%(count)d item moved", "%(count)d items moved", moved) % {"count": moved}
        if moved
        else "no items moved"
    ]
    if duplicates:
        parts.append(
            ngettext(
                "%(count)d item already had “%(into)s”", "%(count)d items already had “%(into)s”", duplicates
            )
            % {"count": duplicates, "into": into_name}
        )
    return f"Merged {merged} into “{into_name}”: {'; '.join(parts)}."
