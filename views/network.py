"""Train a network: the lab's optimizers train one small NumPy MLP on Iris, moons, circles or spirals.

Read the widgets -> training.train one optimizer at a time (cached on plain values) -> viz.network figures.
Every optimizer starts from the same weights and sees the same batches (training.prepare draws both from the
seed). Settings live in session state and the URL (ui.state), so the address reproduces the run.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

import streamlit as st

import budget
import optimizers
import training
from training import datasets
from ui import budget as budget_ui
from ui import state
from ui.controls import frozen, hyper_inputs, hyper_params
from ui.state import Adjusted, Param, parse_choice, parse_float, parse_int
from viz.network import curves_figure, regions_figure

PAGE = "network"
MAX_SEED = 999_999  # shown whole by the number input's "%g"


def key(name: str) -> str:
    return f"{PAGE}:{name}"


def prefix(opt: str) -> str:
    return f"{opt}_"


def _parse_hidden(text: str) -> str:
    return training.format_hidden(training.parse_hidden(text))


def _parse_opts(text: str) -> list[str]:
    names = [n for n in (p.strip() for p in text.split(",")) if n]
    for n in names:
        if n in training.EXCLUDED:
            raise ValueError(f"{n} cannot train the network (see the note under the optimizers)")
        if n not in training.OPTIMIZERS:
            raise ValueError(f"unknown optimizer {n!r}; choose from {', '.join(training.OPTIMIZERS)}")
    if not names:
        raise ValueError("choose at least one optimizer")
    return list(dict.fromkeys(names))


def _parse_count(low: int, high: int):
    """A whole number for a float-typed number input (an int-typed one cannot even hold what it is sent)."""
    parse = parse_int(low, high)
    return lambda text: float(parse(text))


def _fmt_count(value) -> str:
    x = float(value)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def _parse_val(text: str) -> float:
    """The validation fraction, on the slider's steps of 0.05 (another value is rounded to one, with a notice)."""
    x = parse_float(datasets.MIN_VAL_FRACTION, datasets.MAX_VAL_FRACTION)(text)
    on_step = round(round(x / 0.05) * 0.05, 2)
    if abs(on_step - x) > 1e-9:
        raise Adjusted(on_step, "the slider's steps are 0.05")
    return on_step


BASE = [
    Param("dataset", "iris", parse_choice(datasets.NAMES)),
    Param("hidden", "16", _parse_hidden),
    Param("act", "relu", parse_choice(training.ACTIVATIONS)),
    Param("batch", 16.0, _parse_count(1, training.MAX_BATCH_SIZE), _fmt_count),
    Param("epochs", 200.0, _parse_count(1, training.MAX_EPOCHS), _fmt_count),
    Param("val", 0.3, _parse_val, lambda v: f"{float(v):g}"),
    Param("seed", 0.0, _parse_count(0, MAX_SEED), _fmt_count),
    Param("opts", list(training.CLASSIC), _parse_opts, ",".join),
]
HYPERS = {o: hyper_params(o, prefix(o), overrides=training.network_defaults(o)) for o in training.OPTIMIZERS}


# -- cached training (plain values in; one optimizer's curves out, small: the setup is rebuilt per run) ------
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
    """One optimizer's training; `_hook` (not part of the key): (progress, every) from ui.budget.Progress."""
    setup = training.prepare(dataset, hidden, activation, batch_size, epochs, val_fraction, seed)
    training.check_budget(setup, [name])
    progress, every = _hook or (None, 100)
    opt = optimizers.make(name, **dict(hypers))
    return training.fit(setup, opt, name, optimizers.get(name).title, dict(hypers), progress=progress, every=every)


def _share_url() -> str | None:
    """The page's address with the current settings (st.context.url holds the address the page was opened at)."""
    try:
        url = st.context.url
    except Exception:  # noqa: BLE001 - no browser context (e.g. under AppTest)
        return None
    if not url:
        return None
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=urlencode(dict(st.query_params.to_dict()))))


# Labels for the selects; anything else is shown as it is (AppTest hands the labels back as values).
def _dataset_title(name: str) -> str:
    return datasets.TITLES.get(name, name)


def _opt_title(name: str) -> str:
    return optimizers.get(name).title if name in optimizers.CLASSES else name


def _int_setting(value, name: str, low: int, high: int, errors: dict[str, str]) -> int | None:
    try:
        x = int(value)
        if x != value or not low <= x <= high:
            raise ValueError
        return x
    except (TypeError, ValueError, OverflowError):
        errors[name] = f"{name} must be a whole number in [{low}, {high}]"
        return None


# -- the page ----------------------------------------------------------------------------------------------
st.title("Train a network", anchor=False)
st.caption(
    "The same optimizer objects as on the other pages train one small neural network (a multilayer perceptron "
    "written in NumPy). Every optimizer starts from the same initial weights and sees the same mini-batches in "
    "the same order, so the curves differ only by the optimizer. Every setting is in the page's address: copy it "
    "to share this run."
)

notices = state.restore(PAGE, BASE + [p for ps in HYPERS.values() for p in ps])
for n in notices:
    st.warning(n, icon="⚠️")
if not isinstance(st.session_state.get(key("opts")), list):
    st.session_state[key("opts")] = list(training.CLASSIC)

errors: dict[str, str] = {}

# data and network
row1 = st.columns([1.6, 1.1, 1, 1])
dataset = row1[0].selectbox("Dataset", datasets.NAMES, key=key("dataset"), format_func=_dataset_title)
hidden_text = row1[1].text_input(
    "Hidden layers",
    key=key("hidden"),
    help=f"Widths of the hidden layers, separated by commas, e.g. `16` or `32, 16`: up to "
    f"{training.MAX_HIDDEN_LAYERS} layers of 1 to {training.MAX_WIDTH} units. `none` trains softmax regression "
    "(no hidden layer).",
)
try:
    hidden = training.parse_hidden(hidden_text)
except ValueError as exc:
    hidden = None
    errors["hidden"] = str(exc)
    row1[1].error(f"{exc}.", icon="⚠️")
activation = row1[2].radio(
    "Activation",
    training.ACTIVATIONS,
    key=key("act"),
    horizontal=True,
    format_func=lambda a: {"relu": "ReLU"}.get(a, a),
    help="ReLU: max(0, z). tanh: the hyperbolic tangent. The output layer is always a softmax.",
)
seed_in = row1[3].number_input(
    "Seed",
    min_value=0.0,
    max_value=float(MAX_SEED),
    step=1.0,
    format="%g",
    key=key("seed"),
    help="Draws the generated data, the train/validation split, the initial weights and the batch order.",
)
seed = _int_setting(seed_in, "seed", 0, MAX_SEED, errors)
if seed is None:
    row1[3].error(f"{errors['seed']}.", icon="⚠️")

row2 = st.columns([1, 1, 1.5, 0.6])
batch_in = row2[0].number_input(
    "Batch size",
    min_value=1.0,
    max_value=float(training.MAX_BATCH_SIZE),
    step=1.0,
    format="%g",
    key=key("batch"),
    help="Examples per update. The whole training set (or more) is full-batch gradient descent, 1 is "
    "stochastic gradient descent, anything in between is mini-batch.",
)
batch_size = _int_setting(batch_in, "batch_size", 1, training.MAX_BATCH_SIZE, errors)
epochs_in = row2[1].number_input(
    "Epochs",
    min_value=1.0,
    max_value=float(training.MAX_EPOCHS),
    step=50.0,
    format="%g",
    key=key("epochs"),
    help="Passes over the training set. Losses and accuracies are measured after each one.",
)
epochs = _int_setting(epochs_in, "epochs", 1, training.MAX_EPOCHS, errors)
val_fraction = row2[2].slider(
    "Validation fraction",
    min_value=datasets.MIN_VAL_FRACTION,
    max_value=datasets.MAX_VAL_FRACTION,
    step=0.05,
    key=key("val"),
    help="The share of each class held out for validation (never trained on; the features are standardised "
    "with the training part's mean and standard deviation).",
)
budget_box = row2[0].empty()
for name, box in (("batch_size", row2[0]), ("epochs", row2[1])):
    if name in errors:
        box.error(f"{errors[name]}.", icon="⚠️")

# optimizers and their hyperparameters
opts = st.multiselect(
    "Optimizers to compare",
    training.OPTIMIZERS,
    key=key("opts"),
    format_func=_opt_title,
    help="Each one trains its own copy of the network from the same initial weights.",
)
with st.expander("Why is Newton not offered here?"):
    st.write(training.EXCLUDED["newton"])
racers: list[tuple[str, dict]] = []
if opts:
    with st.expander("Hyperparameters (defaults chosen for this task)", expanded=False):
        tabs = st.tabs([optimizers.get(o).title for o in opts])
        for tab, opt in zip(tabs, opts, strict=True):
            values, hyper_errors = hyper_inputs(opt, PAGE, prefix(opt), container=tab)
            if hyper_errors:
                errors[f"{opt} hyperparameters"] = "; ".join(hyper_errors.values())
            racers.append((opt, values))

state.mirror(PAGE, BASE + [p for o in opts for p in HYPERS[o]])

if not opts:
    st.info("Choose at least one optimizer to train the network.")
    st.stop()

settings_ok = hidden is not None and None not in (seed, batch_size, epochs)
if settings_ok:
    try:
        setup = training.prepare(dataset, hidden, activation, batch_size, epochs, val_fraction, seed)
    except ValueError as exc:
        budget_box.error(f"{exc}.", icon="⚠️")
        settings_ok = False
if settings_ok:
    net_v = budget.verdict(training.work(setup, opts))
    most = int(epochs * budget.LIMIT // net_v.work)  # the work grows with the epochs in proportion
    fewer = f"at most {most} epochs" if most >= 1 else "fewer epochs"
    advice = f"use {fewer}, a larger batch size, a smaller network or fewer optimizers"
    settings_ok = budget_ui.allow(net_v, budget_box, f"training {len(opts)} networks", advice)
if not settings_ok:
    st.info("Fix the settings marked above to train the network.")
    st.stop()

# -- training ----------------------------------------------------------------------------------------------
curves = {}
with budget_ui.Progress(net_v, "Training…") as work:
    for name, hp in racers:
        hook = work.hook(training.work(setup, [name]) / (epochs * setup.batches_per_epoch))
        args = (dataset, hidden, activation, batch_size, epochs, val_fraction, seed, name, frozen(hp))
        curves[name] = train_one(*args, _hook=hook)
result = training.Result(setup, curves)  # the same setup (split, weights, batches) every optimizer trained on

data = result.setup.split.dataset
st.caption(
    f"{data.title}: {result.setup.n_train} training and {len(result.setup.split.y_val)} validation examples. "
    f"Network {data.n_features} → {' → '.join(map(str, hidden)) + ' → ' if hidden else ''}{data.n_classes} "
    f"({result.setup.model.n_params} weights, {activation} hidden units, softmax output); "
    f"{result.setup.batches_per_epoch} updates per epoch with batches of {result.setup.batch_size}."
)

st.subheader("Loss and accuracy")
st.plotly_chart(curves_figure(result), key=key("curves"), theme=None, config={"displaylogo": False})
st.caption(
    "Solid: the training set; dashed: the validation set, both measured after every epoch (epoch 0 is the "
    "shared starting point). Click a name in the legend to hide or show that optimizer on both charts. "
    "A training loss that keeps falling while the validation loss rises is overfitting."
)

st.subheader("Results")
table = result.summary()
st.dataframe(
    table,
    hide_index=True,
    column_config={
        "Final val. accuracy": st.column_config.NumberColumn(
            "Final val. acc.", format="percent", help="Validation accuracy after the last epoch."
        ),
        "Best val. accuracy": st.column_config.NumberColumn(
            "Best val. acc.", format="percent", help="The highest validation accuracy over the epochs."
        ),
        "Epoch of best": st.column_config.NumberColumn("Best at epoch", help="The first epoch with the best."),
        "Final train loss": st.column_config.NumberColumn("Train loss", format="%.4f", help="After the last epoch."),
        "Final val. loss": st.column_config.NumberColumn("Val. loss", format="%.4f", help="After the last epoch."),
        "Wall time (s)": st.column_config.NumberColumn(
            "Time (s)", format="%.3f", help="Wall time of this optimizer's training loop on the server."
        ),
        "Diverged at epoch": st.column_config.NumberColumn(
            "Diverged (epoch)", help="The epoch in which the loss stopped being finite; empty if it never did."
        ),
    },
)
diverged = [c.title for c in result.curves.values() if c.diverged]
if diverged:
    st.warning(
        f"{', '.join(diverged)} diverged: the loss became infinite or undefined, so training stopped there. "
        "Try a smaller learning rate.",
        icon="💥",
    )

regions = regions_figure(result)
if regions is not None:
    st.subheader("Decision regions")
    st.plotly_chart(regions, key=key("regions"), theme=None, config={"displaylogo": False})
    st.caption(
        "Each panel colours the plane by the class its trained network predicts, with the data on top: "
        "circles are training points, diamonds validation points, in their true class's colour."
    )
else:
    st.caption("Decision regions are drawn for the two-dimensional datasets (moons, circles, spirals).")

st.subheader("Share and download")
share = _share_url()
if share:
    st.code(share, language=None)
st.download_button(
    "Curves (CSV)",
    result.to_frame().to_csv(index=False),
    f"network_{dataset}_seed{seed}.csv",
    "text/csv",
    help="One row per optimizer and epoch: training and validation loss and accuracy.",
)
