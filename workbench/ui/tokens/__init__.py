"""The token meter: the counted prompt against the context window, and its cost."""
