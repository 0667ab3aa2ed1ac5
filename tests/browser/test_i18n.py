"""The Chinese edition in a real browser: with `lang=zh` every page shows no English UI text, the CJK glyphs are
drawn (screenshots), KaTeX formulas are unchanged, and the language switch and the link agree.

The check reads every visible text on the page (shadow roots included: the Explorer's stage), leaves out what is
not prose (KaTeX, code spans: hyperparameter names, formulas typed in a box) and splits the rest into Latin
words. A word must be one of ALLOWED (optimizer names, symbols, units, file formats, dataset names: not
translated by design) or, until the other layers' Chinese is merged, a word of their English source text
(PENDING: the core's charts and outcomes, the content's Guide and gallery). Set OTHER_LAYERS_TRANSLATED to True
once they are, and the check covers every word on the page. Independently of PENDING, no English message of the
app's own catalog may be shown: that part is strict now.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import i18n
import optimizers
from tests.browser.conftest import wait_for_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PAGES = {"home": "", "explorer": "explorer", "compare": "compare", "network": "network", "guide": "guide"}
OTHER_LAYERS_TRANSLATED = True  # True once i18n-core's and i18n-content's Chinese is merged: PENDING is then empty
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*[A-Za-z]|[A-Za-z]")
CJK = re.compile(r"[\u4e00-\u9fff]")

# Not translated by design: optimizer names, symbols, units and file formats, the datasets' names, Streamlit's own
# chrome (its menu and the "Running" widget are English in every language of the lab).
ALLOWED = (
    {w.lower() for name in optimizers.CLASSES for w in WORD.findall(optimizers.get(name).title + " " + name)}
    | {"x", "y", "f", "g", "m", "v", "t", "u", "h", "p", "lr", "nan", "inf", "e", "pi", "max", "min", "log", "exp"}
    | {"sqrt", "abs", "sin", "cos", "tan", "tanh", "sinh", "cosh", "relu", "softmax", "sign", "rms", "norm", "clip"}
    | {"solve", "mlp"}
    | {"html", "png", "gif", "csv", "mb", "s", "ms", "numpy", "plotly", "js", "torch", "optim", "optax", "katex"}
    | {"iris", "moons", "circles", "spirals", "en", "zh", "english", "lang", "px", "fps", "id"}
    | {"deploy", "stop", "running", "rerun", "hessian", "newton", "nesterov", "vs"}
    # a symbol is one letter (a, b, c, d, k, r, z, L, I ...); a number's type (float64)
    | {chr(c) for c in range(ord("a"), ord("z") + 1)}
    | {"float"}
    # proper names: people (the surfaces' and the methods' authors), frameworks, models and methods named in passing
    | {"rosenbrock", "himmelblau", "beale", "rastrigin", "booth", "matyas", "ackley", "levenberg", "marquardt"}
    | {"robbins", "monro", "polyak", "sutskever", "duchi", "hinton", "zeiler", "kingma", "reddi", "dozat", "liu"}
    | {"loshchilov", "zaheer", "zhuang", "shazeer", "stern", "bernstein", "chen", "zhang", "defazio", "cohen"}
    | {"raphson", "nocedal", "wright", "keras", "tensorflow", "transformer", "gan", "muon", "shampoo", "signsgd"}
    | {"algoperf", "bfgs", "schulz", "svd", "gauss", "graves", "kale", "kumar", "hutter", "fac", "mp"}
    # torch's and optax's argument names, and the papers' own terms, given beside their translation: ε_root,
    # reset_state, RMSprop's `centered` and `alpha`, AdaBelief's "belief", Adagrad's "regret"
    | {"root", "reset", "state", "centered", "alpha", "belief", "regret"}
)


def _pending_texts() -> list[str]:
    """The other layers' English source text (string literals under their folders and pages), while it is not
    yet translated."""
    if OTHER_LAYERS_TRANSLATED:
        return []
    texts: list[str] = []
    sources = [p for src in (*i18n.SOURCES["core"], *i18n.SOURCES["content"]) for p in (ROOT / src).rglob("*.py")]
    sources += [ROOT / "views" / "home.py", ROOT / "views" / "guide.py"]
    sources += list((ROOT / "content").rglob("*.md"))
    for path in sources:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".md":
            texts.append(text)
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                texts.append(node.value)
    return texts


def _pending() -> set[str]:
    """Words of the other layers' English source text (see _pending_texts)."""
    return {w.lower() for text in _pending_texts() for w in WORD.findall(text)}


def _app_messages() -> list[str]:
    """The app domain's English messages, cut at their placeholders into pieces of two or more words."""
    with open(i18n.LOCALE_DIR / "zh" / "LC_MESSAGES" / "app.po", "rb") as f:
        catalog = read_po(f, locale="zh")
    pieces = []
    for m in catalog:
        for msg in (m.id,) if isinstance(m.id, str) else m.id:
            if not msg:
                continue
            for piece in re.split(r"\{[^{}]*\}|`[^`]*`", msg):
                piece = piece.strip(" .,:;()·…")
                if len(WORD.findall(piece)) >= 2 and len(piece) >= 8:
                    pieces.append(piece)
    return pieces


# Every visible text node's text (open shadow roots too), leaving out formulas (KaTeX), code spans and the
# plotly modebar's tooltips; plus the labels Streamlit draws as attributes (a placeholder is not UI text here:
# it shows an example formula).
TEXTS_JS = """
() => {
  const out = [];
  // a link out of the lab is a citation: a paper's title stays in its own language
  const skip = (el) => el.closest && el.closest('.katex, code, pre, .modebar, a[href^="http"], '
    + '[data-testid="stToolbar"], [data-testid="stStatusWidget"], [data-testid="stDecoration"], '
    + '[data-testid*="Icon"], script, style, noscript');
  const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const walk = (root) => {
    const tw = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (let n = tw.currentNode; n; n = tw.nextNode()) {
      if (n.nodeType === 1 && n.shadowRoot) walk(n.shadowRoot);
      if (n.nodeType !== 3) continue;
      const el = n.parentElement;
      if (!el || skip(el) || !visible(el)) continue;
      const t = n.textContent.trim();
      if (t) out.push(t);
    }
  };
  walk(document.body);
  return out;
}
"""


@pytest.fixture(scope="module", autouse=True)
def _cjk_font():
    """A CJK font (fonts-noto-cjk, .ci/run installs it): without one the screenshots show boxes."""
    found = shutil.which("fc-list") and subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    if not found:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no CJK font (apt-get install -y fonts-noto-cjk)")
        pytest.skip("no CJK font installed (apt-get install -y fonts-noto-cjk)")


SETTLED_JS = """() => !document.querySelector('[data-testid="stSkeleton"], [data-stale="true"]')"""
GLYPHS_JS = """
() => {
  const font = getComputedStyle(document.querySelector('[data-testid="stSidebarNav"] a')).font;
  const c = document.createElement('canvas'); c.width = 48; c.height = 48;
  const g = c.getContext('2d', { willReadFrequently: true });
  const draw = (ch) => { g.clearRect(0, 0, 48, 48); g.font = font; g.fillText(ch, 4, 36);
    return Array.from(g.getImageData(0, 0, 48, 48).data).join(','); };
  const a = draw('训'), b = draw('练'), none = draw('\\u0378');
  return a !== b && a !== none && b !== none;
}
"""


def _open(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page, timeout=120_000)
    if "/explorer" in url:  # the stage draws, then its first report brings the inspector (one more run)
        page.locator('[data-testid="lab-map"]').wait_for(timeout=60_000)
        page.locator(".katex").first.wait_for(timeout=60_000)
    if "/compare" in url or "/network" in url:  # their charts come last
        page.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
    page.wait_for_timeout(1000)
    wait_for_app(page, timeout=120_000)
    # no placeholder left: every element of the run is on the page (else the check below would read too little)
    page.wait_for_function(SETTLED_JS, timeout=60_000)


# Streamlit's own words (its accessibility link), the same in every language of the lab.
STREAMLIT_TEXTS = {"Skip to main content"}


# A code name written in prose (torch's `weight_decay`, `clip_grad_norm_`, optax's `params.slow`): not a word.
IDENTIFIER = re.compile(r"[A-Za-z]\w+(?:\.[A-Za-z_]\w+)+|[A-Za-z][A-Za-z0-9]*_\w*")


def _english(texts: list[str], allowed: set[str]) -> list[tuple[str, str]]:
    found = []
    for text in texts:
        if text in STREAMLIT_TEXTS:
            continue
        for w in WORD.findall(IDENTIFIER.sub(" ", text)):
            if w.lower().strip("'’") not in allowed:
                found.append((w, text[:120]))
    return found


@pytest.mark.parametrize("name", list(PAGES))
def test_with_lang_zh_a_page_shows_no_english_ui_text(name, page, app_url, screenshot):
    _open(page, f"{app_url}/{PAGES[name]}?lang=zh")
    assert page.locator('[data-testid="stException"]').count() == 0
    shot = screenshot(f"i18n_zh_{name}")  # first: a page that fails below still leaves its picture
    assert shot.exists() and shot.stat().st_size > 10_000
    texts = page.evaluate(TEXTS_JS)
    joined = "\n".join(texts)
    assert CJK.search(joined), "no Chinese on the page"
    # the navigation is in Chinese, the switch names both languages in their own scripts
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    for title in ("首页", "探索器", "比较", "训练网络", "指南"):
        assert title in nav
    # strict now: no message of the app's own catalog is shown in English (but for a phrase the other layers'
    # English also has, while theirs is not merged: "Optimizer Lab" is the Home page's title too)
    theirs = "\n".join(_pending_texts())
    shown = [p for p in _app_messages() if p in joined and p not in theirs]
    assert shown == [], shown
    # every Latin word is an allowed token (or, until they are merged, a word of the other layers' English)
    english = _english(texts, ALLOWED | _pending())
    assert english == [], english[:20]
    # the glyphs are drawn (not boxes): in the page's own font, two Chinese characters draw different pixels, and
    # neither draws what a character no font has (U+0378, unassigned) draws: the missing-glyph box
    assert page.evaluate(GLYPHS_JS), "Chinese characters are drawn as boxes: no CJK font (fonts-noto-cjk)"


def test_the_switch_turns_the_page_into_chinese_and_the_link_follows(page, app_url, screenshot):
    _open(page, f"{app_url}/network?epochs=20")
    assert "lang=en" in page.url
    assert page.get_by_role("heading", name="Train a network").count() == 1
    page.locator('[data-testid="stSidebar"]').get_by_text("中文", exact=True).click()
    page.get_by_role("heading", name="训练网络").wait_for(timeout=60_000)
    wait_for_app(page, timeout=120_000)
    page.wait_for_function("() => location.search.includes('lang=zh')", timeout=30_000)
    assert "epochs=20" in page.url  # the page's settings stay in the link beside the language
    # the link opens in Chinese in a new session
    other = page.context.new_page()
    _open(other, page.url)
    assert other.get_by_role("heading", name="训练网络").count() == 1
    other.close()


def test_katex_formulas_are_the_same_in_both_languages(page, app_url):
    def formulas(lang: str) -> list[str]:
        _open(page, f"{app_url}/explorer?surface=bowl&opt=adam&steps=20&lang={lang}")
        page.locator(".katex").first.wait_for(timeout=60_000)
        return page.locator(".katex-mathml annotation").all_text_contents()

    en, zh = formulas("en"), formulas("zh")
    assert en and en == zh


def test_a_switch_on_the_explorer_keeps_the_run_and_its_step_and_the_stage_speaks_the_new_language(page, app_url):
    _open(page, f"{app_url}/explorer?surface=rosenbrock&opt=adam&steps=50&lang=en")
    for _ in range(3):
        page.get_by_role("button", name="Step", exact=True).click()
    page.get_by_test_id("lab-step").filter(has_text="3").wait_for(timeout=10_000)
    page.wait_for_timeout(800)  # stepping rests: t is reported and written into the link
    page.locator('[data-testid="stSidebar"]').get_by_text("中文", exact=True).click()
    page.get_by_role("button", name="单步", exact=True).wait_for(timeout=60_000)
    wait_for_app(page, timeout=120_000)
    assert page.get_by_test_id("lab-step").inner_text() == "3"
    assert page.get_by_role("button", name="播放", exact=True).count() == 1
    page.get_by_role("button", name="单步", exact=True).click()
    page.get_by_test_id("lab-step").filter(has_text="4").wait_for(timeout=10_000)
