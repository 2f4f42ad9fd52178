"""How hard the property tests try: one hypothesis settings profile for the whole run.

| profile   | chosen by                                   | a plain `@given` | `examples(n)`        |
|-----------|---------------------------------------------|------------------|----------------------|
| `default` | nothing (the README's plain `pytest`)       | 50 inputs        | n / 20, at least 10  |
| `ci`      | `HYPOTHESIS_PROFILE=ci` (`.ci/run` sets it) | 300 inputs       | n                    |
| `soak`    | `HYPOTHESIS_PROFILE=soak`, or `LEADQ_SOAK=1`| 20,000 inputs    | 25 times n           |

The default `pytest` aims at 90 s on 2 cores, so a property test is quick by default
and thorough in CI:

- a plain `@given` test takes the profile's count: write nothing;
- a heavy property (one that wants thousands of inputs in CI) names its CI count through
  `examples`: ``@settings(max_examples=examples(5_000), deadline=None)``;
- a loop over generated inputs sizes itself the same way: ``_corpus(examples(20_000))``.

Never write a bare ``max_examples=5_000``: it runs 5,000 in every profile.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

#: The profile of this run (tests/conftest.py loads it).
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("soak" if os.environ.get("LEADQ_SOAK") else "default")

_SCALE = {"default": 1 / 20, "ci": 1, "soak": 25}
if PROFILE not in _SCALE:
    raise RuntimeError(f"HYPOTHESIS_PROFILE={PROFILE!r}: the profiles are {', '.join(_SCALE)} (tests/profiles.py)")

settings.register_profile("default", max_examples=50, deadline=None)
settings.register_profile(
    "ci", max_examples=300, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("soak", max_examples=20_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def examples(ci: int) -> int:
    """How many inputs a heavy property tries in this profile, given its count in CI."""
    if PROFILE == "default":
        return min(ci, max(10, ci // 20))
    return int(ci * _SCALE[PROFILE])
