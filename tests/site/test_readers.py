"""What pages know about the signed-in reader: one query for the header, the thread and "Mark as read"."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

import pytest

from blog.factories import UserFactory
from blog.threads import services
from learning import services as learning_services
from site import people
from site.readers import reader_state

pytestmark = pytest.mark.django_db


def request_of(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_one_query_answers_editor_admin_access_unread_and_finished(
    make_post, staff, editor, django_assert_num_queries
):
    post = make_post()
    services.comment_create(page=post, user=staff, body=f"@{editor.username} look", client_id="a")
    learning_services.post_mark_read(user=editor, post=post)
    request = request_of(editor)

    with django_assert_num_queries(1):
        reader = reader_state(request, page=post)
        assert reader_state(request) is reader  # the header asks again: no query

    assert reader.is_editor and reader.can_access_admin
    assert reader.unread_notifications == 1 and reader.finished_page


def test_who_moderates_and_who_may_use_the_admin(staff, pair, editor):
    superuser = UserFactory(username="root", is_superuser=True)
    django_staff = UserFactory(username="operator", is_staff=True)
    expected = {
        staff: (False, False),
        pair.first_member: (False, True),  # pair members write in the admin
        editor: (True, True),
        superuser: (True, True),
        django_staff: (False, True),
    }

    for user, (is_editor, can_access_admin) in expected.items():
        reader = reader_state(request_of(user))
        assert (reader.is_editor, reader.can_access_admin) == (is_editor, can_access_admin), user.username
        assert reader.unread_notifications == 0 and not reader.finished_page


def test_signed_out_readers_have_no_state():
    assert reader_state(request_of(AnonymousUser())) is None


def test_the_header_shows_the_admin_link_only_to_those_who_may_use_it(client, home, staff, pair):
    client.force_login(staff)
    assert 'href="/admin/">Admin</a>' not in client.get(home.url).content.decode()

    client.force_login(pair.first_member)
    assert 'href="/admin/">Admin</a>' in client.get(home.url).content.decode()


def test_the_person_a_session_loads_knows_whether_they_edit_without_another_query(
    staff, editor, django_assert_num_queries
):
    backend = people.PeopleBackend()
    with django_assert_num_queries(2):
        loaded = [backend.get_user(person.pk) for person in (staff, editor)]
        assert [people.is_editor(person) for person in loaded] == [False, True]

    assert [
        {field.attname: getattr(person, field.attname) for field in type(person)._meta.concrete_fields}
        for person in loaded
    ] == [
        {field.attname: getattr(person, field.attname) for field in type(person)._meta.concrete_fields}
        for person in get_user_model().objects.filter(pk__in=[staff.pk, editor.pk]).order_by("pk")
    ]  # every column, as the ORM reads it

    staff.is_active = False
    staff.save()
    assert backend.get_user(staff.pk) is None and backend.get_user(0) is None
