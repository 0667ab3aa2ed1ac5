"""The Explorer's inspector as LaTeX: optimizers.explain's lines (the rule with one step's numbers) typeset.

optimizers.explain writes each line as readable text, "0.9·(−14.51) + (1 − 0.9)·26.39 = −10.42"; this turns
it into KaTeX math: middle dots into \\cdot, sqrt(...) into a root, abs(...) into bars, a^(b) into
superscripts, 6.984e−5 into 6.984×10⁻⁵. No streamlit here: the page calls st.latex on the result.
"""

from __future__ import annotations

import re

_EXP_NUMBER = re.compile(r"(\d+(?:\.\d+)?)e([−+-]?)(\d+)")
_NON_FINITE = re.compile(r"\b(inf|nan)\b")
_SIMPLE = {
    "·": r" \cdot ",
    "−": "-",
    "²": "^{2}",
    "max(": r"\max(",
    "maximum(": r"\max(",
    "minimum(": r"\min(",
    "solve(": r"\operatorname{solve}(",
    "sign(": r"\operatorname{sign}(",
    "rms(": r"\operatorname{RMS}(",
    "norm(": r"\operatorname{norm}(",
    "clip(": r"\operatorname{clip}(",
    "schedule(": r"\operatorname{schedule}(",
}


def _close(text: str, start: int) -> int:
    """Index of the parenthesis closing the one at `start` (or len(text) if unbalanced)."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return len(text)


_MARKS = re.compile(r"sqrt\(|abs\(|\^")  # where _functions has something to do
_CALLS = (("sqrt(", (r"\sqrt{", "}")), ("abs(", (r"\left\lvert ", r"\right\rvert ")))


def _functions(text: str) -> str:
    """sqrt(x) -> \\sqrt{x}, abs(x) -> \\lvert x \\rvert, a^(b) -> a^{b}, a^3 -> a^{3} (nested too)."""
    out, i = [], 0
    while (m := _MARKS.search(text, i)) is not None:
        k = m.start()
        out.append(text[i:k])
        i = k
        for name, (left, right) in _CALLS:
            if text.startswith(name, k) and (k == 0 or not text[k - 1].isalpha()):
                j = _close(text, k + len(name) - 1)
                out.append(left + _functions(text[k + len(name) : j]) + right)
                i = j + 1
                break
        else:
            if text[k] == "^" and k + 1 < len(text):
                if text[k + 1] == "(":
                    j = _close(text, k + 1)
                    out.append("^{" + _functions(text[k + 2 : j]) + "}")
                    i = j + 1
                    continue
                w = re.match(r"-?[\w.]+", text[k + 1 :])
                if w:
                    out.append("^{" + w.group(0) + "}")
                    i = k + 1 + len(w.group(0))
                    continue
            out.append(m.group(0))  # a name inside a word (e.g. "fabs("), or a bare "^"
            i = m.end()
    out.append(text[i:])
    return "".join(out)


def numbers_tex(text: str) -> str:
    """One of explain's texts (a right-hand side with numbers, "= value") as LaTeX math."""

    def sci(m: re.Match) -> str:
        sign = "-" if m.group(2) in "−-" and m.group(2) else ""
        power = f"10^{{{sign}{int(m.group(3))}}}"
        tex = power if m.group(1) == "1" else rf"{m.group(1)}{{\times}}{power}"
        # raised to a power itself: bracketed, or KaTeX refuses the double superscript 10^{-5}^{2}
        return f"({tex})" if text.startswith(("^", "²"), m.end()) else tex

    tex = _EXP_NUMBER.sub(sci, text)
    tex = _NON_FINITE.sub(lambda m: {"inf": r"\infty", "nan": r"\text{NaN}"}[m.group(0)], tex)
    for a, b in _SIMPLE.items():
        tex = tex.replace(a, b)
    tex = _functions(tex)
    return re.sub(r"\b(True|False)\b", r"\\text{\1}", tex)


def step_tex(lines, coords: tuple[str, ...] = ("x", "y")) -> str:
    """An aligned block: per rule line (and per coordinate when it is per coordinate), lhs = numbers = value."""
    rows = []
    for ex in lines:
        lhs = ex.line.tex.partition("=")[0].strip()
        if len(ex.texts) == len(coords) > 1:
            for coord, text in zip(coords, ex.texts, strict=True):
                rows.append(rf"{{{lhs}}}^{{({coord})}} &= {numbers_tex(text)}")  # braced: lhs may hold ^ or '
        else:
            rows.append(rf"{lhs} &= {numbers_tex(ex.texts[0])}")
    return r"\begin{aligned} " + r" \\ ".join(rows) + r" \end{aligned}"
