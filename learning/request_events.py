"""What happens to topic requests, for whoever listens: a request opened, a request answered.

Sent by ``learning.request_services`` once the write has committed, with the
request as ``instance``; receivers may queue work and must not write in the
sender's transaction (there is none any more). Higher layers (home's chat
webhooks) connect to these, so this app never has to know them.
"""

from django.dispatch import Signal

request_opened = Signal()
request_answered = Signal()
