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


class PromoteConversationForm(forms.Form):
    """A conversation into a draft lesson: its title, and which replies to quote with the comment."""

    title = forms.CharField(label="Title of the lesson", max_length=255)
    replies = forms.MultipleChoiceField(
        label="Replies to quote", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, conversation, **kwargs):
        super().__init__(*args, **kwargs)
        first_line = (
            conversation.comment.body.strip().splitlines()[0] if conversation.comment.body.strip() else ""
        )
        self.fields["title"].initial = first_line[:120]
        self.fields["replies"].choices = [(str(reply.pk), reply.pk) for reply in conversation.replies]
        self.fields["replies"].initial = [str(reply.pk) for reply in conversation.replies]
        self.replies_shown = [
            (str(reply.pk), reply, str(reply.pk) in self._chosen()) for reply in conversation.replies
        ]

    def _chosen(self) -> set[str]:
        if self.is_bound:
            return set(self.data.getlist(self.add_prefix("replies")))
        return {str(pk) for pk in self.fields["replies"].initial}
