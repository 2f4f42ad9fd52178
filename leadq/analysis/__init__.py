"""Layer 4, the analysis: placeholders bound (`params`), the tree checked into typed
logic (`check`), and the logic normalized into an exact union of boxes (`boxes`,
`normalize`)."""
