"""Plotly figure builders. Never imports streamlit."""
