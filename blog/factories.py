"""Factories for people, pairs and posts (tests and benchmarks)."""

import json

from django.contrib.auth import get_user_model

import factory
from wagtail_factories import PageFactory

from blog.models import BlogIndexPage, BlogPostPage, MentorPair, Profile


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("pw")


class ProfileFactory(factory.django.DjangoModelFactory):
    """A profile; ``can_teach=[...]`` and ``wants_to_learn=[...]`` name topics."""

    class Meta:
        model = Profile
        django_get_or_create = ("user",)
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    job_title = "Analyst"
    team = "Lending"

    @factory.post_generation
    def can_teach(self, create, extracted, **kwargs):
        if create and extracted:
            self.can_teach.set(extracted)

    @factory.post_generation
    def wants_to_learn(self, create, extracted, **kwargs):
        if create and extracted:
            self.wants_to_learn.set(extracted)


class MentorPairFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentorPair

    name = factory.Sequence(lambda n: f"Pair {n}")
    slug = factory.Sequence(lambda n: f"pair-{n}")
    first_member = factory.SubFactory(UserFactory)
    first_member_brings = "tech: wikis and tagging"
    second_member = factory.SubFactory(UserFactory)
    second_member_brings = "business: lending"
    goals = "Teach each other."


class BlogIndexPageFactory(PageFactory):
    class Meta:
        model = BlogIndexPage

    title = "Blog"
    slug = "blog"


def paragraph_body(*paragraphs: str) -> str:
    return json.dumps([{"type": "paragraph", "value": f"<p>{text}</p>"} for text in paragraphs])


class TaggedPageFactory(PageFactory):
    """A page published with ``tags=[...]`` (posts, lessons, collections)."""

    class Meta:
        abstract = True

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if extracted:
            self.tags.add(*extracted)
            if create:
                self.save_revision().publish()


class BlogPostPageFactory(TaggedPageFactory):
    class Meta:
        model = BlogPostPage
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Post {n}")
    slug = factory.Sequence(lambda n: f"post-{n}")
    pair = factory.SubFactory(MentorPairFactory)
    intro = "What we learned."
    body = factory.LazyFunction(lambda: paragraph_body("We paired and we learned."))
