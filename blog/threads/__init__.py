"""Live conversation threads under any Wagtail page.

The concept is split by role: ``models`` (what is stored), ``rendering``
(Markdown to safe HTML), ``services`` (every write, broadcast after commit),
``selectors`` (reads and the comment object of the protocol), ``frames``
(group names and encoded frames), ``consumers`` and ``routing`` (WebSocket),
``views`` (HTTP API, the no-JavaScript form, notifications), ``limits`` (rate
limits and throttles) and ``presence``. ``docs/threads-protocol.md`` is the
contract the consumer and the API keep.
"""
