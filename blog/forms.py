"""The admin form of pages a pair writes (posts, lessons): members may only write for their own pairs.

Page models use it, so it imports no model (``blog/people_forms.py`` holds the profile form).
"""

from django import forms
from django.db.models import Q

from wagtail.admin.forms import WagtailAdminPageForm

from blog.permissions import can_write_for_pair, is_editor


class PairPageForm(WagtailAdminPageForm):
    """``base_form_class`` of every page type with a ``pair`` field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if user is None or "pair" not in self.fields:
            return
        field = self.fields["pair"]
        own_pairs = field.queryset.filter(Q(first_member=user) | Q(second_member=user))
        if not is_editor(user):
            field.queryset = own_pairs
            field.help_text = "Written for one of your own pairs."
        if not self.is_bound and self.instance.pk is None and self.initial.get("pair") is None:
            # A new page starts as the author's pair's when there is only one it can be.
            active_status = field.queryset.model.Status.ACTIVE  # MentorPair's, without importing it
            active = list(own_pairs.filter(status=active_status).values_list("pk", flat=True)[:2])
            if len(active) == 1:
                self.initial["pair"] = active[0]

    def clean_pair(self):
        pair = self.cleaned_data.get("pair")
        user = self.for_user
        if pair is not None and user is not None and not can_write_for_pair(user, pair):
            raise forms.ValidationError("You can only write for a pair you belong to.")
        return pair
