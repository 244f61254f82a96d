"""The demo's TOML files: each parses, and a fault in one names the file and the record."""

import dataclasses
import shutil
import tomllib
from pathlib import Path

from django.contrib.auth import get_user_model

from wagtail.models import Page

import pytest

from home.demo.loader import load_demo
from home.demo.records import DATA_DIR, DATA_FILES, DemoDataError, demo_data


def test_every_data_file_parses_and_every_one_is_read():
    on_disk = sorted(path.name for path in DATA_DIR.glob("*.toml"))

    for name in on_disk:
        assert tomllib.loads((DATA_DIR / name).read_text(encoding="utf-8")), name
    assert on_disk == sorted(DATA_FILES)


def test_the_demo_data_passes_its_own_checks():
    data = demo_data()

    assert all([data.people, data.pairs, data.images, data.posts, data.lessons, data.collections])
    for post in data.posts:
        assert [block["type"] for block in post.body].count("takeaway") == 1, post.slug
    (heading, *_) = (block for block in data.posts[0].body if block["type"] == "heading")
    assert heading["value"] == {
        "text": "What went on the wiki",
        "level": "h2",
    }  # the block's default filled in


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A copy of the demo's data files, to break one at a time."""
    for name in DATA_FILES:
        shutil.copy(DATA_DIR / name, tmp_path / name)
    return tmp_path


def edit(directory: Path, name: str, old: str, new: str) -> None:
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {name} any more: pick another line to break"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        (
            "people.toml",
            'last_name = "Okafor"',
            'lastname = "Okafor"',
            'people.toml, people no. 3 (username = "ben"): unknown field lastname',
        ),
        (
            "pairs.toml",
            "started_days_ago = 90",
            "started_days_ago = '90'",
            'pairs.toml, pairs no. 2 (slug = "chloe-and-david"), started_days_ago: expected int',
        ),
        (
            "posts.toml",
            'attribution = "Ben"',
            'atribution = "Ben"',
            'posts.toml, posts no. 1 (slug = "why-our-credit-memos-moved-to-the-wiki"), '
            'body no. 4 (type = "quote"): unknown field atribution; known fields: quote, attribution',
        ),
        (
            "posts.toml",
            'type = "heading"',
            'type = "headline"',
            'posts.toml, posts no. 1 (slug = "why-our-credit-memos-moved-to-the-wiki"), '
            'body no. 2 (type = "headline"): unknown block type',
        ),
        (
            "posts.toml",
            'type = "takeaway"\nsummary = """',
            'type = "takeaway"\nsumary = """',
            'body no. 7 (type = "takeaway"): unknown field sumary',
        ),
        (
            "lessons.toml",
            '{ text = "The team\'s name" }',
            '{ text = "The team\'s name", corect = false }',
            'lessons.toml, lessons no. 1 (slug = "write-the-answer-once"), questions no. 1 '
            '(prompt = "What should a wiki page\'s title be?"), choices no. 2 '
            '(text = "The team\'s name"): unknown field corect; known fields: text, correct',
        ),
        (
            "collections.toml",
            "featured = true",
            "featured = true\nfeatured_until = 2025-01-01",
            'collections.toml, collections no. 1 (slug = "knowledge-that-outlives-the-inbox"): '
            "unknown field featured_until",
        ),
        (
            "activity.toml",
            "[[reads]]",
            "[[read]]",
            "activity.toml: unknown field read; known fields: follows, knowledge_checks, reads",
        ),
        (
            "activity.toml",
            "wrong_questions = [1]",
            "wrong_question = [1]",
            'activity.toml, knowledge_checks no. 2 (person = "sam"): unknown field wrong_question',
        ),
        (
            "images.toml",
            'heading = "Cash position at 08:05 (millions)"\n',
            "",
            'images.toml, images no. 1 (key = "cash-position-chart"): missing field heading',
        ),
    ],
)
def test_an_unknown_field_or_a_wrong_type_names_the_file_and_the_record(data_dir, name, old, new, expected):
    edit(data_dir, name, old, new)

    with pytest.raises(DemoDataError) as raised:
        demo_data(data_dir)

    assert expected in str(raised.value)


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        (
            "posts.toml",
            'pair = "amira-and-ben"',
            'pair = "amira-and-bem"',
            'posts.toml, posts no. 1 (slug = "why-our-credit-memos-moved-to-the-wiki"): '
            "pair 'amira-and-bem' is not in pairs.toml",
        ),
        (
            "pairs.toml",
            'second_member = "ben"',
            'second_member = "benn"',
            "pairs.toml, pairs no. 1 (slug = \"amira-and-ben\"): second_member 'benn' is not in people.toml",
        ),
        (
            "posts.toml",
            'image = "cash-position-chart"',
            'image = "cash-chart"',
            "body no. 5: image 'cash-chart' is not in images.toml",
        ),
        (
            "collections.toml",
            '"tags-beat-folders",',
            '"tags-beat-folder",',
            "items 'tags-beat-folder' is not in posts.toml or lessons.toml",
        ),
        (
            "activity.toml",
            '"Knowledge sharing"]',
            '"Knowledge-sharing"]',
            "activity.toml, follows no. 1 (person = \"sam\"): topics 'Knowledge-sharing' is no post's",
        ),
        (
            "activity.toml",
            "wrong_questions = [1]",
            "wrong_questions = [3]",
            "wrong_questions 3: the lesson has 2 questions",
        ),
        (
            "lessons.toml",
            '{ text = "The question people ask", correct = true },',
            '{ text = "The question people ask" },',
            'lessons.toml, lessons no. 1 (slug = "write-the-answer-once"), questions no. 1: '
            "no choice says correct = true",
        ),
        (
            "pairs.toml",
            'status = "completed"',
            'status = "finished"',
            'pairs.toml, pairs no. 3 (slug = "elena-and-farid"): status must be one of active, completed',
        ),
        (
            "people.toml",
            'username = "priya"',
            'username = "sam"',
            "people.toml, people no. 11 (username = \"sam\"): a second record with username = 'sam'",
        ),
        (
            "requests.toml",
            'claimed_by = "chloe-and-david"',
            'claimed_by = "elena-and-farid"',
            "claimed_by 'elena-and-farid' is not an active pair",
        ),
        (
            "requests.toml",
            'answer = "why-our-credit-memos-moved-to-the-wiki"',
            'answer = "risk-appetite-in-plain-words"',
            "answer 'risk-appetite-in-plain-words' is not a page of claimed_by's pair",
        ),
        (
            "requests.toml",
            'votes = ["priya"]',
            'votes = ["pryia"]',
            "votes 'pryia' is not in people.toml",
        ),
    ],
)
def test_a_name_that_points_at_nothing_names_the_file_and_the_record(data_dir, name, old, new, expected):
    edit(data_dir, name, old, new)

    with pytest.raises(DemoDataError) as raised:
        demo_data(data_dir)

    assert expected in str(raised.value)


def test_a_file_that_is_not_toml_is_named(data_dir):
    edit(data_dir, "lessons.toml", "[[lessons]]", "[[lessons]")

    with pytest.raises(DemoDataError, match=r"^lessons\.toml: not valid TOML"):
        demo_data(data_dir)


@pytest.mark.django_db
def test_a_group_the_database_lacks_is_named_and_nothing_is_written():
    data = demo_data()
    editor, *others = data.people
    misspelt = dataclasses.replace(data, people=(dataclasses.replace(editor, groups=("Editor",)), *others))
    pages_before = Page.objects.count()

    with pytest.raises(DemoDataError, match=r'people\.toml, username = "editor": no group named Editor'):
        load_demo(misspelt)

    assert not get_user_model().objects.exists()
    assert Page.objects.count() == pages_before
