"""Pair pages, people's pages and the directory, and a person's own profile form."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from taggit.models import Tag

from blog import services
from blog.feeds import PairFeed
from blog.models import MentorPair, Profile
from blog.people_forms import ProfileForm
from blog.selectors import PEOPLE_PER_PAGE, pages_of_pairs, pair_list, people_directory, person_page
from site.inputs import InvalidInput, check_text


def pair_index(request):
    return render(request, "blog/pair_index.html", {"pairs": pair_list()})


def pair_detail(request, slug):
    pair = get_object_or_404(pair_list(), slug=slug)
    pages = pages_of_pairs([pair], viewer=request.user, session=request.session, limit=50)
    return render(request, "blog/pair_detail.html", {"pair": pair, "pages": pages})


def pair_feed(request, slug):
    pair = get_object_or_404(MentorPair, slug=slug)
    return PairFeed()(request, pair=pair)


# --- People ----------------------------------------------------------------------


def _topic_filter(request: HttpRequest, name: str) -> Tag | None:
    """The topic named by ``?teaches=`` or ``?learns=`` (a slug), or None when absent or unknown."""
    slug = request.GET.get(name, "").strip()
    try:
        check_text(slug, name=name)
    except InvalidInput:
        return None
    return Tag.objects.filter(slug__iexact=slug).first() if slug else None


def people_index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    try:
        check_text(query, name="q")
    except InvalidInput:
        query = ""
    teaches, learns = _topic_filter(request, "teaches"), _topic_filter(request, "learns")
    people = people_directory(query=query, teaches=teaches, learns=learns)
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "blog/people_index.html",
        {
            "people": page,
            "query": query,
            "teaches": teaches,
            "learns": learns,
            "topics": Tag.objects.filter(teachers__isnull=False).distinct().order_by("name"),
            "learn_topics": Tag.objects.filter(learners__isnull=False).distinct().order_by("name"),
        },
    )


def person_detail(request: HttpRequest, username: str) -> HttpResponse:
    user = get_object_or_404(get_user_model(), username=username, is_active=True)
    # Someone an editor paired before they ever signed in has no profile yet:
    # their page shows their pairs all the same.
    profile = Profile.objects.select_related("user", "avatar").filter(user=user).first() or Profile(user=user)
    shown = person_page(profile=profile, viewer=request.user, session=request.session)
    return render(request, "blog/person_detail.html", {"person": shown, "profile": profile})


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    profile = services.profile_ensure(user=request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.profile_update(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
            else:
                messages.success(request, "Your profile is saved.")
                return redirect(profile.get_absolute_url())
        status = 400
    else:
        form = ProfileForm(initial=ProfileForm.initial_for(profile))
        status = 200
    return render(request, "blog/profile_form.html", {"form": form, "profile": profile}, status=status)
