"""A deliberately small formula evaluator for computed values of USER_ENTERED formulas.

The stored formula text is always returned verbatim for valueRenderOption=FORMULA; this module only
computes what FORMATTED_VALUE / UNFORMATTED_VALUE show.  Supported (anything else yields ``#NAME?``):

* literals: numbers, ``"strings"`` (``""`` escapes a quote), TRUE/FALSE;
* references: ``A1``, ``$A$1``, ``Sheet!A1``, ``'My sheet'!A1:B3``, whole columns ``A:A``;
* operators: unary ``+ -``, postfix ``%``, ``^ * / + - &`` and comparisons ``= <> < > <= >=``;
* functions: SUM AVERAGE MIN MAX COUNT COUNTA IF IFERROR AND OR NOT CONCATENATE CONCAT LEN UPPER
  LOWER TRIM ROUND ABS TODAY NOW DATE.
Errors: ``#DIV/0!``, ``#VALUE!``, ``#NAME?``, ``#REF!`` (also for circular references), ``#ERROR!``
(parse error).  Results are not auto-formatted (TODAY() yields a bare serial number).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .a1 import letters_to_col
from .cells import ErrorValue, Scalar, to_serial

Value = Any  # Scalar | ErrorValue | list[list[Scalar]]

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<str>"(?:[^"]|"")*")
  | (?P<ref>(?:(?:'(?:[^']|'')+'|[A-Za-z_][A-Za-z0-9_.]*)!)?
        (?:\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?|\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3})(?![A-Za-z0-9_(]))
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<op><>|<=|>=|[-+*/^&=<>%(),;])
    )""",
    re.VERBOSE,
)


class _ParseError(Exception):
    pass


@dataclass
class Ref:
    """A parsed reference: sheet title (None = same sheet) and a 0-based, end-exclusive box."""

    sheet: str | None
    r0: int
    r1: int | None
    c0: int
    c1: int


class Context:
    """What the evaluator needs from the spreadsheet; ``lookup`` returns a cell's computed value."""

    def __init__(
        self,
        lookup: Callable[[str | None, int, int], Value],
        rows: Callable[[str | None], int],
        now_serial: Callable[[], float],
    ) -> None:
        self.lookup = lookup
        self.rows = rows
        self.now_serial = now_serial


def _parse_ref(text: str) -> Ref:
    sheet = None
    if "!" in text:
        sheet, _, text = text.rpartition("!")
        if sheet.startswith("'"):
            sheet = sheet[1:-1].replace("''", "'")
    text = text.replace("$", "")
    parts = text.split(":")
    coords = []
    for p in parts:
        m = re.fullmatch(r"([A-Za-z]+)(\d*)", p)
        assert m is not None
        coords.append((letters_to_col(m.group(1)), int(m.group(2)) - 1 if m.group(2) else None))
    (c0, r0), (c1, r1) = coords[0], coords[-1]
    if r0 is None:
        return Ref(sheet, 0, None, min(c0, c1), max(c0, c1) + 1)
    assert r1 is not None
    return Ref(sheet, min(r0, r1), max(r0, r1) + 1, min(c0, c1), max(c0, c1) + 1)


def to_number(v: Value) -> float | ErrorValue:
    """Coerce like Sheets: bool -> 1/0, empty -> 0, numeric text -> number, else #VALUE!."""
    if isinstance(v, ErrorValue):
        return v
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, int | float):
        return float(v)
    if v is None or v == "":
        return 0.0
    try:
        return float(str(v).strip())
    except ValueError:
        return ErrorValue("#VALUE!", f"Function expects a number; '{v}' is text.")


def to_text(v: Value) -> str:
    """Coerce to text the way ``&`` does."""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return "" if v is None else str(v)


class _Parser:
    def __init__(self, text: str, ctx: Context) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                if text[pos:].strip() == "":
                    break
                raise _ParseError(text[pos:])
            kind = m.lastgroup or ""
            self.tokens.append((kind, m.group(kind)))
            pos = m.end()
        self.i = 0
        self.ctx = ctx

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, op: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (op is not None and tok[1] != op):
            raise _ParseError(op or "end")
        self.i += 1
        return tok

    def parse(self) -> Value:
        v = self.comparison()
        if self.peek() is not None:
            raise _ParseError("trailing")
        return v

    def _binary(
        self, ops: tuple[str, ...], nxt: Callable[[], Value], fn: Callable[[str, Value, Value], Value]
    ) -> Value:
        left = nxt()
        while (tok := self.peek()) is not None and tok[0] == "op" and tok[1] in ops:
            self.i += 1
            left = fn(tok[1], left, nxt())
        return left

    def comparison(self) -> Value:
        return self._binary(("=", "<>", "<", ">", "<=", ">="), self.concat, _compare)

    def concat(self) -> Value:
        return self._binary(
            ("&",), self.additive, lambda _o, a, b: _err(a, b) or to_text(_scalar(a)) + to_text(_scalar(b))
        )

    def additive(self) -> Value:
        return self._binary(("+", "-"), self.term, _arith)

    def term(self) -> Value:
        return self._binary(("*", "/"), self.power, _arith)

    def power(self) -> Value:
        return self._binary(("^",), self.unary, _arith)

    def unary(self) -> Value:
        tok = self.peek()
        if tok and tok[0] == "op" and tok[1] in "+-":
            self.i += 1
            v = to_number(_scalar(self.unary()))
            return v if isinstance(v, ErrorValue) else (-v if tok[1] == "-" else v)
        v = self.primary()
        while (tok := self.peek()) is not None and tok == ("op", "%"):
            self.i += 1
            n = to_number(_scalar(v))
            v = n if isinstance(n, ErrorValue) else n / 100
        return v

    def primary(self) -> Value:
        kind, text = self.take()
        if kind == "num":
            return float(text)
        if kind == "str":
            return text[1:-1].replace('""', '"')
        if kind == "ref":
            return self.resolve(_parse_ref(text))
        if kind == "op" and text == "(":
            v = self.comparison()
            self.take(")")
            return v
        if kind == "name":
            if (tok := self.peek()) is not None and tok == ("op", "("):
                self.i += 1
                args: list[Value] = []
                if self.peek() != ("op", ")"):
                    args.append(self.comparison())
                    while self.peek() in (("op", ","), ("op", ";")):
                        self.i += 1
                        args.append(self.comparison())
                self.take(")")
                return call(text.upper(), args, self.ctx)
            if text.upper() in ("TRUE", "FALSE"):
                return text.upper() == "TRUE"
            return ErrorValue("#NAME?", f"Unknown range name: '{text}'.")
        raise _ParseError(text)

    def resolve(self, ref: Ref) -> Value:
        r1 = ref.r1 if ref.r1 is not None else self.ctx.rows(ref.sheet)
        if ref.r1 is not None and r1 - ref.r0 == 1 and ref.c1 - ref.c0 == 1:
            return self.ctx.lookup(ref.sheet, ref.r0, ref.c0)
        return [[self.ctx.lookup(ref.sheet, r, c) for c in range(ref.c0, ref.c1)] for r in range(ref.r0, r1)]


def _scalar(v: Value) -> Value:
    if isinstance(v, list):
        return v[0][0] if v and v[0] else None
    return v


def _err(*vals: Value) -> ErrorValue | None:
    for v in vals:
        if isinstance(v, ErrorValue):
            return v
    return None


def _arith(op: str, a: Value, b: Value) -> Value:
    x, y = to_number(_scalar(a)), to_number(_scalar(b))
    if isinstance(x, ErrorValue):
        return x
    if isinstance(y, ErrorValue):
        return y
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "/":
        return ErrorValue("#DIV/0!", "Function DIVIDE parameter 2 cannot be zero.") if y == 0 else x / y
    try:
        return float(math.pow(x, y))
    except (OverflowError, ValueError):
        return ErrorValue("#NUM!")


def _compare(op: str, a: Value, b: Value) -> Value:
    a, b = _scalar(a), _scalar(b)
    if (e := _err(a, b)) is not None:
        return e

    def key(v: Value) -> tuple[int, Any]:
        if isinstance(v, bool):
            return (2, v)
        if isinstance(v, float) or v is None:
            return (0, v or 0.0)
        return (1, str(v).lower())

    ka, kb = key(a), key(b)
    return {
        "=": ka == kb,
        "<>": ka != kb,
        "<": ka < kb,
        ">": ka > kb,
        "<=": ka <= kb,
        ">=": ka >= kb,
    }[op]


def _flatten(args: list[Value]) -> list[Value]:
    out: list[Value] = []
    for a in args:
        if isinstance(a, list):
            out.extend(v for row in a for v in row)
        else:
            out.append(a)
    return out


def _numbers(args: list[Value]) -> list[float] | ErrorValue:
    nums: list[float] = []
    for a in args:
        if isinstance(a, list):
            for v in _flatten([a]):
                if isinstance(v, ErrorValue):
                    return v
                if isinstance(v, float) and not isinstance(v, bool):
                    nums.append(v)
        else:
            n = to_number(a)
            if isinstance(n, ErrorValue):
                return n
            nums.append(n)
    return nums


def call(name: str, args: list[Value], ctx: Context) -> Value:
    """Evaluate a supported function; unknown names give ``#NAME?``."""
    if name in ("SUM", "AVERAGE", "MIN", "MAX", "COUNT"):
        if name == "COUNT":
            return float(sum(1 for v in _flatten(args) if isinstance(v, float) and not isinstance(v, bool)))
        nums = _numbers(args)
        if isinstance(nums, ErrorValue):
            return nums
        if name == "SUM":
            return float(sum(nums))
        if name == "AVERAGE":
            return ErrorValue("#DIV/0!") if not nums else sum(nums) / len(nums)
        return (min if name == "MIN" else max)(nums) if nums else 0.0
    if name == "COUNTA":
        return float(sum(1 for v in _flatten(args) if v not in (None, "")))
    if name == "IF":
        cond = _scalar(args[0]) if args else False
        if isinstance(cond, ErrorValue):
            return cond
        truthy = bool(to_number(cond)) if not isinstance(cond, str) else cond != ""
        pick = args[1] if truthy and len(args) > 1 else (args[2] if not truthy and len(args) > 2 else False)
        return _scalar(pick)
    if name == "IFERROR":
        first = _scalar(args[0]) if args else None
        return (_scalar(args[1]) if len(args) > 1 else "") if isinstance(first, ErrorValue) else first
    if name in ("AND", "OR"):
        vals = [bool(to_number(v)) for v in _flatten(args) if v not in (None, "")]
        return all(vals) if name == "AND" else any(vals)
    if name == "NOT":
        return not bool(to_number(_scalar(args[0]))) if args else ErrorValue("#N/A")
    if name in ("CONCATENATE", "CONCAT"):
        flat = _flatten(args)
        return _err(*flat) or "".join(to_text(v) for v in flat)
    if name in ("LEN", "UPPER", "LOWER", "TRIM"):
        s = to_text(_scalar(args[0])) if args else ""
        return {
            "LEN": lambda: float(len(s)),
            "UPPER": s.upper,
            "LOWER": s.lower,
            "TRIM": lambda: " ".join(s.split()),
        }[name]()
    if name in ("ROUND", "ABS"):
        n = to_number(_scalar(args[0])) if args else 0.0
        if isinstance(n, ErrorValue):
            return n
        if name == "ABS":
            return abs(n)
        digits = int(to_number(_scalar(args[1])) or 0) if len(args) > 1 else 0  # type: ignore[arg-type]
        q = 10.0**digits
        return math.floor(abs(n) * q + 0.5) / q * (1 if n >= 0 else -1)
    if name in ("TODAY", "NOW"):
        now = ctx.now_serial()
        return float(math.floor(now)) if name == "TODAY" else now
    if name == "DATE" and len(args) == 3:
        y, m, d = (int(to_number(_scalar(a))) for a in args)  # type: ignore[arg-type]
        try:
            return to_serial(datetime(y, m, d))
        except ValueError:
            return ErrorValue("#NUM!")
    return ErrorValue("#NAME?", f"Unknown function: '{name}'.")


def evaluate(formula: str, ctx: Context) -> Scalar | ErrorValue:
    """Compute a formula (text including the leading ``=``) to a scalar or an ErrorValue."""
    try:
        result = _Parser(formula[1:], ctx).parse()
    except (_ParseError, AssertionError, IndexError, ValueError):
        return ErrorValue("#ERROR!", "Formula parse error.")
    result = _scalar(result)
    if isinstance(result, float) and (math.isnan(result) or math.isinf(result)):
        return ErrorValue("#NUM!")
    return result
