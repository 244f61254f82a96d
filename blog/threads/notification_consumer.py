"""``/ws/notifications/``: a signed-in person's notifications, pushed as they are made.

The socket joins its person's notification group and their ``person.<id>``
group: when they sign out (of this session or, after a check, any other
change to who they are), it sends an ``auth_required`` error and closes with
4403. It only pushes; anything a client sends is answered with ``invalid``.
"""

import contextlib

from django.db import DatabaseError

from blog.threads import frames
from blog.threads.access import scope_session_key, session_user
from blog.threads.sockets import (
    CLOSE_ACCESS_ENDED,
    CLOSE_RECONNECT,
    SocketConsumer,
    person_group,
    session_digest,
)
from blog.threads.trips import database_trip
from site.layers import LAYER_ERRORS


class NotificationConsumer(SocketConsumer):
    async def connect(self) -> None:
        try:
            user, _ = await database_trip(session_user)(scope_session_key(self.scope))
        except DatabaseError:
            user = None
        if user is None or not user.is_authenticated:
            await self.close()
            return
        self.user_id = user.pk
        self.groups = [frames.notifications_group(user.pk), person_group(user.pk)]
        try:
            for group in self.groups:
                await self.channel_layer.group_add(group, self.channel_name)
        except LAYER_ERRORS:
            await self._leave_groups()
            await self.close()
            return
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self._leave_groups()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.send(
            text_data=frames.encode(
                {
                    "type": "error",
                    "code": "invalid",
                    "message": "This channel only pushes.",
                    "client_id": None,
                }
            )
        )

    async def notification_push(self, event: dict) -> None:
        """Forward a notification, unless its person has signed out since connecting.

        Pushes are few per person, so each reads the session again: that also
        covers what nothing announces (a session expired or deleted).
        """
        if await self._still_signed_in():
            await self.send(text_data=event["text"])

    async def person_changed(self, event: dict) -> None:
        mine = session_digest(scope_session_key(self.scope))
        if mine is not None and event.get("ended_session") == mine:
            await self._end()
            return
        await self._still_signed_in()

    async def layer_recovered(self, event: dict) -> None:
        await self.close(code=CLOSE_RECONNECT)

    async def _still_signed_in(self) -> bool:
        try:
            user, _ = await database_trip(session_user)(scope_session_key(self.scope))
        except DatabaseError:
            return False
        if not user.is_authenticated or user.pk != self.user_id:
            await self._end()
            return False
        return True

    async def _end(self) -> None:
        await self.send(
            text_data=frames.encode(
                {"type": "error", "code": "auth_required", "message": "Signed out.", "client_id": None}
            )
        )
        await self.close(code=CLOSE_ACCESS_ENDED)

    async def _leave_groups(self) -> None:
        for group in getattr(self, "groups", []):
            with contextlib.suppress(*LAYER_ERRORS):
                await self.channel_layer.group_discard(group, self.channel_name)
