"""What the project leans on inside its libraries: each assertion fails loudly on an upgrade that moves it.

docs/operations.md ("What to check on upgrade") lists these places.
"""

import asyncio
import inspect
import time

import pytest
from asgiref.sync import SyncToAsync
from channels import layers
from channels.consumer import AsyncConsumer
from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer

from blog.models import BlogIndexPage, BlogPostPage
from blog.threads.trips import DatabaseTrip
from site.layers import InMemoryChannelLayer


def test_channels_redis_pubsub_layer_still_has_what_site_layers_uses():
    assert callable(RedisPubSubChannelLayer._get_layer)
    assert callable(RedisPubSubChannelLayer.serialize)
    assert inspect.iscoroutinefunction(RedisPubSubLoopLayer._subscribe_to_channel)
    assert "channels" in inspect.getsource(RedisPubSubLoopLayer.__init__)


def test_channels_dispatch_is_what_socket_consumer_replaces():
    """SocketConsumer.dispatch skips Channels' per-message trip to the database thread."""
    assert "aclose_old_connections" in inspect.getsource(AsyncConsumer.dispatch)


def test_channels_in_memory_layer_sweeps_through_the_method_site_layers_throttles():
    """Channels' in-memory layer still sweeps in ``_clean_expired``, from receive and group_send."""
    assert "_clean_expired()" in inspect.getsource(layers.InMemoryChannelLayer.receive)
    assert "_clean_expired()" in inspect.getsource(layers.InMemoryChannelLayer.group_send)


class CountedSweeps(layers.InMemoryChannelLayer):
    sweeps = 0

    def _clean_expired(self) -> None:
        self.sweeps += 1
        super()._clean_expired()


class ThrottledCountedSweeps(InMemoryChannelLayer, CountedSweeps):
    """The site's layer over a base that counts the sweeps that get through."""


def test_the_in_memory_layer_sweeps_once_a_second_and_still_expires_messages():
    layer = ThrottledCountedSweeps(expiry=0.2)

    async def run() -> None:
        await layer.send("reader.a", {"type": "old"})
        for _ in range(50):
            await layer.group_send("thread.1", {"type": "noise"})
        assert layer.sweeps == 1  # the first call sweeps, the next 49 do not
        await asyncio.sleep(0.3)
        layer._swept_at = time.monotonic() - layer.SWEEP_SECONDS
        await layer.group_send("thread.1", {"type": "noise"})
        assert layer.sweeps == 2
        assert "reader.a" not in layer.channels  # its message expired and was swept

    asyncio.run(run())


def test_asgiref_sync_to_async_still_runs_calls_through_thread_handler():
    """``DatabaseTrip`` manages connections around ``SyncToAsync.thread_handler``, as Channels does."""
    assert callable(SyncToAsync.thread_handler)
    assert "thread_handler" in inspect.getsource(SyncToAsync.__call__)
    assert DatabaseTrip(lambda: None)._thread_sensitive is True


@pytest.mark.django_db
def test_treebeard_still_reads_a_parent_set_by_blog_index_routing(make_post, blog_index):
    """BlogIndexPage.route hands the post its parent, as Wagtail's own routing does."""
    post = BlogPostPage.objects.get(pk=make_post().pk)
    post._cached_parent_obj = blog_index

    assert post.get_parent() is blog_index
    assert "_cached_parent_obj" in inspect.getsource(BlogIndexPage.route)
