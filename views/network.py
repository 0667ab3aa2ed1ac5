"""Train a network: the lab's optimizers train one small NumPy MLP on Iris, moons, circles or spirals.

Read the widgets -> training.train one optimizer at a time (cached on plain values) -> viz.network figures.
Every optimizer starts from the same weights and sees the same batches (training.prepare draws both from the
seed). Settings live in session state and the URL (ui.state), so the address reproduces the run.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

import pandas as pd
import streamlit as st

import budget
import i18n
import optimizers
import training
from i18n import translator
from training import datasets
from ui import budget as budget_ui
from ui import regimen_controls
from ui.caches import sharpness_one, train_one
from ui.controls import frozen, hyper_inputs, hyper_params
from ui.controls import racer_prefix as prefix
from ui.i18n import core
from ui.page import Page
from ui.state import Adjusted, Param, parse_choice, parse_float, parse_int
from viz.compare import color
from viz.network import curves_figure, regions_figure
from viz.theory import EdgeSeries, edge_of_stability_figure

_, ngettext = translator("app")

PAGE = Page("network")
MAX_SEED = 999_999  # shown whole by the number input's "%g"


def _parse_hidden(text: str) -> str:
    return training.format_hidden(training.parse_hidden(text))


def _parse_opts(text: str) -> list[str]:
    names = [n for n in (p.strip() for p in text.split(",")) if n]
    for n in names:
        if n in training.EXCLUDED:
            raise ValueError(_("{name} cannot train the network (see the note under the optimizers)").format(name=n))
        if n not in training.OPTIMIZERS:
            raise ValueError(
                _("unknown optimizer {name}; choose from {names}").format(
                    name=repr(n), names=", ".join(training.OPTIMIZERS)
                )
            )
    if not names:
        raise ValueError(_("choose at least one optimizer"))
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
        raise Adjusted(on_step, _("the slider's steps are 0.05"))
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
    return core(datasets.TITLES[name]) if name in datasets.TITLES else name


def _opt_title(name: str) -> str:
    return optimizers.get(name).title if name in optimizers.CLASSES else name


def _epoch_text(epoch) -> str:
    return _("never") if epoch is None or epoch is pd.NA else str(int(epoch))


def _int_setting(value, name: str, low: int, high: int, errors: dict[str, str]) -> int | None:
    try:
        x = int(value)
        if x != value or not low <= x <= high:
            raise ValueError
        return x
    except (TypeError, ValueError, OverflowError):
        errors[name] = _("{name} must be a whole number in [{low}, {high}]").format(name=name, low=low, high=high)
        return None


# -- the page: settings, then training, then what it shows --------------------------------------------------
def intro() -> None:
    st.title(_("Train a network"), anchor=False)
    st.caption(
        _(
            "The same optimizer objects as on the other pages train one small neural network (a multilayer "
            "perceptron written in NumPy). Every optimizer starts from the same initial weights and sees the same "
            "mini-batches in the same order, so the curves differ only by the optimizer. Every setting is in the "
            "page's address: copy it to share this run."
        )
    )


def _count_input(box, label: str, name: str, low: int, high: int, step: float, help: str, errors: dict) -> int | None:  # noqa: A002
    """A whole-number box without a browser-side limit, so that a value past the limit reaches the page and is
    reported beside the box (a browser-side limit turns the box red and keeps the old value without a word)."""
    raw = box.number_input(label, step=step, format="%g", key=PAGE.key(name), help=help)
    value = _int_setting(raw, label, low, high, errors)
    if value is None:
        box.error(_("{error}; the box holds {value}.").format(error=errors[label], value=_fmt_count(raw)), icon="⚠️")
    return value


def settings(errors: dict[str, str]) -> dict:
    """The data, network and training settings; bad values are reported beside their boxes."""
    row1 = st.columns([1.6, 1.1, 1, 1])
    dataset = row1[0].selectbox(_("Dataset"), datasets.NAMES, key=PAGE.key("dataset"), format_func=_dataset_title)
    hidden_text = row1[1].text_input(
        _("Hidden layers"),
        key=PAGE.key("hidden"),
        help=_(
            "Widths of the hidden layers, separated by commas, e.g. `16` or `32, 16`: up to {layers} layers of 1 "
            "to {width} units. `none` trains softmax regression (no hidden layer)."
        ).format(layers=training.MAX_HIDDEN_LAYERS, width=training.MAX_WIDTH),
    )
    try:
        hidden = training.parse_hidden(hidden_text)
    except ValueError as exc:
        hidden = None
        errors["hidden"] = str(exc)
        row1[1].error(f"{exc}.", icon="⚠️")
    activation = row1[2].radio(
        _("Activation"),
        training.ACTIVATIONS,
        key=PAGE.key("act"),
        horizontal=True,
        format_func=lambda a: {"relu": "ReLU"}.get(a, a),
        help=_("ReLU: max(0, z). tanh: the hyperbolic tangent. The output layer is always a softmax."),
    )
    seed = _count_input(
        row1[3],
        _("Seed"),
        "seed",
        0,
        MAX_SEED,
        1.0,
        _("Draws the generated data, the train/validation split, the initial weights and the batch order."),
        errors,
    )
    row2 = st.columns([1, 1, 1.5, 0.6])
    batch_size = _count_input(
        row2[0],
        _("Batch size"),
        "batch",
        1,
        training.MAX_BATCH_SIZE,
        1.0,
        _(
            "Examples per update. The whole training set (or more) is full-batch gradient descent, 1 is "
            "stochastic gradient descent, anything in between is mini-batch."
        ),
        errors,
    )
    epochs = _count_input(
        row2[1],
        _("Epochs"),
        "epochs",
        1,
        training.MAX_EPOCHS,
        50.0,
        _("Passes over the training set. Losses and accuracies are measured after each one (1 to {n}).").format(
            n=training.MAX_EPOCHS
        ),
        errors,
    )
    val_fraction = row2[2].slider(
        _("Validation fraction"),
        min_value=datasets.MIN_VAL_FRACTION,
        max_value=datasets.MAX_VAL_FRACTION,
        step=0.05,
        key=PAGE.key("val"),
        help=_(
            "The share of each class held out for validation (never trained on; the features are standardised "
            "with the training part's mean and standard deviation)."
        ),
    )
    return dict(
        dataset=dataset,
        hidden=hidden,
        activation=activation,
        batch_size=batch_size,
        epochs=epochs,
        val_fraction=val_fraction,
        seed=seed,
    )


def racers(errors: dict[str, str]) -> list[tuple[str, dict]]:
    """The optimizers to train and their hyperparameters (a tab each)."""
    opts = st.multiselect(
        _("Optimizers to compare"),
        training.OPTIMIZERS,
        key=PAGE.key("opts"),
        format_func=_opt_title,
        help=_("Each one trains its own copy of the network from the same initial weights."),
    )
    with st.expander(_("Why is Newton not offered here?")):
        st.write(core(training.EXCLUDED["newton"]))
    chosen: list[tuple[str, dict]] = []
    if opts:
        with st.expander(_("Hyperparameters (defaults chosen for this task)"), expanded=False):
            tabs = st.tabs([optimizers.get(o).title for o in opts])
            for tab, opt in zip(tabs, opts, strict=True):
                values, hyper_errors = hyper_inputs(opt, PAGE.name, prefix(opt), container=tab)
                if hyper_errors:
                    errors[_("{name} hyperparameters").format(name=opt)] = i18n.join(
                        hyper_errors.values(), clauses=True
                    )
                chosen.append((opt, values))
    return chosen


def prepare(config: dict, names: list[str], regimen: bool = False) -> tuple[training.Setup, budget.Verdict] | None:
    """The shared setup (split, initial weights, batches) and its work's verdict, or None with a message when it
    cannot train (bad settings, or more work than one run may do: the refusal says what to reduce)."""
    if config["hidden"] is None or None in (config["seed"], config["batch_size"], config["epochs"]):
        st.info(_("Fix the settings marked above to train the network."))
        return None
    try:
        setup = training.prepare(
            config["dataset"],
            config["hidden"],
            config["activation"],
            config["batch_size"],
            config["epochs"],
            config["val_fraction"],
            config["seed"],
        )
    except ValueError as exc:
        st.error(f"{exc}.", icon="⚠️")
        st.info(_("Fix the settings marked above to train the network."))
        return None
    verdict = budget.verdict(training.work(setup, names, regimen))
    most = int(config["epochs"] * budget.LIMIT // verdict.work)  # the work grows with the epochs in proportion
    fewer = ngettext("at most {n} epoch", "at most {n} epochs", most).format(n=most) if most >= 1 else _("fewer epochs")
    advice = _("use {fewer}, a larger batch size, a smaller network or fewer optimizers").format(fewer=fewer)
    what = ngettext("training {n} network", "training {n} networks", len(names)).format(n=len(names))
    if not budget_ui.allow(verdict, st.container(), what, advice):
        st.info(_("Fix the settings marked above to train the network."))
        return None
    return setup, verdict


def _cache_args(config: dict, name: str, hp: dict) -> tuple:
    """The plain values one optimizer's cached training (and sharpness) is keyed on, in their order."""
    keys = ("dataset", "hidden", "activation", "batch_size", "epochs", "val_fraction", "seed")
    return (*(config[k] for k in keys), name, frozen(hp))


def train(
    config: dict, setup: training.Setup, verdict: budget.Verdict, chosen: list[tuple[str, dict]]
) -> training.Result:
    """Each optimizer's training (cached), with a progress bar near the budget; a closed tab stops it."""
    curves = {}
    per_update = config["epochs"] * setup.batches_per_epoch
    with budget_ui.Progress(verdict, _("Training…")) as work:
        for name, hp in chosen:
            hook = work.hook(training.work(setup, [name]) / per_update)
            curves[name] = train_one(*_cache_args(config, name, hp), _hook=hook)
    return training.Result(setup, curves)  # the same setup (split, weights, batches) every optimizer trained on


def describe(result: training.Result, config: dict) -> None:
    setup, hidden = result.setup, config["hidden"]
    data = setup.split.dataset
    shape = f"{data.n_features} → {' → '.join(map(str, hidden)) + ' → ' if hidden else ''}{data.n_classes}"
    st.caption(
        _(
            "{dataset}: {train} training and {val} validation examples. Network {shape} ({weights} weights, "
            "{activation} hidden units, softmax output); {updates} updates per epoch with batches of {batch}."
        ).format(
            dataset=core(data.title),
            train=setup.n_train,
            val=len(setup.split.y_val),
            shape=shape,
            weights=setup.model.n_params,
            activation=config["activation"],
            updates=setup.batches_per_epoch,
            batch=setup.batch_size,
        )
    )


def curves(result: training.Result) -> None:
    st.subheader(_("Loss and accuracy"), anchor=False)
    st.plotly_chart(curves_figure(result), key=PAGE.key("curves"), theme=None, config={"displaylogo": False})
    st.caption(
        _(
            "Solid: the training set; dashed: the validation set, both measured after every epoch (epoch 0 is the "
            "shared starting point). Click a name in the legend to hide or show that optimizer on both charts. "
            "A training loss that keeps falling while the validation loss rises is overfitting."
        )
    )


def edge_of_stability(config: dict, chosen: list[tuple[str, dict]], regimen: bool = False) -> None:
    """Behind a toggle (it retrains every network): each optimizer's sharpness against its stability limit.
    `regimen`: the page's training runs under one; these runs do not (their limits assume a constant γ)."""
    show = st.toggle(
        _("Sharpness against the stability limit (edge of stability)"),
        key=PAGE.key("eos"),
        help=_(
            "Measures λmax, the largest eigenvalue of the Hessian of the training loss, at 40 epochs of each "
            "run, by power iteration with Hessian-vector products (finite differences of the exact gradient). It "
            "trains each network again, so it takes a few seconds."
        ),
    )
    if not show:
        return
    sharp = {}
    bar = st.progress(0.0, text=_("Measuring the sharpness…"))
    for i, (name, hp) in enumerate(chosen):
        bar.progress(
            i / len(chosen), text=_("Measuring the sharpness for {name}…").format(name=optimizers.get(name).title)
        )
        sharp[name] = sharpness_one(*_cache_args(config, name, hp), i18n.lang())
    bar.empty()
    plain = [s for s in sharp.values() if not s.limit.preconditioned]
    adaptive = [s for s in sharp.values() if s.limit.preconditioned]
    titles = ((plain, _("sharpness λmax(H)")), (adaptive, _("preconditioned sharpness λmax(P⁻¹H)")))
    for group, y_title in titles:
        if not group:
            continue
        series = [EdgeSeries(s.title, s.epochs, s.values, s.limit.value, s.limit.label, color(s.name)) for s in group]
        fig = edge_of_stability_figure(series, x_title=_("epoch"), y_title=y_title, log_y=True)
        st.plotly_chart(fig, key=PAGE.key(f"eos-{'pre' if group is adaptive else 'plain'}"), theme=None)
    st.caption(
        _(
            "Solid: λmax of the Hessian of the loss over the whole training set, measured after the epochs shown "
            "(for adaptive optimizers, of P⁻¹H, P the optimizer's per-coordinate divisor: what their step "
            "actually sees). Dashed: the optimizer's stability limit on a quadratic (2/γ for gradient descent, "
            "(2 + 2μ)/γ with momentum, (2 + 2β₁)/(γ(1 − β₁)) for Adam). The limits are for full-batch training: "
            "with mini-batches the sharpness usually stays below them. Set the batch size to the training set's "
            "size (or more) and give SGD a large γ (2 on Iris) to watch it settle at 2/γ."
        )
    )
    if regimen:
        st.caption(
            "These runs train without the schedule, weight decay and clipping chosen above: the stability limits "
            "are for a constant γ."
        )
    missing = [f"{optimizers.get(n).title}: {sharp[n].limit.note}" for n in sharp if sharp[n].limit.value is None]
    if missing:
        st.caption(_("No limit line for {optimizers}").format(optimizers=i18n.join(missing, clauses=True)))


def results(result: training.Result) -> None:
    st.subheader(_("Results"), anchor=False)
    table = result.summary()
    table["Diverged at epoch"] = [_epoch_text(e) for e in table["Diverged at epoch"]]
    st.dataframe(
        table,
        placeholder="—",  # a missing value (Streamlit writes "None" in every language)
        hide_index=True,
        column_config={
            "Optimizer": st.column_config.TextColumn(_("Optimizer")),
            "Final val. accuracy": st.column_config.NumberColumn(
                _("Final val. acc."), format="percent", help=_("Validation accuracy after the last epoch.")
            ),
            "Best val. accuracy": st.column_config.NumberColumn(
                _("Best val. acc."), format="percent", help=_("The highest validation accuracy over the epochs.")
            ),
            "Epoch of best": st.column_config.NumberColumn(
                _("Best at epoch"), help=_("The first epoch with the best.")
            ),
            "Final train loss": st.column_config.NumberColumn(
                _("Train loss"), format="%.4f", help=_("After the last epoch.")
            ),
            "Final val. loss": st.column_config.NumberColumn(
                _("Val. loss"), format="%.4f", help=_("After the last epoch.")
            ),
            "Wall time (s)": st.column_config.NumberColumn(
                _("Time (s)"), format="%.3f", help=_("Wall time of this optimizer's training loop on the server.")
            ),
            "Diverged at epoch": st.column_config.TextColumn(
                _("Diverged (epoch)"),
                help=_("The epoch in which the loss stopped being finite; “never” if it did not."),
            ),
        },
    )
    diverged = [c.title for c in result.curves.values() if c.diverged]
    if diverged:
        st.warning(
            _(
                "{optimizers} diverged: the loss became infinite or undefined, so training stopped there. "
                "Try a smaller learning rate."
            ).format(optimizers=i18n.join(diverged)),
            icon="💥",
        )


def regions(result: training.Result) -> None:
    figure = regions_figure(result)
    if figure is None:
        st.caption(_("Decision regions are drawn for the two-dimensional datasets (moons, circles, spirals)."))
        return
    st.subheader(_("Decision regions"), anchor=False)
    st.plotly_chart(figure, key=PAGE.key("regions"), theme=None, config={"displaylogo": False})
    st.caption(
        _(
            "Each panel colours the plane by the class its trained network predicts, with the data on top: "
            "circles are training points, diamonds validation points, in their true class's colour."
        )
    )


def share(result: training.Result, config: dict) -> None:
    st.subheader(_("Share and download"), anchor=False)
    url = _share_url()
    if url:
        st.code(url, language=None)
    st.download_button(
        _("Curves (CSV)"),
        result.to_frame().to_csv(index=False),
        f"network_{config['dataset']}_seed{config['seed']}.csv",
        "text/csv",
        help=_("One row per optimizer and epoch: training and validation loss and accuracy."),
    )


def main() -> None:
    intro()
    for notice in PAGE.restore(BASE + [p for ps in HYPERS.values() for p in ps] + regimen_controls.params(PAGE.name)):
        st.warning(notice, icon="⚠️")
    if not isinstance(PAGE.get("opts"), list):
        PAGE.set("opts", list(training.CLASSIC))
    errors: dict[str, str] = {}
    config = settings(errors)
    chosen = racers(errors)
    slot = st.container()  # the regimen's controls, drawn once the number of updates is known
    PAGE.mirror(BASE + [p for name, _ in chosen for p in HYPERS[name]] + regimen_controls.mirrored(PAGE.name))
    if not chosen:
        st.info(_("Choose at least one optimizer to train the network."))
        return
    names = [name for name, _ in chosen]
    prepared = prepare(config, names, regimen_controls.is_on(PAGE.name, names))
    updates = config["epochs"] * prepared[0].batches_per_epoch if prepared else 0  # the schedule's steps
    regimen = regimen_controls.controls(PAGE.name, names, [hp["lr"] for _, hp in chosen], updates, slot, wide=True)
    if prepared is None:
        return
    result = train(config, *prepared, [(name, {**hp, **dict(regimen.pairs(name))}) for name, hp in chosen])
    describe(result, config)
    curves(result)
    edge_of_stability(config, chosen, regimen.on)  # its limits assume a constant γ: measured without the regimen
    results(result)
    regions(result)
    share(result, config)


if __name__ == "__main__":  # Streamlit runs a page as __main__; tests may import it for PAGE
    PAGE.run(main, _("the network page"))
