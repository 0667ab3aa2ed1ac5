"""The Explorer's inspector as LaTeX: optimizers.explain's lines (the rule with one step's numbers) typeset.

optimizers.explain writes each line as readable text, "0.9·(−14.51) + (1 − 0.9)·26.39 = −10.42"; this turns
it into KaTeX math: middle dots into \\cdot, sqrt(...) into a root, abs(...) into bars, a^(b) into
superscripts, 6.984e−5 into 6.984×10⁻⁵. No streamlit here: the page calls st.latex on the result.
"""

from __future__ import annotations

import re

_EXP_NUMBER = re.compile(r"(\d+(?:\.\d+)?)e([−+-]?)(\d+)")
_SIMPLE = {"·": r" \cdot ", "−": "-", "²": "^{2}", "max(": r"\max(", "solve(": r"\operatorname{solve}("}


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


def _functions(text: str) -> str:
    """sqrt(x) -> \\sqrt{x}, abs(x) -> \\lvert x \\rvert, a^(b) -> a^{b}, a^3 -> a^{3} (nested too)."""
    out, i = [], 0
    while i < len(text):
        for name, (left, right) in (("sqrt(", (r"\sqrt{", "}")), ("abs(", (r"\left\lvert ", r"\right\rvert "))):
            if text.startswith(name, i) and (i == 0 or not text[i - 1].isalpha()):
                j = _close(text, i + len(name) - 1)
                out.append(left + _functions(text[i + len(name) : j]) + right)
                i = j + 1
                break
        else:
            if text[i] == "^" and i + 1 < len(text):
                if text[i + 1] == "(":
                    j = _close(text, i + 1)
                    out.append("^{" + _functions(text[i + 2 : j]) + "}")
                    i = j + 1
                    continue
                m = re.match(r"-?[\w.]+", text[i + 1 :])
                if m:
                    out.append("^{" + m.group(0) + "}")
                    i += 1 + len(m.group(0))
                    continue
            out.append(text[i])
            i += 1
    return "".join(out)


def numbers_tex(text: str) -> str:
    """One of explain's texts (a right-hand side with numbers, "= value") as LaTeX math."""

    def sci(m: re.Match) -> str:
        sign = "-" if m.group(2) in "−-" and m.group(2) else ""
        power = f"10^{{{sign}{int(m.group(3))}}}"
        return power if m.group(1) == "1" else rf"{m.group(1)}{{\times}}{power}"

    tex = _EXP_NUMBER.sub(sci, text)
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
