"""The pages' cached computations, defined once (a function decorated inside a page is decorated anew on every
run, and the decorator hashes its source each time). Plain values in, so that every session shares them.
"""

from __future__ import annotations

import streamlit as st

import optimizers
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
    _hook=None,
) -> training.Curves:
    """One optimizer's curves on the network page (small: the shared setup is rebuilt per run, not cached).

    `_hook` (not part of the cache key): (progress, every) from ui.budget.Progress."""
    setup = training.prepare(dataset, hidden, activation, batch_size, epochs, val_fraction, seed)
    training.check_budget(setup, [name])
    progress, every = _hook or (None, 100)
    opt = optimizers.make(name, **dict(hypers))
    return training.fit(setup, opt, name, optimizers.get(name).title, dict(hypers), progress=progress, every=every)


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
