"""``/me/notifications/settings/``: what a person wants by e-mail; a plain form, no JavaScript needed."""

from django import forms

from blog.models import EmailPreferences

NOTIFICATION_FIELDS = list(EmailPreferences.KIND_FIELDS.values())


class EmailPreferencesForm(forms.ModelForm):
    """The fields of ``blog.emails.email_preferences_update``; saved by that service, not by the form."""

    class Meta:
        model = EmailPreferences
        fields = [*NOTIFICATION_FIELDS, "digest", "review_reminders"]
        labels = {"digest": "The digest"}
        help_texts = {
            "digest": "New posts and lessons on what you follow, requests and questions you could answer, "
            "and lessons due for review. Not sent in a week with nothing to say."
        }
        widgets = {"digest": forms.RadioSelect}

    def notification_fields(self):
        return [self[name] for name in NOTIFICATION_FIELDS]
