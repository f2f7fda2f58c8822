"""The decision engine's parts: the rules table, scoring, sensitivity and trade-offs.

The public API is :mod:`agent.engine` (``decide``, ``recommend``,
``question_impact``, ``diff_recommendations``); these modules are its pieces.
"""
