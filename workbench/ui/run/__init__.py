"""Running the conversation: Send, Stop, Regenerate, the parameters and tool-call Continue."""
