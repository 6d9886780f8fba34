"""Prompt Workbench: build and test prompts against Kimi and any OpenAI-compatible API."""

__version__ = "0.1.0"
