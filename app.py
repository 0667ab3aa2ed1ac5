"""Optimizer Lab: home page and navigation."""

import streamlit as st

st.set_page_config(page_title="Optimizer Lab", page_icon="📉", layout="wide")

st.title("Optimizer Lab")
st.write(
    "Watch gradient-descent optimizers work, one exact update at a time: pick a loss surface and an "
    "optimizer, step it, and see the numbers inside it."
)
