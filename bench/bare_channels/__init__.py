"""The bare Channels reference: one group, ``group_send`` per message, no database, no auth.

``bench/fanout.py`` runs it under the same server, layer and load as the live
threads, so every report carries the ratio ours / bare Channels.
"""
