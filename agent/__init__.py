"""LLM Approach Advisor."""
