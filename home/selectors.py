"""What the home page shows; each section is a fixed number of queries."""

from blog.selectors import latest_posts, pair_list

LATEST_POSTS = 6
ACTIVE_PAIRS = 6


def home_sections(*, user) -> dict:
    return {
        "latest_posts": latest_posts(limit=LATEST_POSTS),
        "active_pairs": list(pair_list(active_only=True)[:ACTIVE_PAIRS]),
    }
