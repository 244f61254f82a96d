"""Demo content for a newcomer (``manage.py load_demo``), kept as data.

The TOML files in this folder say what the demo holds: people, pairs,
images, posts, lessons, collections, what readers have done and the topic
requests they made.
``records`` reads and checks them; ``loader`` writes them, idempotently.
"""

from home.demo.loader import load_demo
from home.demo.records import DemoData, DemoDataError, demo_data

# For tests and tools that sign demo people in; read from people.toml.
_DEMO = demo_data()
DEMO_PASSWORD = _DEMO.password
DEMO_USERS = _DEMO.people

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "DemoData", "DemoDataError", "demo_data", "load_demo"]
