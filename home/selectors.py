"""What the home page shows; each section is a fixed number of queries."""

from blog.selectors import latest_posts, pair_list
from blog.threads.selectors import live_conversations
from learning import selectors as learning

LATEST_POSTS = 6
LIVE_CONVERSATIONS = 5
ACTIVE_PAIRS = 6
MY_STREAM = 5
FEATURED_COLLECTIONS = 3


def home_sections(*, user) -> dict:
    # One read of the collections serves both the featured ones and, for a
    # signed-in reader, the ones they are part way through.
    collections = learning.collection_list(user=user, featured_only=not user.is_authenticated)
    return {
        "latest_posts": latest_posts(user=user, limit=LATEST_POSTS),
        "active_pairs": list(pair_list(active_only=True)[:ACTIVE_PAIRS]),
        "live_conversations": live_conversations(user=user, limit=LIVE_CONVERSATIONS),
        "trending_topics": [topic.tag for topic in learning.trending_topics(user=user)],
        "featured_collections": [
            summary.collection for summary in collections if summary.collection.featured
        ][:FEATURED_COLLECTIONS],
        **_my_learning(user, collections),
    }


def _my_learning(user, collections: list[learning.CollectionSummary]) -> dict:
    """A signed-in reader's stream, reviews due and collections in progress."""
    if not user.is_authenticated:
        return {}
    due_reviews = learning.due_reviews(user=user)
    return {
        "my_stream": learning.personal_stream(user=user, size=MY_STREAM),
        "due_reviews": due_reviews,
        "next_review": None if due_reviews else learning.next_review(user=user),
        "collections_in_progress": [summary for summary in collections if summary.in_progress],
    }
