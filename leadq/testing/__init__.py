"""Test helpers for code that runs filters through the LiveTex API (docs/fetch.md).

`FakeLiveTex` is a real HTTP server on 127.0.0.1 that serves a data set of leads, and the
objects of every other list method, as the API does, with faults on demand, and servers
that deviate from what leadq assumes (`DEVIATIONS`, for testing `leadq probe`);
`generate_leads` and `generate_objects` make such data sets, and `served` is an object as
the server sends it. For pytest, add ``pytest_plugins = ["leadq.testing.fixtures"]`` to a
``conftest.py`` and use the ``livetex`` fixture. Needs nothing beyond leadq itself.
"""

from ._data import generate_leads, make_lead
from ._deviations import DEVIATIONS
from ._objects import generate_objects, make_object, served
from ._server import FakeLiveTex, Fault, Seen

__all__ = [
    "DEVIATIONS",
    "FakeLiveTex",
    "Fault",
    "Seen",
    "generate_leads",
    "generate_objects",
    "make_lead",
    "make_object",
    "served",
]
