"""Pair pages: every pair, and one pair with its posts."""

from django.shortcuts import get_object_or_404, render

from blog.feeds import PairFeed
from blog.models import MentorPair
from blog.selectors import pair_list, post_list


def pair_index(request):
    return render(request, "blog/pair_index.html", {"pairs": pair_list()})


def pair_detail(request, slug):
    pair = get_object_or_404(pair_list(), slug=slug)
    return render(
        request, "blog/pair_detail.html", {"pair": pair, "posts": post_list(user=request.user, pair=pair)}
    )


def pair_feed(request, slug):
    pair = get_object_or_404(MentorPair, slug=slug)
    return PairFeed()(request, pair=pair)
