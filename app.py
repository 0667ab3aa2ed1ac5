"""Optimizer Lab: navigation only (each page is a file under views/)."""

import sys

import streamlit as st

from i18n import translator
from ui import guard, memory, navigation
from ui import i18n as lang_ui

_, ngettext = translator("app")

# Every session's script runs in a thread of this one process. With the default 5 ms the threads of a class
# hand the interpreter lock around so often that the switching costs more than it shares: 40 students
# clicking nonstop got 15% more runs per second with 50 ms (README, "Teaching with it"); one user sees no
# difference (benchmarks/load.py).
sys.setswitchinterval(0.05)

# Freed memory goes back to the system every 30 s (one thread per process; ui/memory.py).
memory.start()

# The session's language (the switch, the link's `lang`, the browser's): every text below and in the pages is in it.
lang_ui.setup()
st.set_page_config(page_title=_("Optimizer Lab"), page_icon="📉", layout="wide")
guard.install()  # no client clears the shared caches or breaks its session with a value (ui/guard.py)
lang_ui.switch()

st.navigation(navigation.pages()).run()  # Home, Explorer, Compare, Train a network, Guide (ui/navigation.py)
