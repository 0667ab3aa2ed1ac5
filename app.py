"""Optimizer Lab: home page and navigation only."""

import sys

import streamlit as st

from ui import guard, memory

# Every session's script runs in a thread of this one process. With the default 5 ms the threads of a class
# hand the interpreter lock around so often that the switching costs more than it shares: 40 students
# clicking nonstop got 15% more runs per second with 50 ms (README, "Teaching with it"); one user sees no
# difference (benchmarks/load.py).
sys.setswitchinterval(0.05)

# Freed memory goes back to the system every 30 s (one thread per process; ui/memory.py).
memory.start()

st.set_page_config(page_title="Optimizer Lab", page_icon="📉", layout="wide")
guard.install()  # no client clears the shared caches or breaks its session with a value (ui/guard.py)


def home() -> None:
    from ui.gallery import GALLERY

    st.title("Optimizer Lab")
    st.write(
        "Watch gradient-descent optimizers work, one exact update at a time: pick a loss surface and an "
        "optimizer, step it, and see the numbers inside it (m, v, m̂, v̂, the effective step) "
        "beside its path. "
        "Every update equals torch.optim's."
    )
    st.write(
        "For a class on a projector or for one student alone: step an optimizer one update at a time, play "
        "its run, race optimizers against each other, train a small network with them, and read how each one "
        "works, with its update rule written as the lab computes it."
    )
    st.page_link(EXPLORER, label="Explorer: step one optimizer over a surface", icon=":material/explore:")
    st.page_link(COMPARE, label="Compare: race optimizers, tune them fairly, map their basins", icon=":material/flag:")
    st.page_link(NETWORK, label="Train a network: the same optimizers on a small neural network", icon=":material/hub:")
    st.page_link(GUIDE, label="Guide: every optimizer explained, each one runnable", icon=":material/menu_book:")

    st.header("Start with one of these", divider="gray", anchor="gallery")
    st.caption("Each opens the Explorer configured; press ▶ Play under the map, or Step through it.")
    columns = st.columns(3, gap="medium")
    for i, card in enumerate(GALLERY):
        with columns[i % 3].container(border=True):
            st.markdown(f"**{card.title}**")
            st.caption(card.text)
            for link in card.links:
                st.page_link(EXPLORER, label=link.label, icon=":material/play_arrow:", query_params=link.query)


HOME = st.Page(home, title="Home", icon=":material/home:", default=True)
EXPLORER = st.Page("views/explorer.py", title="Explorer", icon=":material/explore:", url_path="explorer")
COMPARE = st.Page("views/compare.py", title="Compare", icon=":material/flag:", url_path="compare")
NETWORK = st.Page("views/network.py", title="Train a network", icon=":material/hub:", url_path="network")
GUIDE = st.Page("views/guide.py", title="Guide", icon=":material/menu_book:", url_path="guide")

st.navigation([HOME, EXPLORER, COMPARE, NETWORK, GUIDE]).run()
