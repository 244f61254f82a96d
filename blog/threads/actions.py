"""What a conversation offers the people who look after a thread, beyond answering it.

A higher app adds an action when it is ready (``register_conversation_action``:
the lessons app offers "Promote to a lesson"); threads know only its label and
where it leads. Actions are shown on each conversation (a comment with its
replies) to the page's hosts and to editors, the people who mark answers; the
page the link leads to checks again, so a link shown is never the permission.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ConversationAction:
    label: str
    url: Callable[[int], str]  # the conversation's first comment's id -> where the action is taken


_ACTIONS: list[ConversationAction] = []


def register_conversation_action(*, label: str, url: Callable[[int], str]) -> None:
    """Offer an action on every conversation; from an app's ``ready()``. Registering twice adds it once."""
    action = ConversationAction(label=label, url=url)
    if action not in _ACTIONS:
        _ACTIONS.append(action)


def conversation_actions(comment_id: int) -> list[tuple[str, str]]:
    """``(label, url)`` of every registered action, for the conversation that ``comment_id`` starts."""
    return [(action.label, action.url(comment_id)) for action in _ACTIONS]
