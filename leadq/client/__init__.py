"""Running filters through the LiveTex API: `Client`, `AsyncClient` (extra ``[client]``).

`Client` and `AsyncClient` need httpx (the ``client`` extra: docs/fetch.md); `ApiError` and
`Stats` do not. `Client.list` (and `Client.leads`) returns `Results` (also named `Leads`),
`AsyncClient`'s `AsyncResults` (`AsyncLeads`): the objects, and what the run tells (`stats`,
`cutoff`, `diagnostics`). See docs/fetch.md.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._async import AsyncClient, AsyncLeads, AsyncResults
    from ._errors import ApiError
    from ._run import Stats
    from ._sync import Client, Leads, Results

_LAZY = {
    "Client": "_sync",
    "Leads": "_sync",
    "AsyncClient": "_async",
    "AsyncLeads": "_async",
    "AsyncResults": "_async",
    "Results": "_sync",
    "ApiError": "_errors",
    "Stats": "_run",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'leadq.client' has no attribute {name!r}")
    import importlib

    try:
        value = getattr(importlib.import_module(f".{module}", __name__), name)
    except ModuleNotFoundError as e:
        if e.name != "httpx":
            raise
        from ..core.extras import install_hint

        raise ModuleNotFoundError(f"leadq.{name} needs httpx: {install_hint('client')}", name="httpx") from None
    globals()[name] = value
    return value


__all__ = ["ApiError", "AsyncClient", "AsyncLeads", "AsyncResults", "Client", "Leads", "Results", "Stats"]
