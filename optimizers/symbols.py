"""Plain-text forms of the optimizers' LaTeX symbols: metadata of the optimizers, used wherever LaTeX cannot be.

A table cell cannot render LaTeX, and a control's label in plain text draws without KaTeX (which a page's first
paint would otherwise wait for). Every symbol in an optimizer's QUANTITIES and HYPERS has a form here (a test
checks), single letters standing for themselves.
"""

from __future__ import annotations

import re

PLAIN_SYMBOLS: dict[str, str] = {
    r"\beta_1": "β₁",
    r"\beta_2": "β₂",
    r"\delta": "δ",
    r"\varepsilon": "ε",
    "s_0": "s₀",
    r"\mu": "μ",
    r"\psi": "ψ",
    r"\rho": "ρ",
    r"\lambda": "λ",
    r"\bar g": "ḡ",
    r"v^{\max}": "vₘₐₓ",
    r"\Pi_t": "Π",
    r"\mu_t": "μₜ",
    r"\mu_{t+1}": "μₜ₊₁",
    r"\hat m": "m̂",
    r"\hat v": "v̂",
    r"\Delta": "Δ",
    r"\theta'": "θ′",
    r"\rho_\infty": "ρ∞",
    r"\rho_t": "ρₜ",
    "r_t": "rₜ",
    "l_t": "lₜ",
    r"\gamma": "γ",
    r"\gamma/d": "γ/d",
    r"\gamma/(\sqrt{s}+\varepsilon)": "γ/(√s+ε)",
    r"\gamma\sqrt{u+\varepsilon}/\sqrt{v+\varepsilon}": "γ√(u+ε)/√(v+ε)",
    r"\gamma/(\sqrt{\hat v}+\varepsilon)": "γ/(√v̂+ε)",
    r"\gamma/((1-\beta_1^t)u)": "γ/((1−β₁ᵗ)u)",
    r"\gamma r_t l_t": "γ rₜ lₜ",
    r"(H+\delta I)^{-1} g": "(H+δI)⁻¹g",
    r"\hat s": "ŝ",
    r"\gamma/(\sqrt{\hat s}+\varepsilon)": "γ/(√ŝ+ε)",
    r"\varepsilon_r": "εᵣ",
    r"\varepsilon_2": "ε₂",
    r"\hat\beta_2": "β̂₂",
    r"\alpha_t": "αₜ",
    r"\max(1, \mathrm{RMS}(u)/d)": "max(1, RMS(u)/d)",
    "c_t": "cₜ",
    r"\tilde\theta": "θ̃",
    r"\phi": "φ",
    r"\alpha": "α",
    r"\gamma_t": "γₜ",
    r"\tilde g": "g̃",
    "s_t": "sₜ",
}


def plain(symbol: str) -> str:
    """A QUANTITIES or HYPERS symbol as plain text (single letters stay as they are)."""
    if symbol in PLAIN_SYMBOLS:
        return PLAIN_SYMBOLS[symbol]
    if re.fullmatch(r"[A-Za-z]", symbol):
        return symbol
    raise KeyError(f"no plain form for the symbol {symbol!r}")
