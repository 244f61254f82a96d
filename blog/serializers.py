"""How a pair appears to other tools (Wagtail's API v2, ``home.api``)."""

from rest_framework import serializers

from site.people import display_name, person_url


class PairSerializer(serializers.Serializer):
    """``{"name", "slug", "url", "members": [{"name", "username", "url"}]}``: who wrote the page.

    ``url`` is the pair's page and each member's ``url`` their person page,
    both as paths on this site.
    """

    name = serializers.CharField()
    slug = serializers.SlugField()
    url = serializers.SerializerMethodField()
    members = serializers.SerializerMethodField()

    def get_url(self, pair) -> str:
        return pair.get_absolute_url()

    def get_members(self, pair) -> list[dict]:
        return [
            {
                "name": display_name(member),
                "username": member.get_username(),
                "url": person_url(member.get_username()),
            }
            for member in (pair.first_member, pair.second_member)
        ]


class TopicNamesField(serializers.Field):
    """A page's topics as their names in alphabetical order, from tags read with the page.

    Wagtail's own ``TagsField`` asks the database once per page; this one
    uses what ``prefetch_related("tags")`` brought.
    """

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, tags) -> list[str]:
        return sorted((tag.name for tag in tags.all()), key=str.casefold)
