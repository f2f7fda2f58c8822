"""Streamlit page of the LLM Approach Advisor: `streamlit run app.py`.

A thin shell: every section lives in `agent/ui/`, every decision in `agent/`.
"""

from agent.ui.page import render

render()
