"""Layer 5, q: the canonical q of a union of boxes (`emit`), plans of several requests
(`plan`), a raw q read back (`decompile`), fingerprints, and the explanation of an
analysis (`explain`)."""
