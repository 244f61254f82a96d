"""Forms of topic requests: asking (``/requests/ask/``) and an editor's decline; all work without JavaScript.

Forms check shape and length for the person filling them in; the services
(``learning.request_services``) decide, and check again.
"""

from django import forms

from blog.people_forms import TopicsField
from learning.models.requests import DETAILS_MAX_LENGTH, REASON_MAX_LENGTH, TITLE_MAX_LENGTH


class RequestAskForm(forms.Form):
    title = forms.CharField(
        label="What would you like a post or lesson about?",
        max_length=TITLE_MAX_LENGTH,
        help_text=(
            "A question works well: “How do we keep client notes in the wiki "
            "without breaking confidentiality?”"
        ),
    )
    details = forms.CharField(
        label="Details (optional)",
        required=False,
        max_length=DETAILS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you already know, and what you are stuck on. Plain text.",
    )
    topics = TopicsField(
        label="Topics",  # required, and said so by the service (at least one, once tidied)
        help_text="At least one, separated by commas, so the pairs who write on them see it.",
    )


class RequestDeclineForm(forms.Form):
    reason = forms.CharField(
        label="Why it will not be written",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shown on the request's page.",
    )
