"""One HTTP client for the tests' own requests to the servers they start on 127.0.0.1.

`httpx.post` makes a client for each request, and each client a TLS context that loads
the CA bundle (about 40 ms). Nothing here speaks TLS, and no connection is kept: each
request opens its own, as `httpx.post` does.
"""

from __future__ import annotations

import httpx

HTTP = httpx.Client(verify=False, limits=httpx.Limits(max_keepalive_connections=0))
