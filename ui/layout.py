"""Page layout shared by the pages: room for wide content on a projector."""

from __future__ import annotations

import streamlit as st

# Streamlit's wide layout keeps ~5.6 rem of padding each side of the main column: at 1280 px with the sidebar
# open that leaves 762 px, too narrow for the Guide's family tree (six generations of boxes with 14 px text).
ROOM_CSS = '[data-testid="stMainBlockContainer"]{padding-left:1.5rem;padding-right:1.5rem;max-width:none}'


def room() -> None:
    """Less padding beside the page's main column (the Explorer's stage does the same in its own style)."""
    st.html(f"<style>{ROOM_CSS}</style>")
