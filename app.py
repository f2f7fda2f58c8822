"""Streamlit page: a thin UI over the `agent` package (placeholder until the app lands)."""

import streamlit as st

st.set_page_config(page_title="LLM Approach Advisor", page_icon="🧭")
st.title("LLM Approach Advisor")
st.write("Prompt engineering, RAG, fine-tuning or a hybrid? The interview is coming here.")
