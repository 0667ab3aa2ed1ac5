"""The lab's teaching content, as plain data (no streamlit), in one place.

- presets:  recommended settings per optimizer and surface, the Explorer's links (`explorer_link`)
- races:    Compare's race presets, each with what its text claims (tests/test_race_presets.py checks them)
- gallery:  the home page's cards (tests/ui/test_gallery.py runs their links)
- guide:    the Guide's sections, demos, common mistakes, theory sections and the state table

Pages read this package; none of it imports streamlit, ui/ or viz/.
"""
