"""E-mail preferences (signed in) and the unsubscribe link of every e-mail (no sign-in needed)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from blog.email_forms import EmailPreferencesForm
from blog.emails import (
    SCOPES,
    BadUnsubscribeToken,
    email_preferences_for,
    email_preferences_update,
    email_unsubscribe,
    unsubscribe_token_read,
)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    preferences = email_preferences_for(request.user)
    status = 200
    if request.method == "POST":
        form = EmailPreferencesForm(request.POST, instance=preferences)
        if form.is_valid():
            email_preferences_update(user=request.user, **form.cleaned_data)
            messages.success(request, "Your e-mail preferences are saved.")
            return redirect("notification_settings")
        status = 400
    else:
        form = EmailPreferencesForm(instance=preferences)
    context = {
        "form": form,
        "delay_minutes": max(1, round(settings.EMAIL_NOTIFICATION_DELAY / 60)),
        "has_email": bool(request.user.email),
    }
    return render(request, "blog/notification_settings.html", context, status=status)


# A mail client's one-click unsubscribe (RFC 8058) posts without a CSRF token;
# the signed token in the address is what authorises it.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def email_unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm; POST (the form, or a mail client's one-click) unsubscribes. Bad token: 400."""
    try:
        user, scope = unsubscribe_token_read(token)
    except BadUnsubscribeToken:
        return render(request, "blog/email_unsubscribe.html", {"invalid": True}, status=400)
    done = request.method == "POST"
    if done:
        email_unsubscribe(user=user, scope=scope)
    context = {"what": SCOPES[scope], "done": done, "signed_in_as_them": request.user == user}
    return render(request, "blog/email_unsubscribe.html", context)
