"""Blog models: people, pairs, posts and the blog index (and, re-exported, the thread models)."""

from blog.models.emails import EmailPreferences, SentEmail
from blog.models.index import BlogIndexPage
from blog.models.pairs import MentorPair, PairCheckIn, PairGoal, PairPageMixin, PairPageQuerySet
from blog.models.people import Profile, ProfileTeaches, ProfileWants
from blog.models.posts import BlogPostPage, BlogPostTag
from blog.models.reactions import PageReaction
from blog.threads.models import Comment, Notification, Presence, Reaction, Thread

__all__ = [
    "BlogIndexPage",
    "BlogPostPage",
    "BlogPostTag",
    "Comment",
    "EmailPreferences",
    "MentorPair",
    "Notification",
    "PageReaction",
    "PairCheckIn",
    "PairGoal",
    "PairPageMixin",
    "PairPageQuerySet",
    "Presence",
    "Profile",
    "ProfileTeaches",
    "ProfileWants",
    "Reaction",
    "SentEmail",
    "Thread",
]
