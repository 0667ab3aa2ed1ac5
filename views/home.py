"""Home: what the lab is, a link to each page, and a gallery of configured Explorer runs to start from.

The gallery's cards are data (content.gallery.GALLERY); each link opens the Explorer with the card's settings.
"""

from __future__ import annotations

import streamlit as st

import i18n
from content import text
from content.gallery import GALLERY
from ui.page import Page

_, _ngettext = i18n.translator("app")

PAGE = Page("home")
# The pages as registered with st.navigation in app.py
EXPLORER, COMPARE, NETWORK, GUIDE = "views/explorer.py", "views/compare.py", "views/network.py", "views/guide.py"


def intro() -> None:
    st.title(_("Optimizer Lab"), anchor=False)
    st.write(
        _(
            "Watch gradient-descent optimizers work, one exact update at a time: pick a loss surface and an "
            "optimizer, step it, and see the numbers inside it (m, v, m̂, v̂, the effective step) "
            "beside its path. "
            "Every update equals torch.optim's."
        )
    )
    st.write(
        _(
            "For a class on a projector or for one student alone: step an optimizer one update at a time, play "
            "its run, race optimizers against each other, train a small network with them, and read how each one "
            "works, with its update rule written as the lab computes it."
        )
    )


def pages() -> None:
    st.page_link(EXPLORER, label=_("Explorer: step one optimizer over a surface"), icon=":material/explore:")
    st.page_link(
        COMPARE, label=_("Compare: race optimizers, tune them fairly, map their basins"), icon=":material/flag:"
    )
    st.page_link(
        NETWORK, label=_("Train a network: the same optimizers on a small neural network"), icon=":material/hub:"
    )
    st.page_link(GUIDE, label=_("Guide: every optimizer explained, each one runnable"), icon=":material/menu_book:")


def gallery() -> None:
    st.header(_("Start with one of these"), divider="gray", anchor="gallery")
    st.caption(_("Each opens the Explorer configured; press ▶ Play under the map, or Step through it."))
    columns = st.columns(3, gap="medium")
    for i, card in enumerate(GALLERY):
        with columns[i % 3].container(border=True):
            st.markdown(f"**{text(card.title)}**")
            st.caption(text(card.text))
            for link in card.links:
                st.page_link(EXPLORER, label=text(link.label), icon=":material/play_arrow:", query_params=link.query)


def main() -> None:
    intro()
    pages()
    gallery()


if __name__ == "__main__":  # Streamlit runs a page as __main__; tests may import it for PAGE
    PAGE.run(main, _("the home page"))
