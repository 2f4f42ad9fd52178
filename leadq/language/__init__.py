"""Layer 2, the language: the syntax tree (`tree`), the parser over tables generated
from grammar/leadq.lark (`parse`, `tables`), and the canonical text of a tree (`format`)."""
