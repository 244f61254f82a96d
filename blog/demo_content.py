"""Demo mentor pairs and posts (loaded by ``manage.py load_demo``)."""

import datetime
import json

from django.utils import timezone

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

# Each post: slug, title, pair, days since publication, intro, tags, body (raw StreamField JSON).
POSTS = [
    {
        "slug": "why-our-credit-memos-moved-to-the-wiki",
        "title": "Why our credit memos moved to the wiki",
        "pair": "amira-and-ben",
        "days_ago": 2,
        "intro": "Ben's team wrote the same explanations in email every week. "
        "We moved them to a wiki page per product, and learned why some of them must stay private.",
        "tags": ["Wikis", "Lending", "Knowledge sharing"],
        "body": [
            {
                "type": "paragraph",
                "value": "<p>Every Monday Ben answered the same three questions "
                "from new analysts: what counts as recurring income, when to ask for a guarantor, "
                "and how to read a bank statement for gambling transactions. Amira suggested "
                "writing each answer once, on a wiki page, and linking to it.</p>",
            },
            {"type": "heading", "value": {"text": "What went on the wiki", "level": "h2"}},
            {
                "type": "paragraph",
                "value": "<p>We started with the questions, not the structure. "
                "Each page has a <b>question</b> as its title, a short answer, and a worked example "
                "with the numbers changed. Tags let analysts find pages by product and by risk.</p>",
            },
            {
                "type": "quote",
                "value": {
                    "quote": "I used to think writing it down was slower than saying it. It's slower once.",
                    "attribution": "Ben",
                },
            },
            {"type": "heading", "value": {"text": "What stayed out", "level": "h2"}},
            {
                "type": "paragraph",
                "value": "<p>Ben explained why customer names and the credit "
                "committee's reasoning on individual cases can never sit on a company-wide page. "
                "We used page privacy for the committee notes and kept the wiki for the "
                "<i>how</i>, never the <i>who</i>.</p>",
            },
            {
                "type": "takeaway",
                "value": {
                    "summary": "Write the answer once, where people search; keep decisions about "
                    "real customers where only the committee can see them.",
                    "first_member_perspective": "The hard part was not the tool, it was knowing "
                    "which knowledge is safe to share. Ben knew that instantly.",
                    "second_member_perspective": "Tags did more than folders ever did: analysts "
                    "find pages I forgot I wrote.",
                },
            },
        ],
    },
    {
        "slug": "a-dashboard-is-a-question-you-keep-asking",
        "title": "A dashboard is a question you keep asking",
        "pair": "chloe-and-david",
        "days_ago": 5,
        "intro": "Chloé built a dashboard of the risk pack in a week. David explained which "
        "charts would get the bank fined if they were wrong, and we rebuilt it around those.",
        "tags": ["Dashboards", "Risk", "Data literacy"],
        "body": [
            {
                "type": "paragraph",
                "value": "<p>The first version had forty charts. David asked "
                "which of them a regulator would ask about. The answer was six.</p>",
            },
            {
                "type": "code",
                "value": {
                    "language": "sql",
                    "code": "SELECT segment,\n"
                    "       SUM(exposure) AS exposure,\n"
                    "       SUM(exposure) FILTER (WHERE days_past_due > 90) "
                    "AS non_performing\nFROM loans\nGROUP BY segment\nORDER BY exposure DESC;",
                },
            },
            {
                "type": "paragraph",
                "value": "<p>We kept the query next to the chart, so anyone "
                "can check how a number was made.</p>",
            },
            {
                "type": "takeaway",
                "value": {
                    "summary": "Start from the questions someone is accountable for, then chart those.",
                    "first_member_perspective": "I learned what \u201cmaterial\u201d means to an auditor.",
                    "second_member_perspective": "I learned that a dashboard can show its working.",
                },
            },
        ],
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


def load_blog_demo(*, home, users: dict) -> dict[str, int]:
    pairs, pairs_created = _pairs(users)
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
            body=json.dumps(spec["body"]),
            owner=pair.first_member,
        )
        blog.add_child(instance=post)
        post.tags.add(*spec["tags"])
        post.save_revision(user=pair.first_member).publish()
        posts_created += 1
    return {"pairs": pairs_created, "posts": posts_created}
