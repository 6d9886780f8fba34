"""The conversation: the virtualised card column and its editor."""
