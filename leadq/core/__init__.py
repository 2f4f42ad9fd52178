"""Layer 1, the core: places in a text (`span`), diagnostics and the one table of their
messages, "did you mean" (`suggest`), and Moscow time (`datetimes`). It imports nothing
else of leadq."""
