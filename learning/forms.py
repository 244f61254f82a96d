"""Forms of the learning pages that are not Wagtail's."""

from django import forms

from learning.questions import question_pairs, question_topics


class QuestionFilterForm(forms.Form):
    """``/questions/?topic=<slug>&pair=<slug>&asked=me``: each optional, each checked."""

    topic = forms.ModelChoiceField(
        queryset=question_topics(), to_field_name="slug", required=False, empty_label="Any topic"
    )
    pair = forms.ModelChoiceField(
        queryset=question_pairs(), to_field_name="slug", required=False, empty_label="Any pair"
    )
    asked = forms.ChoiceField(choices=[("", "Anyone"), ("me", "Me")], required=False, label="Asked of")
