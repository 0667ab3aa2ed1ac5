"""The pages' cached computations, defined once (a function decorated inside a page is decorated anew on every
run, and the decorator hashes its source each time). Plain values in, so that every session shares them.
"""

from __future__ import annotations

import streamlit as st

import training


@st.cache_data(max_entries=256, show_spinner=False)
def train_one(
    dataset: str,
    hidden: tuple,
    activation: str,
    batch_size: int,
    epochs: int,
    val_fraction: float,
    seed: int,
    name: str,
    hypers: tuple,
) -> training.Curves:
    """One optimizer's curves on the network page (small: the shared setup is rebuilt per run, not cached)."""
    result = training.train({name: dict(hypers)}, dataset, hidden, activation, batch_size, epochs, val_fraction, seed)
    return result.curves[name]


@st.cache_data(max_entries=64, show_spinner=False)
def sharpness_one(
    dataset: str,
    hidden: tuple,
    activation: str,
    batch_size: int,
    epochs: int,
    val_fraction: float,
    seed: int,
    name: str,
    hypers: tuple,
):
    """The sharpness of the full training loss over one optimizer's training (training.sharpness)."""
    from training.sharpness import sharpness_curve

    setup = training.prepare(dataset, hidden, activation, batch_size, epochs, val_fraction, seed)
    return sharpness_curve(setup, name, dict(hypers))
