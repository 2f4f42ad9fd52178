"""pytest fixtures: ``pytest_plugins = ["leadq.testing.fixtures"]`` in a conftest.py.

``livetex``: a running `FakeLiveTex` with 250 generated leads and the token
``"test-token"`` (an administrator), stopped after the test. Change ``livetex.leads``,
``livetex.tokens`` or add faults in the test itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._data import generate_leads
from ._server import FakeLiveTex


@pytest.fixture
def livetex() -> Iterator[FakeLiveTex]:
    """A fake LiveTex API on 127.0.0.1, serving 250 generated leads."""
    with FakeLiveTex(generate_leads(250), lifetime=300) as server:
        yield server
