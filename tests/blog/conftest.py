"""Fixtures for live threads: posts, signed-in WebSocket clients, a clean cache."""

import asyncio
import contextlib

from django.conf import settings
from django.test import Client

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from blog.threads import snapshots
from site.asgi import application

ORIGIN = b"http://testserver"


@pytest.fixture
def post(make_post):
    return make_post(title="Tagging the wiki")


@pytest.fixture
def thread_reads_not_kept(monkeypatch):
    """Every reader reads the thread's comments afresh, as the first after a change does (the worst case)."""
    monkeypatch.setattr(snapshots, "thread_version", lambda page_id: None)


def session_key_for(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


class ThreadClient:
    """A WebSocket client of the real ASGI application (origin check, sessions, routing)."""

    def __init__(self, communicator: WebsocketCommunicator, session_key: str | None) -> None:
        self.communicator = communicator
        self.session_key = session_key
        self.snapshot: dict | None = None

    async def send(self, frame: dict) -> None:
        await self.communicator.send_json_to(frame)

    async def receive(self, timeout: float = 3) -> dict:
        return await self.communicator.receive_json_from(timeout=timeout)

    async def expect(self, frame_type: str, timeout: float = 3) -> dict:
        """The next frame of ``frame_type``, skipping presence and typing notices."""
        while True:
            frame = await self.receive(timeout)
            if frame["type"] == frame_type:
                return frame
            assert frame["type"] in {"presence", "typing"}, frame

    async def nothing(self, timeout: float = 0.3, *, ignore=("presence",)) -> bool:
        """True when nothing but ``ignore``-d frames arrives within ``timeout``."""
        while not await self.communicator.receive_nothing(timeout=timeout):
            frame = await self.receive()
            if frame["type"] not in ignore:
                raise AssertionError(f"unexpected frame {frame}")
        return True

    async def close(self) -> None:
        with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError):
            await self.communicator.disconnect()


@pytest.fixture
async def ws():
    """``await ws(page, user)`` opens a thread socket; every socket is closed afterwards."""
    opened: list[ThreadClient] = []

    async def connect(
        page_or_path, user=None, *, origin: bytes = ORIGIN, expect_accept: bool = True, session_key=None
    ):
        """``session_key`` opens another tab of an existing session instead of signing in anew."""
        path = page_or_path if isinstance(page_or_path, str) else f"/ws/threads/{page_or_path.pk}/"
        key = session_key
        if key is None and user is not None:
            key = await database_sync_to_async(session_key_for)(user)
        headers = [(b"origin", origin)] if origin else []
        if key:
            headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode()))
        communicator = WebsocketCommunicator(application, path, headers=headers)
        connected, _ = await communicator.connect(timeout=5)
        client = ThreadClient(communicator, key)
        opened.append(client)
        assert connected is expect_accept, f"handshake {'refused' if expect_accept else 'accepted'} on {path}"
        if connected and path.startswith("/ws/threads/"):
            client.snapshot = await client.expect("thread.snapshot")
        return client

    yield connect
    for client in opened:
        await client.close()
