"""The run history panel."""
