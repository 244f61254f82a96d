"""``{% page_reactions page %}``: a post's or lesson's learning reactions and the reader's own, one query."""

from django import template

from blog.page_reactions import page_reactions as reactions_of_page

register = template.Library()


@register.inclusion_tag("blog/includes/page_reactions.html", takes_context=True)
def page_reactions(context, page):
    request = context["request"]
    return {
        "page": page,
        "request": request,
        "user": request.user,
        "csrf_token": context.get("csrf_token"),
        "reactions": reactions_of_page(page=page, user=request.user),
    }
