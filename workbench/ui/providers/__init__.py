"""Providers: the connection dialog, its keys and its model lists."""
