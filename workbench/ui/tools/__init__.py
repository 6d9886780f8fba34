"""The tool editor: the tools a request offers, as a JSON editor and a form."""
