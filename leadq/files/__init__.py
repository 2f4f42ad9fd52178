"""Reading and rewriting files of saved filters (text, JSON, TOML, CSV): what the
command line and the language server share (`sources`, `rewrite`)."""
