"""Thread clients for the fault tests: sockets that a test reads at its own pace.

The ``websockets`` client answers the server's pings from its own background
reader, which stops reading once ``max_queue`` frames wait unread. A test
that sends hundreds of comments before reading its acknowledgements would
then miss pings and be dropped as a slow client itself, so these sockets keep
every frame (``max_queue=None``) until the test reads it.
"""

from __future__ import annotations

import asyncio
import json

from websockets.asyncio.client import ClientConnection, connect

from tests.faults.test_abuse import frame_of_type


def open_thread(base_url: str, page_id: int, cookie: str | None = None) -> connect:
    """A thread socket as a browser opens it: same origin, the session cookie if signed in."""
    return connect(
        base_url.replace("http://", "ws://") + f"/ws/threads/{page_id}/",
        origin=base_url,
        additional_headers={"Cookie": cookie} if cookie else {},
        max_size=None,
        max_queue=None,
        open_timeout=30,
    )


def comment_create(client_id: str, body: str | None = None) -> str:
    """A ``comment.create`` frame, in UTF-8 as a browser sends it (no ``\\u`` escapes)."""
    body = body if body is not None else f"Comment {client_id}"
    message = {"type": "comment.create", "body": body, "parent": None, "client_id": client_id}
    return json.dumps(message, ensure_ascii=False)


async def answer_to(socket: ClientConnection, client_id: str, timeout: float = 60) -> dict:
    """The sender's answer to its ``comment.create``: ``comment.created`` or ``error``, by client_id."""
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await socket.recv())
            if frame["type"] == "comment.created" and frame["comment"]["client_id"] == client_id:
                return frame
            if frame["type"] == "error" and frame.get("client_id") == client_id:
                return frame


async def sync_after(socket: ClientConnection, after: int | None, timeout: float = 60) -> list[dict]:
    """Every comment after ``after`` (all, for ``None``), asking again while ``has_more``.

    Frames that arrive meanwhile (broadcasts, presence) are skipped: the
    answer to ``sync`` is the only ``thread.sync`` frame.
    """
    comments: list[dict] = []
    cursor = after or 0
    while True:
        await socket.send(json.dumps({"type": "sync", "after": cursor}))
        batch = await frame_of_type(socket, "thread.sync", timeout)
        comments.extend(batch["comments"])
        if batch["last_id"] is not None:
            cursor = batch["last_id"]
        if not batch["has_more"]:
            return comments
