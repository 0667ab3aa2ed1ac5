"""The Guide's content as plain data (no streamlit): sections, common mistakes, the state table.

from content.guide import SECTIONS, MISTAKES, state_table
"""

from .mistakes import MISTAKES, Mistake
from .sections import BY_NAME, SECTIONS, Demo, Section, demos
from .tables import state_table

__all__ = ["BY_NAME", "MISTAKES", "SECTIONS", "Demo", "Mistake", "Section", "demos", "state_table"]
