"""Pair pages, people's pages and the directory, a person's own profile form, reactions on pages."""

from dataclasses import asdict

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from wagtail.models import Page

from taggit.models import Tag

from blog import services
from blog.feeds import PairFeed
from blog.models import MentorPair, PairGoal, Profile
from blog.page_reactions import RateLimited, page_reaction_set, pair_learners
from blog.people_forms import PairCheckInForm, PairGoalForm, PairGoalStatusForm, ProfileForm
from blog.selectors import (
    PEOPLE_PER_PAGE,
    pages_of_pairs,
    pair_list,
    people_directory,
    person_page,
    questions_answered,
    questions_waiting,
)
from blog.templatetags.people_tags import avatar_colour, initials
from site.inputs import InvalidInput, check_text
from site.people import display_name, is_editor
from site.visibility import visible_pages


def pair_index(request):
    return render(request, "blog/pair_index.html", {"pairs": pair_list()})


def pair_detail(request, slug):
    pair = get_object_or_404(pair_list(), slug=slug)
    return _pair_page(request, pair)


def _pair_page(request: HttpRequest, pair: MentorPair, *, status: int = 200, **forms) -> HttpResponse:
    runs_it = request.user.is_authenticated and (pair.has_member(request.user) or is_editor(request.user))
    goals = list(pair.goal_items.select_related("learner"))
    is_member = request.user.is_authenticated and pair.has_member(request.user)
    context = {
        "pair": pair,
        "pages": pages_of_pairs([pair], viewer=request.user, session=request.session, limit=50),
        "goals": goals,
        "goals_achieved": [goal for goal in goals if goal.status == PairGoal.Status.ACHIEVED],
        "is_member": is_member,
        # Asked of its members: shown to them, on the pages they may see.
        "waiting": questions_waiting(pair=pair, viewer=request.user, session=request.session)
        if is_member
        else None,
        "answered": questions_answered(pair=pair, viewer=request.user, session=request.session),
        "runs_it": runs_it,
        "learners": pair_learners(pair=pair, viewer=request.user, session=request.session),
        # Check-ins are the pair's and editors' only: not even fetched for anyone else.
        "check_ins": list(pair.check_ins.select_related("author")[:20]) if runs_it else [],
        "goal_form": forms.get("goal_form") or PairGoalForm(),
        "check_in_form": forms.get("check_in_form")
        or PairCheckInForm(initial={"date": timezone.localdate()}),
        "statuses": PairGoal.Status.choices,
    }
    return render(request, "blog/pair_detail.html", context, status=status)


@require_POST
@login_required
def pair_goal_add(request: HttpRequest, slug: str) -> HttpResponse:
    pair = get_object_or_404(pair_list(), slug=slug)
    form = PairGoalForm(request.POST)
    if form.is_valid():
        try:
            services.pair_goal_add(user=request.user, pair=pair, text=form.cleaned_data["text"])
        except PermissionDenied as error:
            messages.error(request, str(error))
        except ValidationError as error:
            form.add_error("text", " ".join(error.messages))
            return _pair_page(request, pair, status=400, goal_form=form)
        else:
            messages.success(request, "Goal added.")
        return redirect(pair.get_absolute_url() + "#goals-heading")
    return _pair_page(request, pair, status=400, goal_form=form)


@require_POST
@login_required
def pair_goal_status(request: HttpRequest, slug: str, goal_id: int) -> HttpResponse:
    pair = get_object_or_404(pair_list(), slug=slug)
    goal = get_object_or_404(PairGoal, pk=goal_id, pair=pair)
    form = PairGoalStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose open, in progress or achieved.")
    else:
        try:
            services.pair_goal_set_status(user=request.user, goal=goal, status=form.cleaned_data["status"])
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"“{goal.text}” is {goal.get_status_display().lower()}.")
    return redirect(pair.get_absolute_url() + "#goals-heading")


@require_POST
@login_required
def pair_check_in_add(request: HttpRequest, slug: str) -> HttpResponse:
    pair = get_object_or_404(pair_list(), slug=slug)
    form = PairCheckInForm(request.POST)
    if form.is_valid():
        try:
            services.pair_check_in_add(user=request.user, pair=pair, **form.cleaned_data)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return redirect(pair.get_absolute_url())
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, " ".join(problems))
        else:
            messages.success(request, "Check-in saved.")
            return redirect(pair.get_absolute_url() + "#check-ins-heading")
    return _pair_page(request, pair, status=400, check_in_form=form)


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


@login_required
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


@login_required
def person_detail(request: HttpRequest, username: str) -> HttpResponse:
    try:
        check_text(username, name="username")
    except InvalidInput:
        raise Http404("No such person.") from None
    user = get_object_or_404(get_user_model(), username=username, is_active=True)
    # Someone an editor paired before they ever signed in has no profile yet:
    # their page shows their pairs all the same.
    profile = Profile.objects.select_related("user", "avatar").filter(user=user).first() or Profile(user=user)
    shown = person_page(profile=profile, viewer=request.user, session=request.session)
    return render(request, "blog/person_detail.html", {"person": shown, "profile": profile})


# Long enough for a page of comments to ask once, short enough that a new photo shows soon.
AVATAR_MAX_AGE = 300


@require_GET
def person_avatar(request: HttpRequest, username: str) -> HttpResponse:
    """A person's picture for bylines, comments and who is here: their photo, or their initials.

    Open to anyone who may read a page that names them (a byline or a comment
    shows the name already). A name nobody has gets a question mark, not a
    404, so the address tells no one who works here.
    """
    user = None
    try:
        check_text(username, name="username")
    except InvalidInput:
        pass
    else:
        user = get_user_model().objects.filter(username=username, is_active=True).first()
    profile = Profile.objects.select_related("avatar").filter(user=user).first() if user else None
    if profile is not None and profile.avatar is not None:
        response = redirect(profile.avatar.get_rendition("fill-96x96-c100").url)
    else:
        name = display_name(user) if user else "?"
        svg = render_to_string(
            "blog/avatar.svg",
            {"initials": initials(name) if user else "?", "colour": avatar_colour(username if user else "")},
        )
        response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = f"public, max-age={AVATAR_MAX_AGE}"
    return response


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


@require_POST
def page_react(request: HttpRequest, page_id: int) -> HttpResponse:
    """A reader's learning reaction on a post or lesson, set on or off (``on=1``/``on=0``).

    A plain form that redirects back to the page; sent with ``Accept:
    application/json`` (``page-reactions.js``) it answers the new counts as JSON.
    Refusals are 400 (input), 403 (sign-in, permission), 404 (no such page the
    reader may see) and 429 (too quick).
    """
    wants_json = "application/json" in request.headers.get("Accept", "")
    page = (
        visible_pages(Page.objects.all(), user=request.user, session=request.session)
        .filter(pk=page_id)
        .first()
    )
    if page is None:
        return _reaction_refused(request, "That page is not here.", status=404, wants_json=wants_json)
    if not request.user.is_authenticated:
        if wants_json:
            return _reaction_refused(request, "Sign in to react.", status=403, wants_json=True)
        return redirect_to_login(page.url)
    on = request.POST.get("on")
    try:
        if on not in ("1", "0"):
            raise ValidationError("Send on=1 to react or on=0 to take it back.")
        reactions = page_reaction_set(
            user=request.user, page=page, kind=request.POST.get("kind"), on=on == "1", session=request.session
        )
    except RateLimited as error:
        response = _reaction_refused(request, error.messages[0], status=429, wants_json=wants_json, page=page)
        response["Retry-After"] = str(error.retry_after)
        return response
    except PermissionDenied as error:
        return _reaction_refused(request, str(error), status=403, wants_json=wants_json, page=page)
    except ValidationError as error:
        return _reaction_refused(
            request, " ".join(error.messages), status=400, wants_json=wants_json, page=page
        )
    if wants_json:
        return JsonResponse({"reactions": [asdict(reaction) for reaction in reactions]})
    return HttpResponseRedirect(f"{page.url}#page-reactions")


def _reaction_refused(request, problem: str, *, status: int, wants_json: bool, page=None) -> HttpResponse:
    if wants_json:
        return JsonResponse({"error": problem}, status=status)
    return render(
        request, "blog/page_reaction_refused.html", {"problem": problem, "page": page}, status=status
    )
