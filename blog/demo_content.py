"""Demo mentor pairs and posts (loaded by ``manage.py load_demo``).

The posts' words live in ``blog/demo_posts.py``; this module only loads them.
"""

import datetime
import io
import json

from django.core.files.images import ImageFile
from django.utils import timezone

from wagtail.images import get_image_model

from PIL import Image as PillowImage
from PIL import ImageDraw

from blog.demo_posts import CASH_POSITION_CHART, POSTS
from blog.models import BlogIndexPage, BlogPostPage, MentorPair

PAIRS = [
    {
        "slug": "amira-and-ben",
        "name": "Amira & Ben",
        "first": ("amira", "tech: wikis, tagging, social tools, async writing"),
        "second": ("ben", "business: client negotiation, 20 years in lending"),
        "goals": "Amira wants to understand how credit decisions are really made; "
        "Ben wants his team's know-how out of inboxes and into a searchable wiki.",
        "started_days_ago": 120,
        "status": MentorPair.Status.ACTIVE,
    },
    {
        "slug": "chloe-and-david",
        "name": "Chloé & David",
        "first": ("chloe", "tech: shared notebooks, dashboards, data literacy"),
        "second": ("david", "business: regulatory reporting, audit, risk appetite"),
        "goals": "Turn the quarterly risk pack into a living dashboard, and teach Chloé "
        "why each number in it exists.",
        "started_days_ago": 90,
        "status": MentorPair.Status.ACTIVE,
    },
    {
        "slug": "elena-and-farid",
        "name": "Elena & Farid",
        "first": ("elena", "tech: video calls, whiteboards, remote facilitation"),
        "second": ("farid", "business: branch operations, customer complaints, 15 years on the floor"),
        "goals": "Run branch huddles that include remote staff, and learn what customers "
        "actually complain about before it reaches head office.",
        "started_days_ago": 200,
        "status": MentorPair.Status.COMPLETED,
    },
    {
        "slug": "grace-and-hiro",
        "name": "Grace & Hiro",
        "first": ("grace", "tech: automation, chat bots, spreadsheets that talk to each other"),
        "second": ("hiro", "business: treasury, liquidity planning, bank relationships"),
        "goals": "Automate the morning cash position and learn how treasury decides what to do with it.",
        "started_days_ago": 45,
        "status": MentorPair.Status.ACTIVE,
    },
]


def _pairs(users: dict) -> tuple[dict[str, MentorPair], int]:
    pairs, created = {}, 0
    today = timezone.localdate()
    for spec in PAIRS:
        pair = MentorPair.objects.filter(slug=spec["slug"]).first()
        if pair is None:
            pair = MentorPair(
                slug=spec["slug"],
                name=spec["name"],
                first_member=users[spec["first"][0]],
                first_member_brings=spec["first"][1],
                second_member=users[spec["second"][0]],
                second_member_brings=spec["second"][1],
                goals=spec["goals"],
                started=today - datetime.timedelta(days=spec["started_days_ago"]),
                status=spec["status"],
            )
            pair.full_clean()
            pair.save()
            created += 1
        pairs[spec["slug"]] = pair
    return pairs, created


CASH_POSITION_BALANCES = [("Bank A", 9.4), ("Bank B", 6.1), ("Bank C", 4.8), ("Bank D", 2.7), ("Bank E", 1.2)]


def _cash_position_chart_png() -> bytes:
    """A plain bar chart of ``CASH_POSITION_BALANCES`` (millions), as PNG bytes."""
    width, left, top_margin, bar_height, gap = 800, 120, 60, 44, 20
    height = top_margin + len(CASH_POSITION_BALANCES) * (bar_height + gap)
    picture = PillowImage.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(picture)
    scale = (width - left - 110) / max(amount for _, amount in CASH_POSITION_BALANCES)
    draw.text((left, 12), "Cash position at 08:05 (millions)", fill="#1a1a1a", font_size=20)
    for row, (bank, amount) in enumerate(CASH_POSITION_BALANCES):
        top = top_margin + row * (bar_height + gap)
        draw.text((16, top + 10), bank, fill="#1a1a1a", font_size=18)
        draw.rectangle((left, top, left + amount * scale, top + bar_height), fill="#1f5f8b")
        draw.text((left + amount * scale + 10, top + 10), f"{amount:.1f}", fill="#1a1a1a", font_size=18)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


# Drawn with Pillow rather than downloaded, so the demo works offline: key -> (title, drawing).
DEMO_IMAGES = {
    CASH_POSITION_CHART: ("Morning cash position by bank (demo chart)", _cash_position_chart_png),
}


def _demo_images() -> tuple[dict[str, int], int]:
    """Ids of the demo images by key, each created once and found by its title afterwards."""
    Image = get_image_model()
    ids, created = {}, 0
    for key, (title, draw) in DEMO_IMAGES.items():
        image = Image.objects.filter(title=title).first()
        if image is None:
            image = Image(title=title, file=ImageFile(io.BytesIO(draw()), name=f"{key}.png"))
            image.save()
            created += 1
        ids[key] = image.pk
    return ids, created


def _body(blocks: list[dict], image_ids: dict[str, int]) -> str:
    """The StreamField JSON of a demo body, with image keys replaced by image ids."""
    resolved = [
        {**block, "value": {**block["value"], "image": image_ids[block["value"]["image"]]}}
        if block["type"] == "image"
        else block
        for block in blocks
    ]
    return json.dumps(resolved)


def load_blog_demo(*, home, users: dict) -> dict[str, int]:
    """Create the demo pairs, images and posts that are missing; return how many of each."""
    pairs, pairs_created = _pairs(users)
    image_ids, images_created = _demo_images()
    blog = BlogIndexPage.objects.child_of(home).get()
    existing = set(BlogPostPage.objects.child_of(blog).values_list("slug", flat=True))
    today = timezone.localdate()
    posts_created = 0
    # Oldest first, so the tree's order matches publication order.
    for spec in sorted(POSTS, key=lambda post: -post["days_ago"]):
        if spec["slug"] in existing:
            continue
        pair = pairs[spec["pair"]]
        post = BlogPostPage(
            title=spec["title"],
            slug=spec["slug"],
            pair=pair,
            date=today - datetime.timedelta(days=spec["days_ago"]),
            intro=spec["intro"],
            body=_body(spec["body"], image_ids),
            owner=pair.first_member,
        )
        blog.add_child(instance=post)
        post.tags.add(*spec["tags"])
        post.save_revision(user=pair.first_member).publish()
        posts_created += 1
    return {"pairs": pairs_created, "images": images_created, "posts": posts_created}
