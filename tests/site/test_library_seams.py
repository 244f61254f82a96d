"""What the project leans on inside its libraries: each assertion fails loudly on an upgrade that moves it.

docs/operations.md ("What to check on upgrade") lists these places.
"""

import inspect

import pytest
from channels.consumer import AsyncConsumer
from channels_redis.core import RedisChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer

from blog.models import BlogIndexPage, BlogPostPage


def test_channels_redis_core_layer_still_has_what_site_layers_uses():
    layer = RedisChannelLayer(hosts=["redis://127.0.0.1:6379/15"])

    assert isinstance(layer.receive_buffer, dict)  # a defaultdict of queues, one per channel
    assert callable(layer.consistent_hash) and callable(layer.non_local_name) and callable(layer.connection)
    assert layer.non_local_name("specific.abc!def") == "specific.abc!"


def test_channels_redis_pubsub_layer_still_has_what_site_layers_uses():
    assert callable(RedisPubSubChannelLayer._get_layer)
    assert callable(RedisPubSubChannelLayer.serialize)
    assert inspect.iscoroutinefunction(RedisPubSubLoopLayer._subscribe_to_channel)
    assert "channels" in inspect.getsource(RedisPubSubLoopLayer.__init__)


def test_channels_dispatch_is_what_socket_consumer_replaces():
    """SocketConsumer.dispatch skips Channels' per-message trip to the database thread."""
    assert "aclose_old_connections" in inspect.getsource(AsyncConsumer.dispatch)


@pytest.mark.django_db
def test_treebeard_still_reads_a_parent_set_by_blog_index_routing(make_post, blog_index):
    """BlogIndexPage.route hands the post its parent, as Wagtail's own routing does."""
    post = BlogPostPage.objects.get(pk=make_post().pk)
    post._cached_parent_obj = blog_index

    assert post.get_parent() is blog_index
    assert "_cached_parent_obj" in inspect.getsource(BlogIndexPage.route)
