"""Shared by every test module.

Speed: the default `pytest` finishes in 90 s on 2 cores; CI (`.ci/run`) runs the property
tests in full. How a new property test stays quick by default: tests/profiles.py (in
short, a heavy property writes ``@settings(max_examples=examples(5_000), deadline=None)``
with `from profiles import examples`, never a bare count).

Isolation: every test passes alone, in any order, and on either xdist worker; nothing
skips but what the summary names (`-ra`): Spark without pyspark, and the browser tests
without Chromium, Playwright or the playground's npm packages (docs/decisions.md).
"""

from hypothesis import settings
from profiles import PROFILE

settings.load_profile(PROFILE)

# the `livetex` fixture that leadq ships for its users' tests (docs/fetch.md)
pytest_plugins = ["leadq.testing.fixtures"]
