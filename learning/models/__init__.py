"""Learning models: lessons, collections, follows, progress, topics and topic requests."""

from learning.models.collections import CollectionIndexPage, CollectionItem, CollectionPage, CollectionPageTag
from learning.models.follows import PairFollow, TopicFollow
from learning.models.lessons import LearningIndexPage, LessonPage, LessonPageTag
from learning.models.progress import Completion, KnowledgeCheckAttempt, ReviewSchedule
from learning.models.promotions import PromotedConversation
from learning.models.requests import TopicRequestIndexPage, TopicRequestPage, TopicRequestTag
from learning.models.topics import TopicRedirect
from learning.models.votes import TopicRequestVote

__all__ = [
    "CollectionIndexPage",
    "CollectionItem",
    "CollectionPage",
    "CollectionPageTag",
    "Completion",
    "KnowledgeCheckAttempt",
    "LearningIndexPage",
    "LessonPage",
    "LessonPageTag",
    "PairFollow",
    "PromotedConversation",
    "ReviewSchedule",
    "TopicFollow",
    "TopicRedirect",
    "TopicRequestIndexPage",
    "TopicRequestPage",
    "TopicRequestTag",
    "TopicRequestVote",
]
