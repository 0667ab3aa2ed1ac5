"""Placeholder until the network page lands."""

import streamlit as st

st.info("This page is being built.")
