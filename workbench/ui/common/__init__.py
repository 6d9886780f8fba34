"""What every feature shares: dialogs, icons, undo commands, the document, the history worker."""
