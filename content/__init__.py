"""The lab's teaching content, as plain data (no streamlit), in one place.

- presets:  recommended settings per optimizer and surface, the Explorer's links (`explorer_link`)
- races:    Compare's race presets, each with what its text claims (tests/test_race_presets.py checks them)
- gallery:  the home page's cards (tests/ui/test_gallery.py runs their links)
- guide:    the Guide's sections, demos, common mistakes, theory sections and the state table

Pages read this package; none of it imports streamlit, ui/ or viz/.

Every text a person reads is marked `N_("...")` where it is defined (gettext domain "content"); a page shows
it through `text(...)`, which translates it into the language in use (i18n.lang()) at the call.
"""

from i18n import translator

_gettext = translator("content")[0]


def text(message: str) -> str:
    """A content text (a card's title, a section's paragraph, a race's notice) in the language in use."""
    return _gettext(message)
