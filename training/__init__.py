"""A small NumPy network and its datasets, trained by the lab's own optimizers (for the network page).

    import training
    result = training.train(["sgd", "adam"], dataset="moons", hidden=(16, 16), epochs=200)

- training.datasets: Iris (shipped with plotly), moons, circles, spirals; seeded, standardised split.
- training.mlp: the MLP, with all weights in one flat vector and the backward pass written out.
- training.train: every optimizer from the same weights over the same batches; curves, summary, CSV frame.

Imports numpy only (plotly lazily, to load Iris; pandas lazily, for tables). Never imports streamlit.
"""

from . import datasets
from .mlp import ACTIVATIONS, MAX_HIDDEN_LAYERS, MAX_WIDTH, MLP, format_hidden, parse_hidden
from .train import (
    CLASSIC,
    EXCLUDED,
    MAX_BATCH_SIZE,
    MAX_EPOCHS,
    MAX_SECONDS,
    NETWORK_DEFAULTS,
    OPTIMIZERS,
    Curves,
    Result,
    Setup,
    check_budget,
    check_optimizers,
    estimated_seconds,
    fit,
    network_defaults,
    prepare,
    train,
    work,
)

__all__ = [
    "ACTIVATIONS",
    "CLASSIC",
    "EXCLUDED",
    "MAX_BATCH_SIZE",
    "MAX_EPOCHS",
    "MAX_HIDDEN_LAYERS",
    "MAX_SECONDS",
    "MAX_WIDTH",
    "MLP",
    "NETWORK_DEFAULTS",
    "OPTIMIZERS",
    "Curves",
    "Result",
    "Setup",
    "check_budget",
    "check_optimizers",
    "datasets",
    "estimated_seconds",
    "fit",
    "format_hidden",
    "network_defaults",
    "parse_hidden",
    "prepare",
    "train",
    "work",
]
