"""Site-wide search over posts (and, as they arrive, lessons)."""

from django.core.paginator import Paginator
from django.shortcuts import render

from blog.selectors import search_posts

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


def search(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    results = None
    if query:
        results = Paginator(search_posts(query), RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "home/search.html", {"query": query, "results": results})
