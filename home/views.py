"""Site-wide search: the best-matching lessons, then every matching post, a page at a time."""

from django.core.paginator import Paginator
from django.shortcuts import render

from blog.selectors import search_posts
from learning.selectors import search_lessons
from site.inputs import search_words

RESULTS_PER_PAGE = 10


def search(request):
    query = search_words(request.GET.get("q", ""))
    results, lessons = None, []
    if query:
        results = Paginator(search_posts(query, user=request.user), RESULTS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        if results.number == 1:
            lessons = search_lessons(query, user=request.user)
    context = {"query": query, "results": results, "lessons": lessons}
    return render(request, "home/search.html", context)
