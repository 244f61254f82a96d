"""Demo lessons, collections, follows and progress (loaded by ``manage.py load_demo``).

Lessons grow out of the demo blog posts and share their topics; "sam" (a
staff reader) follows some topics and a pair, has passed one lesson, got one
question wrong in another (so it is due for review) and is part-way through
the featured collection. Loading twice changes nothing.
"""

import datetime
import json
import uuid

from django.utils import timezone

from taggit.models import Tag

from blog.models import BlogPostPage, MentorPair
from learning import services
from learning.models import (
    CollectionIndexPage,
    CollectionItem,
    CollectionPage,
    KnowledgeCheckAttempt,
    LearningIndexPage,
    LessonPage,
)

# Question and choice ids are derived from the lesson slug, so they are the
# same on every machine that loads the demo.
_ID_NAMESPACE = uuid.UUID("6f1c2a4e-4a8e-4b8e-9c1e-2f8f3b7d9a10")


def _id(*parts: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, "/".join(parts)))


def _question(slug: str, n: int, prompt: str, choices: list[tuple[str, bool]], explanation: str) -> dict:
    kind = "multiple" if sum(correct for _, correct in choices) > 1 else "single"
    return {
        "type": "question",
        "id": _id(slug, f"q{n}"),
        "value": {
            "prompt": prompt,
            "kind": kind,
            "choices": [
                {
                    "type": "item",
                    "id": _id(slug, f"q{n}", f"c{i}"),
                    "value": {"text": text, "correct": correct},
                }
                for i, (text, correct) in enumerate(choices)
            ],
            "explanation": explanation,
        },
    }


def _paragraphs(*texts: str) -> list[dict]:
    return [{"type": "paragraph", "value": f"<p>{text}</p>"} for text in texts]


LESSONS = [
    {
        "slug": "write-the-answer-once",
        "title": "Write the answer once",
        "pair": "amira-and-ben",
        "inspired_by": "why-our-credit-memos-moved-to-the-wiki",
        "days_ago": 1,
        "objective": "After this lesson you can turn a question you answer every week into a wiki page.",
        "tags": ["Wikis", "Knowledge sharing"],
        "body": _paragraphs(
            "If you answer the same question every week, the answer belongs on a page, not in your outbox.",
            "Title the page with the <b>question</b> people ask, give the short answer first, then one "
            "worked example with the numbers changed.",
        )
        + [
            {
                "type": "callout",
                "value": {
                    "kind": "warning",
                    "text": "Never put a real customer's name or case on a wiki page.",
                },
            }
        ],
        "takeaways": "Title pages with the question people ask.\nShort answer first, example second.\n"
        "Keep the how on the wiki and the who off it.",
        "questions": [
            (
                "What should a wiki page's title be?",
                [("The question people ask", True), ("The team's name", False), ("The date", False)],
                "People search with their question; a page titled with it is found first.",
            ),
            (
                "Which of these belong on a company-wide wiki page?",
                [
                    ("How recurring income is assessed", True),
                    ("A worked example with changed numbers", True),
                    ("The credit committee's notes on a named customer", False),
                ],
                "Share the how; decisions about real customers stay where only the committee can see them.",
            ),
        ],
    },
    {
        "slug": "tags-beat-folders",
        "title": "Tags beat folders",
        "pair": "amira-and-ben",
        "inspired_by": "ten-tags-not-a-hundred-folders",
        "days_ago": 4,
        "objective": "After this lesson you can choose a small set of tags that people actually use.",
        "tags": ["Wikis", "Knowledge sharing", "Data literacy"],
        "body": _paragraphs(
            "A page lives in one folder but can carry many tags, so people find it from whichever way they "
            "think about it.",
            "Start with ten tags, not a hundred. Merge tags that mean the same thing as soon as you notice.",
        ),
        "takeaways": "A page has one folder but many tags.\nTen good tags beat a hundred.\n"
        "Merge duplicates early.",
        "questions": [
            (
                "Why do tags help people find pages?",
                [
                    ("A page can carry several, matching different ways of thinking", True),
                    ("They make pages load faster", False),
                ],
                "Folders force one path to a page; tags give it several.",
            ),
            (
                "Two tags, “Lending” and “lending”, appear. What do you do?",
                [("Merge them into one", True), ("Keep both", False), ("Delete both", False)],
                "Duplicates split a topic's stream in two; merging moves every page to one tag.",
            ),
        ],
    },
    {
        "slug": "six-charts-a-regulator-asks-about",
        "title": "The six charts a regulator asks about",
        "pair": "chloe-and-david",
        "inspired_by": "a-dashboard-is-a-question-you-keep-asking",
        "days_ago": 3,
        "objective": "After this lesson you can tell a chart someone is accountable for from a nice-to-have.",
        "tags": ["Dashboards", "Risk"],
        "body": _paragraphs(
            "Start a dashboard from the questions someone is accountable for answering, then chart those.",
            "Keep the query next to the chart so anyone can check how the number was made.",
        ),
        "takeaways": "Start from accountable questions.\nShow the working next to the chart.",
        "questions": [
            (
                "Where should a risk dashboard start?",
                [
                    ("From the questions someone is accountable for", True),
                    ("From every metric the database has", False),
                    ("From the prettiest chart type", False),
                ],
                "Accountable questions keep the dashboard small and the numbers defensible.",
            ),
            (
                "Why keep the query next to the chart?",
                [("So anyone can check how the number was made", True), ("To make the page longer", False)],
                "An auditor trusts a number they can reproduce.",
            ),
        ],
    },
    {
        "slug": "risk-appetite-in-one-sentence",
        "title": "Risk appetite in one sentence",
        "pair": "chloe-and-david",
        "inspired_by": "risk-appetite-in-plain-words",
        "days_ago": 6,
        "objective": "After this lesson you can explain what a risk appetite statement is for.",
        "tags": ["Risk", "Data literacy"],
        "body": _paragraphs(
            "A risk appetite says how much of a kind of risk the bank is willing to take to reach its goals.",
            "Each limit in it is a number someone checks, and a person who acts when it is breached.",
        ),
        "takeaways": "Appetite is willingness, limits are numbers.\nEvery limit has an owner.",
        "questions": [
            (
                "What does a risk appetite statement describe?",
                [
                    ("How much risk the bank is willing to take for its goals", True),
                    ("The bank's marketing budget", False),
                ],
                "Appetite is about willingness; limits turn it into numbers people check.",
            ),
            (
                "What does every limit need?",
                [("A number", True), ("An owner who acts on a breach", True), ("A colour scheme", False)],
                "A limit nobody owns is a number nobody acts on.",
            ),
        ],
    },
    {
        "slug": "run-a-hybrid-huddle",
        "title": "Run a huddle with half the team on a screen",
        "pair": "elena-and-farid",
        "inspired_by": "huddles-with-half-the-team-on-a-screen",
        "days_ago": 9,
        "objective": "After this lesson you can run a ten-minute huddle where remote colleagues speak first.",
        "tags": ["Remote work", "Facilitation"],
        "body": _paragraphs(
            "Ask the people on the screen first: the room will always fill silence faster than the call.",
            "Write decisions where everyone can see them, during the huddle, not after.",
        ),
        "takeaways": "Remote people speak first.\nWrite decisions down live.",
        "questions": [
            (
                "Who should speak first in a hybrid huddle?",
                [("The people on the screen", True), ("The most senior person in the room", False)],
                "The room fills silence faster than the call; asking remote people first evens it out.",
            ),
        ],
    },
    {
        "slug": "when-a-bot-should-stay-quiet",
        "title": "When a chat bot should stay quiet",
        "pair": "grace-and-hiro",
        "inspired_by": "a-chat-bot-that-knows-when-to-stay-quiet",
        "days_ago": 2,
        "objective": "After this lesson you can tell which questions a bot answers and which go to a person.",
        "tags": ["Chat bots", "Automation", "Treasury"],
        "body": _paragraphs(
            "A good bot answers the questions whose answers never change, "
            "and hands everything else to a person.",
            "Anything that moves money or depends on today's position goes to a human, "
            "with the context attached.",
        ),
        "takeaways": "Bots answer stable questions.\nMoney and judgement go to people.",
        "questions": [
            (
                "Which question should the treasury bot hand to a person?",
                [
                    ("Can we move 2 million to the other account today?", True),
                    ("What time is the daily cut-off?", False),
                ],
                "Moving money depends on today's position and needs a person's judgement.",
            ),
            (
                "What should the hand-over include?",
                [("The question and the context the bot has", True), ("Nothing; start over", False)],
                "Handing over the context saves the person from asking everything again.",
            ),
        ],
    },
]

COLLECTIONS = [
    {
        "slug": "knowledge-that-outlives-the-inbox",
        "title": "Knowledge that outlives the inbox",
        "description": "Move what you know out of email and into pages people find: wikis, tags, and what to "
        "keep private.",
        "featured": True,
        "tags": ["Wikis", "Knowledge sharing"],
        "items": [
            "why-our-credit-memos-moved-to-the-wiki",
            "write-the-answer-once",
            "ten-tags-not-a-hundred-folders",
            "tags-beat-folders",
            "should-the-lending-faq-be-a-chat-bot",
        ],
    },
    {
        "slug": "numbers-a-regulator-asks-about",
        "title": "Numbers a regulator asks about",
        "description": "Dashboards, risk appetite and the spreadsheets behind them, from the people who "
        "answer for them.",
        "featured": False,
        "tags": ["Risk", "Dashboards"],
        "items": [
            "a-dashboard-is-a-question-you-keep-asking",
            "six-charts-a-regulator-asks-about",
            "risk-appetite-in-plain-words",
            "risk-appetite-in-one-sentence",
            "why-the-auditor-asks-for-the-spreadsheet",
        ],
    },
    {
        "slug": "automation-with-judgement",
        "title": "Automation with judgement",
        "description": "Bots and scripts that save hours, and the points where a person must decide.",
        "featured": False,
        "tags": ["Automation", "Chat bots"],
        "items": [
            "automating-the-morning-cash-position",
            "a-chat-bot-that-knows-when-to-stay-quiet",
            "when-a-bot-should-stay-quiet",
            "what-a-treasurer-means-by-liquidity",
        ],
    },
]


def _lessons(*, home, pairs: dict) -> tuple[dict[str, LessonPage], int]:
    index = LearningIndexPage.objects.child_of(home).get()
    lessons = {lesson.slug: lesson for lesson in LessonPage.objects.child_of(index)}
    posts = {post.slug: post for post in BlogPostPage.objects.all()}
    today = timezone.localdate()
    created = 0
    for spec in sorted(LESSONS, key=lambda lesson: -lesson["days_ago"]):
        if spec["slug"] in lessons:
            continue
        pair = pairs.get(spec["pair"])
        lesson = LessonPage(
            title=spec["title"],
            slug=spec["slug"],
            objective=spec["objective"],
            date=today - datetime.timedelta(days=spec["days_ago"]),
            pair=pair,
            inspired_by=posts.get(spec["inspired_by"]),
            body=json.dumps(spec["body"]),
            takeaways=spec["takeaways"],
            knowledge_check=json.dumps(
                [_question(spec["slug"], n, *question) for n, question in enumerate(spec["questions"])]
            ),
            owner=pair.first_member if pair else None,
        )
        index.add_child(instance=lesson)
        lesson.tags.add(*spec["tags"])
        lesson.save_revision(user=lesson.owner).publish()
        lessons[lesson.slug] = lesson
        created += 1
    return lessons, created


def _collections(*, home, editor) -> tuple[dict[str, CollectionPage], int]:
    index = CollectionIndexPage.objects.child_of(home).get()
    collections = {collection.slug: collection for collection in CollectionPage.objects.child_of(index)}
    pages = {page.slug: page for page in BlogPostPage.objects.all()} | {
        page.slug: page for page in LessonPage.objects.all()
    }
    created = 0
    for spec in COLLECTIONS:
        if spec["slug"] in collections:
            continue
        collection = CollectionPage(
            title=spec["title"],
            slug=spec["slug"],
            description=spec["description"],
            featured=spec["featured"],
            owner=editor,
        )
        collection.items = [CollectionItem(page=pages[slug]) for slug in spec["items"] if slug in pages]
        index.add_child(instance=collection)
        collection.tags.add(*spec["tags"])
        collection.save_revision(user=editor).publish()
        collections[collection.slug] = collection
        created += 1
    return collections, created


def _reader_progress(*, reader, lessons: dict) -> int:
    """Follows and progress for the demo reader; skipped once they have any attempt."""
    for name in ("Wikis", "Risk", "Knowledge sharing"):
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is not None:
            services.topic_follow(user=reader, tag=tag)
    pair = MentorPair.objects.filter(slug="grace-and-hiro").first()
    if pair is not None:
        services.pair_follow(user=reader, pair=pair)
    if KnowledgeCheckAttempt.objects.filter(user=reader).exists():
        return 0
    today = timezone.localdate()
    passed = lessons.get("write-the-answer-once")
    if passed is not None:
        services.knowledge_check_submit(user=reader, lesson=passed, answers=_right_answers(passed))
    wrong = lessons.get("tags-beat-folders")
    if wrong is not None:
        answers = _right_answers(wrong)
        first_question = wrong.knowledge_check[0]
        answers[first_question.id] = [
            i for i, choice in enumerate(first_question.value["choices"]) if not choice["correct"]
        ][:1]
        # Answered two days ago, so the one-day review is due today.
        services.knowledge_check_submit(
            user=reader, lesson=wrong, answers=answers, today=today - datetime.timedelta(days=2)
        )
    post = BlogPostPage.objects.filter(slug="why-our-credit-memos-moved-to-the-wiki").first()
    if post is not None:
        services.post_mark_read(user=reader, post=post)
    return 1


def _right_answers(lesson: LessonPage) -> dict[str, list[int]]:
    answers = {}
    for block in lesson.knowledge_check:
        choices = block.value["choices"]
        answers[block.id] = [i for i, choice in enumerate(choices) if choice["correct"]]
    return answers


def load_learning_demo(*, home, users: dict) -> dict[str, int]:
    """Create the demo lessons, collections and the demo reader's follows and progress."""
    pairs = {pair.slug: pair for pair in MentorPair.objects.select_related("first_member")}
    lessons, lessons_created = _lessons(home=home, pairs=pairs)
    _, collections_created = _collections(home=home, editor=users["editor"])
    progress = _reader_progress(reader=users["sam"], lessons=lessons)
    return {"lessons": lessons_created, "collections": collections_created, "reader_progress": progress}
