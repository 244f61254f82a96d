"""Tag management for editors in the Wagtail admin: usage counts, rename, merge.

Views validate the form and call ``learning.services.tag_rename`` or
``tag_merge``; they need taggit's ``change_tag`` permission (the Editors group
has it).
"""

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from wagtail.admin import messages

from taggit.models import Tag

from learning.services import tag_merge, tag_rename, tag_through_models

MANAGE_TAGS = "taggit.change_tag"


def tags_with_usage():
    """Every tag with ``usage``: how many things of any kind carry it."""
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
    return Tag.objects.annotate(usage=usage).order_by("name")


class TagRenameForm(forms.Form):
    name = forms.CharField(max_length=100, label="New name")


class TagMergeForm(forms.Form):
    source = forms.ModelChoiceField(
        queryset=Tag.objects.order_by("name"),
        label="Merge this topic",
        help_text="Everything tagged with it moves to the other topic; then it is deleted.",
    )
    into = forms.ModelChoiceField(queryset=Tag.objects.order_by("name"), label="into this topic")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("source") and cleaned.get("source") == cleaned.get("into"):
            raise ValidationError("Choose two different topics.")
        return cleaned


@permission_required(MANAGE_TAGS, raise_exception=True)
def tag_index(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(
        request,
        "learning/admin/tag_index.html",
        {"tags": tags_with_usage(), "merge_form": TagMergeForm()},
    )


@permission_required(MANAGE_TAGS, raise_exception=True)
def tag_rename_view(request: HttpRequest, tag_id: int) -> HttpResponse:
    tag = get_object_or_404(Tag, pk=tag_id)
    form = TagRenameForm(request.POST or None, initial={"name": tag.name})
    if request.method == "POST" and form.is_valid():
        old_name = tag.name
        try:
            tag_rename(tag=tag, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error("name", error.message_dict.get("name", error.messages))
        else:
            messages.success(request, f"Renamed “{old_name}” to “{tag.name}”.")
            return redirect("learning_tags:index")
    return TemplateResponse(request, "learning/admin/tag_rename.html", {"tag": tag, "form": form})


@permission_required(MANAGE_TAGS, raise_exception=True)
def tag_merge_view(request: HttpRequest) -> HttpResponse:
    form = TagMergeForm(request.POST or None, initial={"source": request.GET.get("source")})
    if request.method == "POST" and form.is_valid():
        source, into = form.cleaned_data["source"], form.cleaned_data["into"]
        source_name = source.name
        try:
            result = tag_merge(source=source, into=into)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Merged “{source_name}” into “{into.name}”: {result['moved']} item(s) moved, "
                f"{result['duplicates']} already had both.",
            )
            return redirect(reverse("learning_tags:index"))
    return TemplateResponse(request, "learning/admin/tag_merge.html", {"form": form})
