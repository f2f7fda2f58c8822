"""Streamlit page of the LLM Approach Advisor: `streamlit run app.py`.

A thin shell: every section lives in `agent/ui/`, every decision in `agent/`.
The chat input is drawn before the rest of the package is imported, so the
page is usable as soon as possible.
"""

from agent.ui.boot import first_paint

prompt = first_paint()

from agent.ui.page import render  # noqa: E402  (imported after the first paint on purpose)

render(prompt)
