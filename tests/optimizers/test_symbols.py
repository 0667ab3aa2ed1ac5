"""Every symbol an optimizer shows has a plain-text form (tables and control labels cannot render LaTeX)."""

import pytest

import optimizers
from optimizers.symbols import plain


@pytest.mark.parametrize("name", optimizers.NAMES)
def test_every_quantity_and_hyperparameter_symbol_has_a_plain_form(name):
    cls = optimizers.get(name)
    symbols = [s for s, _ in cls.QUANTITIES.values()] + [h.symbol for h in cls.HYPERS.values() if h.symbol]
    for symbol in symbols:
        assert "\\" not in plain(symbol)


def test_an_unknown_symbol_is_refused_not_passed_through():
    with pytest.raises(KeyError):
        plain(r"\zeta_{unknown}")
    assert plain("m") == "m"
