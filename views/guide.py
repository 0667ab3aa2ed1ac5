"""Guide: every optimizer explained, from gradient descent to Adam and beyond, each one runnable.

The prose lives in guide/ (plain data); the update rules come from the optimizer objects themselves
(`optimizers.make(name, **settings).formula()`, the same LaTeX the Explorer shows); "Try it" links are built
by presets.explorer_link and open the Explorer through st.page_link with the link's query parameters.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import streamlit as st

import i18n
import optimizers
from content import text
from content.guide import MISTAKES, SECTIONS, Demo, Section, state_table
from content.guide.theory import LIMITS, Limit, theory_demos
from ui import layout
from ui.page import Page
from viz.family_tree import family_tree
from viz.surface_map import prepared
from viz.theory import sharpness_spec

_, _ngettext = i18n.translator("app")
_core = i18n.translator("core")[0]  # the optimizers' own texts (descriptions, hyperparameter help)

PAGE = Page("guide")
EXPLORER_PAGE = "views/explorer.py"  # as registered with st.navigation in app.py (url_path "explorer")


@st.cache_data
def _state_markdown(lang: str) -> str:
    """The state table as Markdown: every row and every cell's whole text, wrapped (a data frame cut both).

    `lang` is the language the table is made in (part of the cache key: its words are translated)."""
    with i18n.use(lang):
        table = state_table()
    rows = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    rows += ["| " + " | ".join(_cell(str(v)) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join(rows)


def _cell(text: str) -> str:
    """Text for a markdown table cell (a literal | would end the cell)."""
    return text.replace("|", r"\|").replace("\n", " ")


def _default(value: float | bool) -> str:
    if isinstance(value, bool):
        return _("on") if value else _("off")
    return f"{value:g}"


def try_it(demo: Demo) -> None:
    """A link that opens the Explorer on the demo's configuration, and what to watch there."""
    query = dict(parse_qsl(urlsplit(demo.link()).query))
    with st.container(border=True):
        label = _("**Try it:** {demo}").format(demo=text(demo.label))
        st.page_link(EXPLORER_PAGE, label=label, icon="▶️", query_params=query)
        st.caption(text(demo.watch))


def hyper_table(section: Section) -> str:
    cls = optimizers.get(section.name)
    header = (_("Setting"), _("Lab default, valid range"), _("What it does"), _("Usual values"))
    rows = ["| " + " | ".join(header) + " |", "|---|---|---|---|"]
    for name, h in cls.HYPERS.items():
        label = f"${h.symbol}$ `{name}`" if h.symbol else f"`{name}`"
        valid = _("{default}, in {range}").format(default=_default(h.default), range=_cell(_core(h.range_text())))
        rows.append(f"| {label} | {valid} | {_cell(_core(h.help))} | {_cell(text(section.usual[name]))} |")
    return "\n".join(rows)


def render_section(number: int, section: Section) -> None:
    cls = optimizers.get(section.name)
    st.header(f"{number}. {cls.title}", anchor=section.name, divider="gray")
    st.markdown(f"*{cls.shown_description()}*")
    st.markdown(_("**The problem it was made to solve.**") + " " + text(section.problem))
    st.markdown(_("**The update rule**, exactly as the lab computes it (and the Explorer shows it):"))
    for column, (caption, settings) in zip(st.columns(len(section.formulas)), section.formulas, strict=True):
        if caption:
            column.caption(text(caption))
        column.latex(optimizers.make(section.name, **settings).formula())
    if section.note:
        st.info(text(section.note), icon="ℹ️")
    st.markdown(_("**Hyperparameters**"))
    st.markdown(hyper_table(section))
    good, bad = st.columns(2)
    good.markdown(_("**Strengths**") + "\n\n" + "\n".join(f"- {text(s)}" for s in section.strengths))
    bad.markdown(_("**Failure modes**") + "\n\n" + "\n".join(f"- {text(s)}" for s in section.failures))
    paper = _("**Paper:** [{paper}]({url})").format(paper=cls.paper, url=section.paper_url)
    torch = _("**In torch:** `{torch}`").format(torch=cls.torch_equivalent)
    st.markdown(f"{paper}  \n{torch}")
    for demo in section.demos:
        try_it(demo)


@st.cache_data(max_entries=16, show_spinner=False)
def _demo_sharpness(key: str, lang: str) -> dict:
    """The demo's run, its sharpness against its limit, as a figure dict (the run as its link opens it); `lang`:
    the language of its titles, part of the cache's key."""
    import surfaces
    from content import presets
    from optimizers import analysis

    demo = next(d for d in theory_demos() if d.key == key)
    surface = surfaces.get(demo.surface)
    opt = optimizers.make(demo.opt, **(presets.recommended(demo.opt, demo.surface) | demo.hypers))
    traj = optimizers.run(opt, surface, demo.start, demo.steps)
    with i18n.use(lang):
        return sharpness_spec(analysis.sharpness(traj, surface), name=opt.title, height=340)


def render_limit(limit: Limit) -> None:
    st.subheader(text(limit.title), anchor=limit.key, divider="gray")
    st.markdown(text(limit.body))
    for demo in limit.demos:
        try_it(demo)
        if limit.chart:
            st.plotly_chart(
                prepared(_demo_sharpness(demo.key, i18n.lang())),
                theme=None,
                config={"displayModeBar": False},
                key=PAGE.key(f"eos-{demo.key}"),
            )


def theory() -> None:
    st.header(_("The theory beside the run"), anchor="theory", divider="gray")
    st.markdown(
        _(
            "Why a run behaves as it does: near any point a loss is close to a quadratic, and on a quadratic the fate "
            "of gradient descent and of momentum can be worked out exactly from the Hessian's eigenvalues. Each limit "
            "below comes with runs where the prediction shows; every number stated here is checked against those runs "
            "by the lab's tests."
        )
    )
    for lim in LIMITS:
        render_limit(lim)


def contents() -> None:
    first = [(_("Family tree"), "family-tree"), (_("What each one keeps"), "state")]
    first += [(optimizers.get(s.name).title, s.name) for s in SECTIONS]
    first += [(_("The theory beside the run"), "theory"), (_("Common mistakes"), "mistakes")]
    lines = [_("**On this page**"), ""] + [f"- [{title}](#{anchor})" for title, anchor in first]
    st.sidebar.markdown("\n".join(lines))


def intro() -> None:
    st.title(_("Guide"), anchor=False)
    st.markdown(
        _(
            "The story that tutorials tell, from plain gradient descent to Adam and beyond, told with the "
            "formulas this lab actually computes. Each section says what problem the method was made to solve, "
            "shows its update rule, explains its settings, and ends with **Try it** links that open the Explorer on "
            "a surface chosen to show the point."
        )
    )
    st.markdown(
        _(
            "Notation: $\\theta$ are the parameters, $g_t$ the gradient at $\\theta_{t-1}$, $t$ the step number "
            "(from 1), $\\gamma$ the learning rate; every operation is per coordinate (Adafactor's RMS reads the "
            "whole point). Every update equals torch.optim's in float64, or optax's where torch has none."
        )
    )


def tree() -> None:
    st.header(_("Family tree"), anchor="family-tree", divider="gray")
    st.caption(
        _(
            "Each method and what it added to its parents, left to right in order of descent. Newton stands apart: "
            "it uses curvature instead of a history of gradients."
        )
    )
    st.plotly_chart(family_tree(), theme=None, config={"displayModeBar": False}, key=PAGE.key("family-tree"))


def kept_state() -> None:
    st.header(_("What each one keeps between steps"), anchor="state", divider="gray")
    st.caption(
        _(
            "Read off each optimizer's rule: a quantity is kept if the next step reads it back. “Copies of θ” is "
            "the memory it costs, in units of the parameters' size; the quantities computed each step are shown "
            "by the Explorer's inspector."
        )
    )
    st.markdown(_state_markdown(i18n.lang()))


def mistakes() -> None:
    st.header(_("Common mistakes"), anchor="mistakes", divider="gray")
    st.markdown(_("Things many tutorials get wrong or leave out, and what the frameworks actually do."))
    for mistake in MISTAKES:
        with st.container(border=True):
            st.markdown(f"##### {text(mistake.title)}")
            st.markdown(text(mistake.body))
            see = i18n.join(f"[{optimizers.get(n).title}](#{n})" for n in mistake.about)
            st.caption(_("See: {sections}").format(sections=see))


def main() -> None:
    layout.room()
    intro()
    contents()
    tree()
    kept_state()
    for i, sec in enumerate(SECTIONS, start=1):
        render_section(i, sec)
    theory()
    mistakes()


if __name__ == "__main__":  # Streamlit runs a page as __main__; tests may import it for PAGE
    PAGE.run(main, _("the Guide"))
