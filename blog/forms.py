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
        if user is not None and "pair" in self.fields and not is_editor(user):
            self.fields["pair"].queryset = self.fields["pair"].queryset.filter(
                Q(first_member=user) | Q(second_member=user)
            )
            self.fields["pair"].help_text = "Written for one of your own pairs."

    def clean_pair(self):
        pair = self.cleaned_data.get("pair")
        user = self.for_user
        if pair is not None and user is not None and not can_write_for_pair(user, pair):
            raise forms.ValidationError("You can only write for a pair you belong to.")
        return pair
