"""Formula surfaces: f(x, y) typed by a user, parsed safely, differentiated exactly.

    from surfaces.formula import from_formula
    s = from_formula("x^2 - y^2 + 0.1*sin(3*x)")
    s.f(xy)        # (...)        for xy of shape (..., 2)
    s.grad(xy)     # (..., 2)
    s.hessian(xy)  # (..., 2, 2)

Safety. The text is never handed to eval, exec, compile, sympy.sympify or parse_expr. A tokenizer of our own
(ASCII only) and a recursive-descent parser turn it into a tree whose nodes can only be numbers, x, y, pi, e,
+ - * / ^ and the ten whitelisted functions; anything else is a FormulaError (a ValueError) naming what was
wrong and at which column (1-based). Limits, checked before any arithmetic: at most MAX_LENGTH characters,
nesting at most MAX_DEPTH deep, constant exponents of a variable part at most MAX_EXPONENT in magnitude, and
every constant sub-expression computed in float must be finite (so 9^9^9^9, 10^1000, exp(1000), 1/0 and
log(-1) are rejected instead of hanging or poisoning every value).

Grammar (usual precedence; ^ and ** are the same, right-associative and binding tighter than unary minus,
so -x^2 = -(x^2) and 2^-x is allowed):

    expr  := term (('+' | '-') term)*
    term  := unary (('*' | '/') unary)*
    unary := ('+' | '-') unary | power
    power := atom (('^' | '**') unary)?
    atom  := number | 'x' | 'y' | 'pi' | 'e' | function '(' expr ')' | '(' expr ')'

Numbers: 2, 2.5, .5, 5., 1e-3, 2.5E+4. Implicit multiplication is not supported: "2x" is rejected with a
message suggesting "2*x". log is the natural logarithm.

Derivatives. The tree becomes a DAG of interned nodes (one node per distinct sub-expression) with constant
folding and 0/1 simplification; the gradient and Hessian are derived symbolically on that DAG by the
textbook rules (sharing sub-expressions, so the size stays linear in the formula's), and each of f, grad and
hessian is compiled into a straight-line program of vectorised NumPy calls. Where the formula is undefined
(log of a negative, division by zero, overflow) the values are NaN or inf, with no RuntimeWarning escaping.

Where f is defined. The compiled f is finite exactly where the formula as written, evaluated operation by
operation in float64 with NumPy, is finite, with one difference: u^v is NaN wherever u or v is not finite
(NumPy gives NaN^0 = 1^NaN = inf^0 = 1, which would define log(x)^0 at x <= 0). Simplifying never moves that
boundary: a dropped sub-expression u leaves a guard (0·u and u^0 are 0 and 1 where u is finite, NaN
elsewhere), 0/u is not simplified, and constants are not regrouped. A formula that is
undefined everywhere because a part simplifies to a constant is refused like that constant: x/(0*y) like x/0
("division by zero"), log(0*x) like log(0).
Conventions: abs'(0) = 0 (sign); u^c for u < 0 and non-integer c is NaN (NumPy's real power), so x^(1/3)
is undefined for x < 0; sympy is not used (its parser evaluates Python).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

import i18n
from budget.memory import FORMULAS_MB, MB, BoundedCache
from i18n import N_, translator

from .base import Bounds, Surface

MAX_LENGTH = 300  # characters
MAX_DEPTH = 50  # nested parentheses, unary signs and exponents
MAX_EXPONENT = 1000.0  # the largest |c| in u^c when u depends on x or y
MAX_BOUND = 1e6  # view bounds must lie within ±MAX_BOUND
DEFAULT_BOUNDS: Bounds = ((-3.0, 3.0), (-3.0, 3.0))
EXAMPLE = "x^2 - y^2 + 0.1*sin(3*x)"

VARIABLES = ("x", "y")
CONSTANTS = {"pi": math.pi, "e": math.e}
FUNCTIONS = ("sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sinh", "cosh")
_, ngettext = translator("core")


def _what_is_allowed() -> str:
    return _("use x, y, pi, e, numbers, + - * / ^ and the functions {functions}").format(functions=i18n.join(FUNCTIONS))


class FormulaError(ValueError):
    """A formula that cannot be accepted; `column` is the 1-based position of the problem, when there is one."""

    def __init__(self, message: str, column: int | None = None):
        super().__init__(message)
        self.column = column


# ---------------------------------------------------------------------------------------------------------
# Tokenizer


_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<num>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\*\*|[-+*/^()])
    """,
    re.VERBOSE,
)

_CHAR_MESSAGES = {  # character -> (what it is, a hint)
    ".": (N_("attribute access ('.')"), ""),
    "[": (N_("a subscript ('[')"), ""),
    "]": (N_("a subscript (']')"), ""),
    ",": (N_("a comma"), N_(": each function takes one argument and the formula is one expression")),
    ";": ("';'", N_(": type one expression")),
    "'": (N_("a string (quote)"), ""),
    '"': (N_("a string (quote)"), ""),
    "=": ("'='", N_(": type only the right-hand side of f(x, y) = ...")),
    "|": ("'|'", N_(": write abs(...) for an absolute value")),
}


class _Tok:
    __slots__ = ("kind", "text", "col")

    def __init__(self, kind: str, text: str, col: int):
        self.kind, self.text, self.col = kind, text, col

    def describe(self) -> str:
        return _("the end of the formula") if self.kind == "end" else repr(self.text)


def _show_char(ch: str) -> str:
    return repr(ch) if ch.isascii() else f"{ch!r} (U+{ord(ch):04X})"


def _tokenize(text: str) -> Iterator[_Tok]:
    """Tokens one at a time (so the parser reports the first problem in reading order)."""
    pos, n = 0, len(text)
    while pos < n:
        m = _TOKEN.match(text, pos)
        if m is None:
            ch, col = text[pos], pos + 1
            if ch in _CHAR_MESSAGES:
                what, hint = _CHAR_MESSAGES[ch]
                what, hint = _(what), _(hint)
                raise FormulaError(
                    _("{what} at column {col} is not allowed{hint}").format(what=what, col=col, hint=hint), col
                )
            if not ch.isprintable():
                raise FormulaError(
                    _("unexpected non-printing character {code} at column {col}").format(
                        code=f"U+{ord(ch):04X}", col=col
                    ),
                    col,
                )
            if ch.isascii():
                message = _("unexpected character {char} at column {col}: {allowed}")
            else:
                message = _("unexpected character {char} at column {col}; only ASCII is accepted: {allowed}")
            raise FormulaError(message.format(char=_show_char(ch), col=col, allowed=_what_is_allowed()), col)
        kind = m.lastgroup
        if kind == "name" and m.end() < n and not text[m.end()].isascii():  # e.g. "s\u0456n": a lookalike letter
            pos = m.end()
            continue
        if kind != "ws":
            yield _Tok(kind, m.group(), pos + 1)
        pos = m.end()
    yield _Tok("end", "", n + 1)


# ---------------------------------------------------------------------------------------------------------
# Parser: a syntax tree of _Node (kinds: num, var, const, neg, bin, call)


class _Node:
    __slots__ = ("kind", "op", "kids", "col", "text", "value")

    def __init__(self, kind: str, op: str, kids: tuple = (), col: int = 0, text: str = ""):
        self.kind, self.op, self.kids, self.col, self.text = kind, op, kids, col, text
        self.value: float | None = None  # the constant value, when the sub-tree has no x or y


_PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "^": 4}


def _prec(node: _Node) -> int:
    if node.kind == "bin":
        return _PREC[node.op]
    if node.kind == "neg":
        return 3
    return 5


class _Parser:
    def __init__(self, text: str):
        self.text, self.tokens, self.toks, self.i, self.depth = text, _tokenize(text), [], 0, 0

    @property
    def peek(self) -> _Tok:
        if self.i == len(self.toks):
            self.toks.append(next(self.tokens))
        return self.toks[self.i]

    def advance(self) -> _Tok:
        tok = self.peek
        self.i += 1
        return tok

    def is_op(self, *ops: str) -> bool:
        tok = self.peek
        return tok.kind == "op" and tok.text in ops

    def parse(self) -> _Node:
        node = self.expr()
        tok = self.peek
        if tok.kind != "end":
            self.fail_after_operand(tok)
        return node

    def fail_after_operand(self, tok: _Tok) -> None:
        """`tok` follows a complete operand where an operator, ')' or the end was expected."""
        if tok.kind in ("num", "name") or (tok.kind == "op" and tok.text == "("):
            prev = self.toks[self.i - 1]
            example = f"{prev.text}*{tok.text}" if prev.kind in ("num", "name") and tok.kind != "op" else "2*x"
            raise FormulaError(
                _(
                    "missing operator between {left} and {right} at column {col} "
                    "(write * for a product, e.g. {example})"
                ).format(left=repr(prev.text), right=repr(tok.text), col=tok.col, example=example),
                tok.col,
            )
        if tok.kind == "op" and tok.text == ")":
            raise FormulaError(_("unexpected ')' at column {col}: it closes no '('").format(col=tok.col), tok.col)
        raise FormulaError(_("unexpected {token} at column {col}").format(token=tok.describe(), col=tok.col), tok.col)

    def expr(self) -> _Node:
        node = self.term()
        while self.is_op("+", "-"):
            tok = self.advance()
            node = _Node("bin", tok.text, (node, self.term()), tok.col)
        return node

    def term(self) -> _Node:
        node = self.unary()
        while self.is_op("*", "/"):
            tok = self.advance()
            node = _Node("bin", tok.text, (node, self.unary()), tok.col)
        return node

    def unary(self) -> _Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            col = self.peek.col
            raise FormulaError(_("nesting deeper than {limit} at column {col}").format(limit=MAX_DEPTH, col=col), col)
        if self.is_op("+", "-"):
            tok = self.advance()
            operand = self.unary()
            node = operand if tok.text == "+" else _Node("neg", "-", (operand,), tok.col)
        else:
            node = self.power()
        self.depth -= 1
        return node

    def power(self) -> _Node:
        base = self.atom()
        if self.is_op("^", "**"):
            tok = self.advance()
            return _Node("bin", "^", (base, self.unary()), tok.col)
        return base

    def close(self, opening: _Tok) -> None:
        tok = self.peek
        if tok.kind == "op" and tok.text == ")":
            self.advance()
            return
        if tok.kind == "end":
            raise FormulaError(_("missing ')' to close the '(' at column {col}").format(col=opening.col), tok.col)
        self.fail_after_operand(tok)

    def atom(self) -> _Node:
        tok = self.advance()
        if tok.kind == "num":
            return _Node("num", tok.text, (), tok.col, tok.text)
        if tok.kind == "name":
            name = tok.text
            if name not in FUNCTIONS and name not in VARIABLES and name not in CONSTANTS:
                # look at the raw text (not the next token, which may itself be invalid, as in "lambda: 1")
                called = self.text[tok.col - 1 + len(name) :].lstrip(" \t\r\n").startswith("(")
                message = (
                    _("unknown function {name} at column {col}; {allowed}")
                    if called
                    else _("unknown name {name} at column {col}; {allowed}")
                )
                raise FormulaError(message.format(name=repr(name), col=tok.col, allowed=_what_is_allowed()), tok.col)
            called = self.is_op("(")
            if name in FUNCTIONS:
                if not called:
                    raise FormulaError(
                        _("{name} at column {col} must be followed by '(': write {name}(x)").format(
                            name=name, col=tok.col
                        ),
                        tok.col,
                    )
                opening = self.advance()
                if self.is_op(")"):
                    col = self.peek.col
                    raise FormulaError(
                        _("{name}() at column {col} needs an argument").format(name=name, col=tok.col), col
                    )
                arg = self.expr()
                self.close(opening)
                return _Node("call", name, (arg,), tok.col)
            if name in VARIABLES or name in CONSTANTS:
                if called:
                    raise FormulaError(
                        _("{quoted} at column {col} is not a function: write {name}*(...) for a product").format(
                            quoted=repr(name), col=tok.col, name=name
                        ),
                        tok.col,
                    )
                return _Node("var" if name in VARIABLES else "const", name, (), tok.col)
        if tok.kind == "op" and tok.text == "(":
            if self.is_op(")"):
                raise FormulaError(_("empty parentheses at column {col}").format(col=tok.col), tok.col)
            node = self.expr()
            self.close(tok)
            return node
        if tok.kind == "end":
            raise FormulaError(
                _("the formula ends too early at column {col}: expected a number, x, y, a function or '('").format(
                    col=tok.col
                ),
                tok.col,
            )
        if tok.text == ")":
            raise FormulaError(_("unexpected ')' at column {col}").format(col=tok.col), tok.col)
        raise FormulaError(
            _("unexpected {token} at column {col}: expected a number, x, y, a function or '('").format(
                token=tok.describe(), col=tok.col
            ),
            tok.col,
        )


# ---------------------------------------------------------------------------------------------------------
# Constants: every constant sub-tree is computed in float now, and must be finite


def _sign(v: float) -> float:
    return float((v > 0) - (v < 0))


_MATH: dict[str, Callable[[float], float]] = {
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "abs": math.fabs,
    "tanh": math.tanh,
    "sinh": math.sinh,
    "cosh": math.cosh,
    "sign": _sign,
}

_NUMPY: dict[str, Callable[[Any], Any]] = {
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "tanh": np.tanh,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "sign": np.sign,
}


def _apply(op: str, a: float, b: float = 0.0) -> float:
    """One operation on floats; raises ArithmeticError or ValueError when the result is not a finite number."""
    if op == "+":
        r = a + b
    elif op == "-":
        r = a - b
    elif op == "*":
        r = a * b
    elif op == "/":
        r = a / b
    elif op == "^":
        r = math.pow(a, b)
    elif op == "neg":
        r = -a
    else:
        r = _MATH[op](a)
    if not math.isfinite(r):
        raise OverflowError
    return r


def _check_constants(node: _Node) -> float | None:
    """Fill node.value for constant sub-trees (bottom-up); reject non-finite constants and huge exponents."""
    kind = node.kind
    if kind == "num":
        v = float(node.text)
        if not math.isfinite(v):
            raise FormulaError(
                _("the number {number} at column {col} is too large").format(number=node.text, col=node.col), node.col
            )
        node.value = v
        return v
    if kind == "const":
        node.value = CONSTANTS[node.op]
        return node.value
    if kind == "var":
        return None
    values = [_check_constants(k) for k in node.kids]
    if kind == "bin" and node.op == "^" and values[0] is None and values[1] is not None:
        if abs(values[1]) > MAX_EXPONENT:
            raise FormulaError(
                _("the exponent {exponent} at column {col} is too large; the limit is {limit}").format(
                    exponent=f"{values[1]:g}", col=node.col, limit=f"{MAX_EXPONENT:g}"
                ),
                node.col,
            )
    if kind == "bin" and node.op == "/" and values[1] == 0:
        raise FormulaError(_("division by zero at column {col}").format(col=node.col), node.col)
    if any(v is None for v in values):
        return None
    op = node.op if kind in ("bin", "call") else "neg"
    try:
        node.value = _apply(op, *values)
    except (ArithmeticError, ValueError):
        shown = _text(node, False)
        if len(shown) > 40:
            shown = shown[:39] + "…"
        raise FormulaError(
            _("{expression} at column {col} {problem}").format(
                expression=shown, col=node.col, problem=_constant_problem(op, values)
            ),
            node.col,
        ) from None
    return node.value


def _constant_problem(op: str, values: list[float]) -> str:
    """Why a constant operation has no finite value."""
    a = values[0]
    b = values[1] if len(values) > 1 else 0.0
    if (op == "/" and b == 0) or (op == "^" and a == 0 and b < 0):
        return _("divides by zero")
    if (op == "^" and a < 0 and b != int(b)) or (op in ("log", "sqrt") and a <= 0):
        return _("is undefined (not a real number)")
    return _("is too large (it overflows a float)")


# ---------------------------------------------------------------------------------------------------------
# Rendering: normalised text and LaTeX


def _text(node: _Node, spaced: bool) -> str:
    kind = node.kind
    if kind == "num":
        return node.text
    if kind in ("var", "const"):
        return node.op
    if kind == "call":
        return f"{node.op}({_text(node.kids[0], spaced)})"
    if kind == "neg":
        child = node.kids[0]
        inner = _text(child, spaced)
        return "-" + (f"({inner})" if _prec(child) < 3 else inner)
    left, right = node.kids
    p = _PREC[node.op]
    ls, rs = _text(left, spaced), _text(right, spaced)
    if node.op == "^":
        wrap_left, wrap_right = _prec(left) < 5, _prec(right) < 3
    else:
        wrap_left, wrap_right = _prec(left) < p, _prec(right) <= p
    if wrap_left:
        ls = f"({ls})"
    if wrap_right:
        rs = f"({rs})"
    sep = f" {node.op} " if spaced and node.op in "+-" else node.op
    return ls + sep + rs


_LATEX_FN = {
    "sin": r"\sin",
    "cos": r"\cos",
    "tan": r"\tan",
    "log": r"\ln",
    "tanh": r"\tanh",
    "sinh": r"\sinh",
    "cosh": r"\cosh",
    "exp": r"\exp",
}


def _latex_number(literal: str) -> tuple[str, int]:
    mantissa, _, exponent = literal.lower().partition("e")
    if mantissa.startswith("."):
        mantissa = "0" + mantissa
    mantissa = mantissa.rstrip(".") if mantissa.endswith(".") else mantissa
    if not exponent:
        return mantissa, 5
    power = f"10^{{{int(exponent)}}}"
    if float(mantissa) == 1.0:
        return power, 4
    return rf"{mantissa} \times {power}", 2


def _paren(s: str) -> str:
    return rf"\left({s}\right)"


def _latex(node: _Node) -> tuple[str, float]:
    """(LaTeX, precedence): 1 sums, 2 products, 3 unary minus, 4 powers, 4.5 fractions, 5 atoms."""
    kind = node.kind
    if kind == "num":
        return _latex_number(node.text)
    if kind == "var":
        return node.op, 5
    if kind == "const":
        return (r"\pi" if node.op == "pi" else "e"), 5
    if kind == "call":
        arg, _ = _latex(node.kids[0])
        if node.op == "sqrt":
            return rf"\sqrt{{{arg}}}", 5
        if node.op == "abs":
            return rf"\left|{arg}\right|", 5
        return _LATEX_FN[node.op] + _paren(arg), 5
    if kind == "neg":
        inner, p = _latex(node.kids[0])
        return "-" + (_paren(inner) if p < 3 else inner), 3
    (ls, lp), (rs, rp) = _latex(node.kids[0]), _latex(node.kids[1])
    right_neg = node.kids[1].kind == "neg"
    op = node.op
    if op == "^":
        return (_paren(ls) if lp < 5 else ls) + f"^{{{rs}}}", 4
    if op == "/":
        return rf"\frac{{{ls}}}{{{rs}}}", 4.5
    if op in "+-":
        rs = _paren(rs) if (rp <= 1 or right_neg) else rs
        return f"{ls} {op} {rs}", 1
    ls = _paren(ls) if lp < 2 else ls
    rs = _paren(rs) if (rp <= 2 or right_neg) else rs
    joiner = r" \cdot " if (rs[:1].isdigit() or rs[:1] == "." or rs.startswith(r"\frac")) else " "
    return ls + joiner + rs, 2


# ---------------------------------------------------------------------------------------------------------
# The expression DAG: interned nodes, constant folding, 0/1 simplification, symbolic derivatives

# Node tuples: ("num", v), ("var", "x"|"y"), ("neg", a), ("add"|"mul"|"div"|"pow", a, b), ("fn", name, a),
# where a, b are indices of earlier nodes (so index order is a topological order).


def _try(fn: Callable[[], float]) -> float | None:
    try:
        return fn()
    except (ArithmeticError, ValueError):
        return None


class _Undefined(Exception):
    """A simplification met a constant with no finite value while building f (turned into a FormulaError)."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


class _Located(_Undefined):
    """An _Undefined already given its message and column (by the innermost node that met it)."""

    def __init__(self, message: str, column: int):
        super().__init__(message)
        self.message, self.column = message, column


# Functions finite at every finite argument: 0·u and u^0 of these need no guard
_TOTAL_FUNCTIONS = ("sin", "cos", "tanh", "abs", "sign")


class _Graph:
    def __init__(self) -> None:
        self.nodes: list[tuple] = []
        self.index: dict[tuple, int] = {}
        self.zero, self.one = self.num(0.0), self.num(1.0)
        # True while building f from the syntax tree: simplifications keep f's domain (see the module
        # docstring). Derivatives are built with it off: where f is defined, their simplifications are exact.
        self.strict = False

    def intern(self, key: tuple) -> int:
        i = self.index.get(key)
        if i is None:
            i = len(self.nodes)
            self.nodes.append(key)
            self.index[key] = i
        return i

    def value(self, i: int) -> float | None:
        node = self.nodes[i]
        return node[1] if node[0] == "num" else None

    def num(self, v: float) -> int:
        return self.intern(("num", float(v)))

    def var(self, name: str) -> int:
        return self.intern(("var", name))

    def fold(self, op: str, *values: float) -> int | None:
        v = _try(lambda: _apply(op, *values))
        if v is None and self.strict:
            by_zero = op == "/" and values[1] == 0
            raise _Undefined("division by zero" if by_zero else _constant_problem(op, list(values)))
        return None if v is None else self.num(v)

    def total(self, a: int) -> bool:
        """a is finite wherever x and y are (so dropping it cannot change where f is defined)."""
        node = self.nodes[a]
        if node[0] in ("num", "var"):
            return True
        if node[0] == "neg":
            return self.total(node[1])
        return node[0] == "fn" and node[1] in _TOTAL_FUNCTIONS and self.total(node[2])

    def guard(self, a: int, u: int) -> int:
        """a where u is finite, NaN elsewhere: what a dropped sub-expression u leaves behind."""
        if self.total(u):
            return a
        return self.intern(("guard", a, u))

    def zero_where_defined(self, a: int) -> bool:
        node = self.nodes[a]
        return a == self.zero or (node[0] == "guard" and self.zero_where_defined(node[1]))

    def neg(self, a: int) -> int:
        va = self.value(a)
        if va is not None:
            return self.num(-va)
        node = self.nodes[a]
        if node[0] == "neg":
            return node[1]
        return self.intern(("neg", a))

    def add(self, a: int, b: int) -> int:
        va, vb = self.value(a), self.value(b)
        if va is not None and vb is not None:
            return self.num(va + vb)
        if va == 0:
            return b
        if vb == 0:
            return a
        if vb is not None:
            a, b = b, a
        return self.intern(("add", a, b))

    def sub(self, a: int, b: int) -> int:
        return self.add(a, self.neg(b))

    def mul(self, a: int, b: int) -> int:
        va, vb = self.value(a), self.value(b)
        if va is not None and vb is not None:
            return self.fold("*", va, vb) if self.strict else self.num(va * vb)
        if vb is not None:
            a, b, va, vb = b, a, vb, va
        if va is not None:
            if va == 0:
                return self.guard(self.zero, b) if self.strict else self.zero
            if va == 1:
                return b
            if va == -1:
                return self.neg(b)
            node = self.nodes[b]
            if node[0] == "mul" and self.value(node[1]) is not None and not self.strict:  # c1·(c2·u) = (c1 c2)·u
                return self.mul(self.num(va * self.value(node[1])), node[2])
            if node[0] == "neg":  # c * (-u) = (-c) * u
                return self.mul(self.num(-va), node[1])
        return self.intern(("mul", a, b))

    def div(self, a: int, b: int) -> int:
        va, vb = self.value(a), self.value(b)
        if va is not None and vb is not None:
            folded = self.fold("/", va, vb)
            if folded is not None:
                return folded
        if self.strict and self.zero_where_defined(b):
            raise _Undefined("division by zero")
        if va == 0 and vb != 0 and not self.strict:  # 0/u is NaN where u is 0: kept as written in f
            return self.zero
        if vb == 1:
            return a
        if vb == -1:
            return self.neg(a)
        return self.intern(("div", a, b))

    def pow(self, a: int, b: int) -> int:
        va, vb = self.value(a), self.value(b)
        if va is not None and vb is not None:
            folded = self.fold("^", va, vb)
            if folded is not None:
                return folded
        if vb == 0:
            return self.guard(self.one, a) if self.strict else self.one
        if vb == 1:
            return a
        return self.intern(("pow", a, b))

    def fn(self, name: str, a: int) -> int:
        va = self.value(a)
        if va is not None:
            folded = self.fold(name, va)
            if folded is not None:
                return folded
        return self.intern(("fn", name, a))

    def build(self, node: _Node) -> int:
        """The DAG node of f for a checked syntax tree (constant sub-trees become their folded values), with
        f's domain kept (strict); FormulaError where a part simplifies to a constant with no finite value."""
        self.strict = True
        try:
            return self._build(node)
        finally:
            self.strict = False

    def _build(self, node: _Node) -> int:
        try:
            return self._build_node(node)
        except _Undefined as exc:
            if isinstance(exc, _Located):
                raise
            if exc.what == "division by zero":
                message = _("division by zero at column {col}: the denominator is 0 wherever it is defined").format(
                    col=node.col
                )
            else:
                shown = _text(node, False)
                shown = shown if len(shown) <= 40 else shown[:39] + "…"
                message = _("{expression} at column {col} {problem}, for every x and y").format(
                    expression=shown, col=node.col, problem=exc.what
                )
            raise _Located(message, node.col) from None

    def _build_node(self, node: _Node) -> int:
        if node.value is not None:
            return self.num(node.value)
        kind = node.kind
        if kind == "var":
            return self.var(node.op)
        if kind == "neg":
            return self.neg(self._build(node.kids[0]))
        if kind == "call":
            return self.fn(node.op, self._build(node.kids[0]))
        a, b = self._build(node.kids[0]), self._build(node.kids[1])
        op = node.op
        if op == "+":
            return self.add(a, b)
        if op == "-":
            return self.sub(a, b)
        if op == "*":
            return self.mul(a, b)
        if op == "/":
            return self.div(a, b)
        return self.pow(a, b)

    def children(self, i: int) -> tuple[int, ...]:
        node = self.nodes[i]
        kind = node[0]
        if kind in ("add", "mul", "div", "pow"):
            return node[1], node[2]
        if kind == "neg":
            return (node[1],)
        if kind == "fn":
            return (node[2],)
        if kind == "guard":
            return node[1], node[2]
        return ()

    def reachable(self, roots: list[int]) -> list[int]:
        seen: set[int] = set()
        stack = list(roots)
        while stack:
            i = stack.pop()
            if i not in seen:
                seen.add(i)
                stack.extend(self.children(i))
        return sorted(seen)

    def derivative(self, root: int, var: str, memo: dict[int, int]) -> int:
        """d root / d var, symbolically; memo (node -> its derivative) is shared across calls for one var."""
        for i in self.reachable([root]):
            if i not in memo:
                memo[i] = self._derive(i, var, memo)
        return memo[root]

    def _derive(self, i: int, var: str, memo: dict[int, int]) -> int:
        node = self.nodes[i]
        kind = node[0]
        if kind == "num":
            return self.zero
        if kind == "var":
            return self.one if node[1] == var else self.zero
        if kind == "neg":
            return self.neg(memo[node[1]])
        if kind == "guard":  # the derivative is undefined where f is
            return self.guard(memo[node[1]], node[2])
        if kind == "fn":
            name, a = node[1], node[2]
            da = memo[a]
            if da == self.zero or name == "sign":
                return self.zero
            if name == "sin":
                return self.mul(self.fn("cos", a), da)
            if name == "cos":
                return self.neg(self.mul(self.fn("sin", a), da))
            if name == "tan":
                return self.mul(self.add(self.one, self.mul(i, i)), da)
            if name == "exp":
                return self.mul(i, da)
            if name == "log":
                return self.div(da, a)
            if name == "sqrt":
                return self.div(da, self.mul(self.num(2.0), i))
            if name == "abs":
                return self.mul(self.fn("sign", a), da)
            if name == "tanh":
                return self.mul(self.sub(self.one, self.mul(i, i)), da)
            if name == "sinh":
                return self.mul(self.fn("cosh", a), da)
            if name == "cosh":
                return self.mul(self.fn("sinh", a), da)
            raise AssertionError(name)
        a, b = node[1], node[2]
        da, db = memo[a], memo[b]
        if kind == "add":
            return self.add(da, db)
        if kind == "mul":
            return self.add(self.mul(da, b), self.mul(a, db))
        if kind == "div":  # (a/b)' = (a' - (a/b) b') / b
            return self.div(self.sub(da, self.mul(i, db)), b)
        # pow
        c = self.value(b)
        if c is not None:  # (a^c)' = c a^(c-1) a'
            return self.mul(self.mul(b, self.pow(a, self.num(c - 1.0))), da)
        # (a^b)' = a^b (b' ln a + b a' / a)
        return self.mul(i, self.add(self.mul(db, self.fn("log", a)), self.div(self.mul(b, da), a)))


class _Program:
    """A straight-line program computing some DAG nodes from x and y with NumPy, freeing values after last use."""

    def __init__(self, graph: _Graph, outputs: list[int]):
        order = graph.reachable(outputs)
        last_use: dict[int, int] = {}
        for pos, i in enumerate(order):
            for c in graph.children(i):
                last_use[c] = pos
        keep = set(outputs)
        frees: list[list[int]] = [[] for _ in order]
        for c, pos in last_use.items():
            if c not in keep:
                frees[pos].append(c)
        self.steps = [(i, graph.nodes[i], tuple(frees[pos])) for pos, i in enumerate(order)]
        self.outputs = list(outputs)

    def __len__(self) -> int:
        return len(self.steps)

    def run(self, xy: np.ndarray) -> list[Any]:
        x, y = xy[..., 0], xy[..., 1]
        vals: dict[int, Any] = {}
        for i, node, frees in self.steps:
            kind = node[0]
            if kind == "num":
                v = np.float64(node[1])
            elif kind == "var":
                v = x if node[1] == "x" else y
            elif kind == "add":
                v = vals[node[1]] + vals[node[2]]
            elif kind == "mul":
                v = vals[node[1]] * vals[node[2]]
            elif kind == "div":
                v = vals[node[1]] / vals[node[2]]
            elif kind == "pow":
                a, b = vals[node[1]], vals[node[2]]
                v = np.power(a, b)
                v = np.where(np.isfinite(a) & np.isfinite(b), v, np.nan)  # NaN where either is not (NumPy: NaN^0 = 1)
            elif kind == "guard":
                v = np.where(np.isfinite(vals[node[2]]), vals[node[1]], np.nan)
            elif kind == "neg":
                v = -vals[node[1]]
            else:
                v = _NUMPY[node[1]](vals[node[2]])
            vals[i] = v
            for j in frees:
                del vals[j]
        return [vals[o] for o in self.outputs]


def _points(xy: Any) -> np.ndarray:
    xy = np.asarray(xy, dtype=np.float64)
    if xy.ndim == 0 or xy.shape[-1] != 2:
        raise ValueError(f"points must have shape (..., 2), got {xy.shape}")
    return xy


class _Compiled:
    """f, grad or hessian of a formula: a picklable callable over xy of shape (..., 2)."""

    def __init__(self, program: _Program, kind: str, formula: str):
        self.program, self.kind, self.formula = program, kind, formula

    def __repr__(self) -> str:
        return f"<{self.kind} of f(x, y) = {self.formula}>"

    def __call__(self, xy: Any) -> np.ndarray:
        xy = _points(xy)
        shape = xy.shape[:-1]
        with np.errstate(all="ignore"):
            outs = self.program.run(xy)
        if self.kind == "f":
            out = np.empty(shape)
            out[...] = outs[0]
        elif self.kind == "grad":
            out = np.empty((*shape, 2))
            out[..., 0], out[..., 1] = outs
        else:
            hxx, hxy, hyy = outs
            out = np.empty((*shape, 2, 2))
            out[..., 0, 0], out[..., 0, 1], out[..., 1, 0], out[..., 1, 1] = hxx, hxy, hxy, hyy
        return out


# ---------------------------------------------------------------------------------------------------------
# The public API


def parse(text: Any) -> _Node:
    """The checked syntax tree of `text` (FormulaError on anything not allowed). Does no evaluation."""
    if not isinstance(text, str):
        raise FormulaError(_("the formula must be text, got {type}").format(type=type(text).__name__))
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            _("input is {length} characters; the limit is {limit}").format(length=len(text), limit=MAX_LENGTH)
        )
    if not text.strip():
        raise FormulaError(
            _("the formula is empty: type an expression in x and y, e.g. {example}").format(example=EXAMPLE)
        )
    tree = _Parser(text).parse()
    _check_constants(tree)
    return tree


def normalize(text: str) -> str:
    """The canonical text of a formula: ^ for powers, no redundant parentheses or unary plus, spaced + and -."""
    return _normal_text(parse(text))


def _normal_text(tree: _Node) -> str:
    spaced = _text(tree, True)
    return spaced if len(spaced) <= MAX_LENGTH else _text(tree, False)


def latex(text: str) -> str:
    """The formula in LaTeX: f(x, y) = ..."""
    return "f(x, y) = " + _latex(parse(text))[0]


def check_bounds(bounds: Any) -> Bounds:
    """((xmin, xmax), (ymin, ymax)) as floats; ValueError unless finite, within ±MAX_BOUND and min < max."""
    if bounds is None:
        return DEFAULT_BOUNDS
    try:
        (x0, x1), (y0, y1) = bounds
        vals = [float(v) for v in (x0, x1, y0, y1)]
    except (TypeError, ValueError):
        raise ValueError(
            _("bounds must be ((xmin, xmax), (ymin, ymax)), got {bounds}").format(bounds=repr(bounds))
        ) from None
    names = ("xmin", "xmax", "ymin", "ymax")
    for name, v in zip(names, vals, strict=True):
        if not (math.isfinite(v) and abs(v) <= MAX_BOUND):
            raise ValueError(
                _("{name} must be a finite number in [{low}, {high}], got {value}").format(
                    name=name, low=f"{-MAX_BOUND:g}", high=f"{MAX_BOUND:g}", value=repr(v)
                )
            )
    if not vals[0] < vals[1]:
        raise ValueError(
            _("xmin must be less than xmax, got {low} and {high}").format(low=f"{vals[0]:g}", high=f"{vals[1]:g}")
        )
    if not vals[2] < vals[3]:
        raise ValueError(
            _("ymin must be less than ymax, got {low} and {high}").format(low=f"{vals[2]:g}", high=f"{vals[3]:g}")
        )
    return (vals[0], vals[1]), (vals[2], vals[3])


def from_formula(text: str, bounds: Any = None) -> Surface:
    """A Surface for f(x, y) = text, with its exact gradient and Hessian; ValueError (FormulaError) if rejected.

    bounds: the view ((xmin, xmax), (ymin, ymax)), default ((-3, 3), (-3, 3)). Results are cached.
    """
    checked = check_bounds(bounds)
    if not isinstance(text, str):
        raise FormulaError(_("the formula must be text, got {type}").format(type=type(text).__name__))
    return CACHE.get_or_make((text, checked), lambda: _from_formula(text, checked))


# The compiled surfaces of the formulas typed so far, shared by every session: bounded in bytes, not in entries (a
# 270-character power tower holds about 0.8 MB of programs, a short formula a few kB); budget/memory.py.
CACHE = BoundedCache("formulas", FORMULAS_MB * MB)


def _from_formula(text: str, bounds: Bounds) -> Surface:
    tree = parse(text)
    formula = _normal_text(tree)
    g = _Graph()
    try:
        f = g.build(tree)
    except _Located as exc:
        raise FormulaError(exc.message, exc.column) from None
    mx: dict[int, int] = {}
    my: dict[int, int] = {}
    gx, gy = g.derivative(f, "x", mx), g.derivative(f, "y", my)
    hxx, hxy, hyy = g.derivative(gx, "x", mx), g.derivative(gx, "y", my), g.derivative(gy, "y", my)
    f_fn = _Compiled(_Program(g, [f]), "f", formula)
    grad_fn = _Compiled(_Program(g, [gx, gy]), "grad", formula)
    hess_fn = _Compiled(_Program(g, [hxx, hxy, hyy]), "hessian", formula)
    short = formula if len(formula) <= 40 else formula[:39] + "…"
    return Surface(
        name="custom",
        title=f"Custom: {short}",
        description=f"Your formula f(x, y) = {short}, with its gradient and Hessian derived exactly.",
        latex="f(x, y) = " + _latex(tree)[0],
        f=f_fn,
        grad=grad_fn,
        hessian=hess_fn,
        bounds=bounds,
        starts=_suggest_start(f_fn, grad_fn, hess_fn, bounds)[None, :],  # read-only once in the Surface
        min_value=None,
        formula=formula,
    )


_START_FRACTIONS = [(0.8, 0.8), (0.2, 0.8), (0.8, 0.2), (0.2, 0.2), (0.7, 0.55), (0.55, 0.7), (0.3, 0.6)]


def _suggest_start(f, grad, hessian, bounds: Bounds) -> np.ndarray:
    """A start inside the view where f, its gradient and Hessian are finite and the gradient is not zero
    (preferring the same corner as the built-ins); otherwise any finite point, otherwise the centre."""
    lo = np.array([bounds[0][0], bounds[1][0]])
    span = np.array([bounds[0][1] - bounds[0][0], bounds[1][1] - bounds[1][0]])
    u = np.linspace(0.05, 0.95, 19)
    grid = np.stack(np.meshgrid(u, u), axis=-1).reshape(-1, 2)
    pts = lo + span * np.concatenate([np.array(_START_FRACTIONS), grid])
    fv, gv, hv = f(pts), grad(pts), hessian(pts)
    finite = np.isfinite(fv) & np.isfinite(gv).all(-1) & np.isfinite(hv).all((-1, -2))
    moving = finite & (np.abs(gv).max(-1) > 0)
    for ok in (moving, finite):
        idx = np.flatnonzero(ok)
        if idx.size:
            return pts[idx[0]]
    return lo + span / 2
