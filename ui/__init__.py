"""Streamlit widgets shared by the pages: query-string state and optimizer hyperparameter controls.

The pages import from here so that every page reads, validates and mirrors its settings the same way.
This is the only package besides views/ and app.py that imports streamlit.
"""
