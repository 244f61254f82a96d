"""Site-wide search: the best-matching lessons, then every matching post, a page at a time."""

from django.core.paginator import Paginator
from django.shortcuts import render

from blog.selectors import search_posts
from learning.selectors import search_lessons

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


def search(request):
    # NUL is the one character no database search accepts; it means nothing in a query.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]
    results, lessons = None, []
    if query:
        results = Paginator(search_posts(query, user=request.user), RESULTS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        if results.number == 1:
            lessons = search_lessons(query, user=request.user)
    context = {"query": query, "results": results, "lessons": lessons}
    return render(request, "home/search.html", context)
