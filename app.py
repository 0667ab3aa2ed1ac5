"""Optimizer Lab: home page and navigation only."""

import streamlit as st

st.set_page_config(page_title="Optimizer Lab", page_icon="📉", layout="wide")


def home() -> None:
    st.title("Optimizer Lab")
    st.write(
        "Watch gradient-descent optimizers work, one exact update at a time: pick a loss surface and an "
        "optimizer, step it, and see the numbers inside it (m, v, m̂, v̂, the effective step) "
        "beside its path. "
        "Every update equals torch.optim's."
    )
    st.page_link(EXPLORER, label="Explorer: step one optimizer over a surface", icon="🔍")
    st.page_link(COMPARE, label="Compare: race optimizers, tune them fairly, map their basins", icon="🏁")
    st.page_link(NETWORK, label="Train a network: the same optimizers on a small neural network", icon="🧠")
    st.page_link(GUIDE, label="Guide: every optimizer explained, each one runnable", icon="📖")


HOME = st.Page(home, title="Home", icon="🏠", default=True)
EXPLORER = st.Page("pages/explorer.py", title="Explorer", icon="🔍", url_path="explorer")
COMPARE = st.Page("pages/compare.py", title="Compare", icon="🏁", url_path="compare")
NETWORK = st.Page("pages/network.py", title="Train a network", icon="🧠", url_path="network")
GUIDE = st.Page("pages/guide.py", title="Guide", icon="📖", url_path="guide")

st.navigation([HOME, EXPLORER, COMPARE, NETWORK, GUIDE]).run()
