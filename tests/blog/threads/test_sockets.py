"""The consumers' base class, and what it leans on in daphne and autobahn."""

import pytest
from autobahn.exception import Disconnected
from autobahn.twisted.websocket import WebSocketServerProtocol
from autobahn.websocket.protocol import WebSocketProtocol

from blog.threads.sockets import SocketConsumer


def test_autobahn_still_refuses_a_send_on_a_closing_socket_with_disconnected():
    """The seam ``SocketConsumer.send`` relies on: daphne's protocol is autobahn's."""
    protocol = WebSocketServerProtocol()
    protocol.state = WebSocketProtocol.STATE_CLOSING

    with pytest.raises(Disconnected):
        protocol.sendMessage(b"late", isBinary=False)


async def test_a_send_to_a_socket_that_closed_meanwhile_is_dropped_without_an_error():
    consumer = SocketConsumer()
    sent = []

    async def base_send(message):
        if message["type"] == "websocket.send" and sent:
            raise Disconnected("Attempt to send on a closed protocol")
        sent.append(message)

    consumer.base_send = base_send
    await consumer.send(text_data="first")
    await consumer.send(text_data="after the client left")  # raises inside: dropped
    await consumer.send(text_data="and more")
    await consumer.close(code=4403)

    assert [message.get("text") for message in sent] == ["first"]
    assert consumer.socket_closed
