"""The Streamlit page, split into small sections.

`app.py` calls :func:`agent.ui.page.render`. Every section only draws what the
:class:`agent.service.Advisor` returns and hands user actions back to it; no
decision logic lives here.
"""
