"""Compare: variants of one prompt run side by side."""
