"""Demo content for a newcomer: people, pairs, posts (and each app's own extras).

Everything is looked up by a natural key before it is created, so loading the
demo twice changes nothing.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from blog.permissions import EDITORS, PAIR_MEMBERS
from home.services import site_bootstrap

DEMO_PASSWORD = "pairwise-demo"  # noqa: S105  (documented in the README; demo only)


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    groups: tuple[str, ...] = ()


DEMO_USERS = [
    DemoUser("editor", "Elif", "Demir", (EDITORS,)),
    DemoUser("amira", "Amira", "Haddad", (PAIR_MEMBERS,)),
    DemoUser("ben", "Ben", "Okafor", (PAIR_MEMBERS,)),
    DemoUser("chloe", "Chloé", "Martin", (PAIR_MEMBERS,)),
    DemoUser("david", "David", "Schultz", (PAIR_MEMBERS,)),
    DemoUser("elena", "Elena", "Rossi", (PAIR_MEMBERS,)),
    DemoUser("farid", "Farid", "Rahman", (PAIR_MEMBERS,)),
    DemoUser("grace", "Grace", "Liu", (PAIR_MEMBERS,)),
    DemoUser("hiro", "Hiro", "Tanaka", (PAIR_MEMBERS,)),
    DemoUser("sam", "Sam", "Kowalski"),
    DemoUser("priya", "Priya", "Nair"),
]


def _demo_users() -> dict:
    User = get_user_model()
    users = {}
    for spec in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "email": f"{spec.username}@example.com",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            user.groups.add(*Group.objects.filter(name__in=spec.groups))
        users[spec.username] = user
    return users


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Load every app's demo content; returns how many things were created."""
    from blog.demo_content import load_blog_demo
    from learning.demo_content import load_learning_demo

    home = site_bootstrap()
    users = _demo_users()
    created = load_blog_demo(home=home, users=users)
    # Lessons and collections point at the blog's demo posts, so they come second.
    created.update(load_learning_demo(home=home, users=users))
    return created
