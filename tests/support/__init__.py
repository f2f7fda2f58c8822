"""Test support code shared across test areas: the OpenAI-compatible stub server,
a scripted fake LLM, and token-counting helpers for the token benchmark."""
