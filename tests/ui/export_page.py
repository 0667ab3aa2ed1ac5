"""A tiny page for AppTest: the Explorer's export controls for one run (as the Explorer will call them)."""

import streamlit as st

import optimizers
import surfaces
from content import presets
from ui.export import export_controls

surface = surfaces.get(st.session_state.get("surface", "bowl"))
opt = st.session_state.get("opt", "adam")
hp = presets.recommended(opt, surface.name) | st.session_state.get("hp", {})
steps = int(st.session_state.get("steps", 30))
traj = optimizers.run(optimizers.make(opt, **hp), surface, surface.default_start, steps)
link = presets.explorer_link(surface.name, opt, tuple(surface.default_start), steps, **hp)
if st.session_state.get("theory"):  # the Explorer's Theory switch, as its link carries it
    link += "&theory=true"
export_controls(traj, surface, link, st.container(), t=st.session_state.get("t", 5))
