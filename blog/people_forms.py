"""Forms people fill in: their own profile (``/me/profile/``), and a pair's goals and check-ins."""

from django import forms

from wagtail.images.fields import WagtailImageField

from taggit.forms import TagField

from blog.models.pairs import PairGoal
from blog.models.people import BIO_MAX_LENGTH


class TopicsField(TagField):
    """Topics separated by commas ("Wikis, Credit risk"), as in the admin's tag fields."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text", "Separate topics with commas. New topics are added to the site's list."
        )
        super().__init__(**kwargs)
        self.widget.attrs.update({"data-topic-input": "", "autocomplete": "off"})


class ProfileForm(forms.Form):
    """``/me/profile/``: the fields of ``blog.services.profile_update``; works without JavaScript."""

    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    job_title = forms.CharField(max_length=120, required=False)
    team = forms.CharField(max_length=120, required=False)
    joined_on = forms.DateField(
        label="Joined the company",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Shown as how long you have been here.",
    )
    bio = forms.CharField(
        max_length=BIO_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"A few sentences about you, plain text (at most {BIO_MAX_LENGTH} characters).",
    )
    can_teach = TopicsField(label="I can teach")
    wants_to_learn = TopicsField(label="I want to learn")
    avatar = forms.Field(required=False)  # replaced per form: see __init__
    remove_avatar = forms.BooleanField(label="Remove my photo", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Wagtail's own checks: an image format it can read, within its upload
        # size and pixel limits, read from the settings as the form is made.
        self.fields["avatar"] = WagtailImageField(
            required=False, help_text="A square photo works best; we crop it to a circle."
        )

    @classmethod
    def initial_for(cls, profile) -> dict:
        user = profile.user
        return {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "job_title": profile.job_title,
            "team": profile.team,
            "joined_on": profile.joined_on,
            "bio": profile.bio,
            # taggit's widget writes tags out as "Wikis, Credit risk" (quoting names with commas).
            "can_teach": list(profile.can_teach.all()),
            "wants_to_learn": list(profile.wants_to_learn.all()),
        }


class PairGoalForm(forms.Form):
    text = forms.CharField(label="I want to learn", max_length=200)


class PairGoalStatusForm(forms.Form):
    status = forms.ChoiceField(choices=PairGoal.Status.choices)


class PairCheckInForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    did = forms.CharField(label="What we did", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    next = forms.CharField(
        label="What is next", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
