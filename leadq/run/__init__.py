"""Layer 8, running filters: what a filter means for one lead (`evaluate`), and the
split of a filter into requests and a residual (`pushdown`)."""
