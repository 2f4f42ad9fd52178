"""Layer 2, the language: the syntax tree (`tree`) and the one way passes walk it
(`walk`), the parser over tables generated from grammar/leadq.lark (`parse`, `tables`),
and the canonical text of a tree (`format`)."""
