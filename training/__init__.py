"""A small NumPy network and its datasets, trained by the lab's own optimizers (for the network page).

Imports numpy only (plotly lazily, to load Iris). Never imports streamlit.
"""
