# The statement grammar (Lark, LALR) and the parser that turns one statement into syntax nodes.
from __future__ import annotations

from functools import lru_cache

from lark import Lark, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from .expressions import Binary, Dot, Expr, LocalRef, Name, Num, Paren, Unary
from .literals import LiteralError, char_value, int_value, string_value
from .quickparse import clear_operands, quick_expression_statement, quick_parse
from .syntax import (ExprOperand, Label, MemOperand, OptionOperand, Statement, StringOperand,
                     TypeOperand)

# Mnemonics, directives, registers and CSR names are all NAMEs: they are checked against the ISA
# table after parsing. Expression levels follow GNU as (gas/expr.c op_rank, LLVM
# getGNUBinOpPrecedence), loosest first: || ; && ; comparisons ; + - ; | & ^ ! ; * / % << >>.
GRAMMAR = r"""
statement: label* instruction?

label: NAME COLON
     | INT COLON

instruction: NAME EQUAL expr                   -> assign
           | NAME                              -> insn
           | NAME operand (COMMA operand)*     -> insn

operand: expr                                  -> expr_operand
       | expr LPAR expr RPAR                   -> mem_operand
       | NAME EQUAL expr                       -> option_operand
       | STRING                                -> string_operand
       | TYPE                                  -> type_operand

?expr: lor
?lor: land | lor OROR land                     -> binary
?land: cmp | land ANDAND cmp                   -> binary
?cmp: sum | cmp CMPOP sum                      -> binary
?sum: bits | sum ADDOP bits                    -> binary
?bits: prod | bits BITOP prod                  -> binary
     | bits BANG prod                          -> binary
?prod: unary | prod MULOP unary                -> binary
?unary: atom
      | ADDOP unary                            -> unary
      | TILDE unary                            -> unary
      | BANG unary                             -> unary
?atom: INT                                     -> number
     | NAME                                    -> name
     | CHAR                                    -> char
     | LPAR expr RPAR                          -> paren

NAME: /[A-Za-z_.$][A-Za-z0-9_.$]*/
INT: /[0-9][A-Za-z0-9_]*/
CHAR: /'(?:\\(?:[0-7]{1,3}|x[0-9A-Fa-f]+|.)|[^'\\])'/
STRING: /"(?:\\.|[^"\\])*"/
TYPE: /@[A-Za-z_][A-Za-z0-9_]*/
OROR: "||"
ANDAND: "&&"
CMPOP: /==|!=|<>|<=|>=|<(?![<=>])|>(?![>=])/
ADDOP: /[+-]/
BITOP: /\|(?!\|)|&(?!&)|\^/
BANG: /!(?!=)/
MULOP: /<<|>>|[*\/%]/
TILDE: "~"
EQUAL: /=(?!=)/
COLON: ":"
COMMA: ","
LPAR: "("
RPAR: ")"
%ignore /[ \t\f\v\r]+/
"""


class ParseError(Exception):
    def __init__(self, message: str, pos: int):
        super().__init__(message)
        self.message, self.pos = message, pos


class _Build(Transformer):
    """Inline LALR callbacks: Lark tokens -> syntax nodes; positions come from the tokens."""

    def __init__(self):
        super().__init__(visit_tokens=False)

    # expressions ---------------------------------------------------------------------------
    def number(self, c):
        tok = c[0]
        try:
            kind, value = int_value(str(tok))
        except LiteralError as e:
            raise ParseError(e.message, tok.start_pos) from None
        if kind == "int":
            node = Num(value, tok.start_pos)
        else:
            node = LocalRef(value[0], value[1], tok.start_pos)
        return _Spanned(node, tok.end_pos)

    def name(self, c):
        tok = c[0]
        node = Dot(tok.start_pos) if tok == "." else Name(str(tok), tok.start_pos)
        return _Spanned(node, tok.end_pos)

    def char(self, c):
        tok = c[0]
        try:
            return _Spanned(Num(char_value(str(tok)), tok.start_pos), tok.end_pos)
        except LiteralError as e:
            raise ParseError(e.message, tok.start_pos) from None

    def paren(self, c):
        return _Spanned(Paren(c[1].node, c[0].start_pos), c[2].end_pos, c[1])

    def unary(self, c):
        op, arg = c
        return _Spanned(Unary(str(op), arg.node, op.start_pos), arg.end, arg)

    def binary(self, c):
        left, op, right = c
        return _Spanned(Binary(str(op), left.node, right.node, op.start_pos), right.end, left,
                        right)

    # operands ------------------------------------------------------------------------------
    def expr_operand(self, c):
        e = c[0]
        return ExprOperand(e.node, _start(e.node), e.end)

    def mem_operand(self, c):
        off, _, base, rpar = c
        return MemOperand(off.node, base.node, _start(off.node), rpar.end_pos)

    def option_operand(self, c):
        key, _, value = c
        return OptionOperand(str(key), value.node, key.start_pos, value.end)

    def string_operand(self, c):
        tok = c[0]
        try:
            return StringOperand(string_value(str(tok)), tok.start_pos, tok.end_pos)
        except LiteralError as e:
            raise ParseError(e.message, tok.start_pos + e.offset) from None

    def type_operand(self, c):
        tok = c[0]
        return TypeOperand(str(tok)[1:], tok.start_pos, tok.end_pos)

    # statements ----------------------------------------------------------------------------
    def label(self, c):
        tok = c[0]
        if tok.type == "INT":
            if not str(tok).isdigit():
                raise ParseError(f"invalid label '{tok}': a numeric local label is decimal "
                                 f"digits only", tok.start_pos)
            return Label(str(tok).lstrip("0") or "0", tok.start_pos, True)
        return Label(str(tok), tok.start_pos)

    def assign(self, c):
        return ("assign", c[0], c[2].node)

    def insn(self, c):
        return ("insn", c[0], tuple(x for x in c[1:] if not hasattr(x, "type")))

    def statement(self, c):
        labels = tuple(x for x in c if isinstance(x, Label))
        rest = [x for x in c if not isinstance(x, Label)]
        if not rest:
            return Statement(labels, None, 0)
        kind, name, payload = rest[0]
        if kind == "assign":
            return Statement(labels, str(name), name.start_pos, (), payload)
        return Statement(labels, str(name), name.start_pos, payload)


MAX_DEPTH = 200               # expression nesting (evaluation is recursive)


class _Spanned:
    """An expression node, the offset just past its last token (for operand ends) and its depth."""
    __slots__ = ("node", "end", "depth")

    def __init__(self, node: Expr, end: int, *children: "_Spanned"):
        self.node, self.end = node, end
        self.depth = 1 + max((c.depth for c in children), default=0)
        if self.depth > MAX_DEPTH:
            raise ParseError(f"expression nested too deeply (more than {MAX_DEPTH} levels)",
                             node.pos)


def _start(e: Expr) -> int:
    while isinstance(e, Binary):
        e = e.left
    return e.pos


@lru_cache(maxsize=1)
def parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr", lexer="contextual", start=["statement", "expr"],
                transformer=_Build(), maybe_placeholders=False, cache=False)


_EXPR_START = {"CHAR"}          # only an expression can start with a character literal


def _describe(err: UnexpectedInput, text: str) -> ParseError:
    if isinstance(err, UnexpectedCharacters):
        ch = text[err.pos_in_stream]
        if ch == '"':
            return ParseError("unterminated string", err.pos_in_stream)
        if ch == "'":
            return ParseError("invalid character literal", err.pos_in_stream)
        return ParseError(f"unexpected character '{ch}'", err.pos_in_stream)
    assert isinstance(err, UnexpectedToken)
    tok = err.token
    if tok.type == "$END":
        what, pos = "end of statement", len(text.rstrip())
    else:
        what, pos = f"'{tok}'", tok.start_pos
    expected = set(err.expected)
    if expected & _EXPR_START:
        hint = "; expected an expression"
    elif "RPAR" in expected:
        hint = "; expected ')'"
    elif "COMMA" in expected:
        hint = "; expected ','"
    else:
        hint = ""
    return ParseError(f"unexpected {what}{hint}", pos)


quick_statement = lru_cache(maxsize=8192)(quick_parse)
quick_statement.__doc__ = """quick_parse, remembered: the Statement of a simple statement, else None."""


@lru_cache(maxsize=8192)
def parse_statement(text: str) -> Statement:
    """Parse one statement (no comments, no `;`); raises ParseError. Results are shared: the
    nodes are never modified."""
    quick = quick_statement(text)
    if quick is None:
        quick = quick_expression_statement(text)   # operator expressions, without Lark
    if quick is not None:
        return quick
    return lark_statement(text)


def clear_caches() -> None:
    """Forget every remembered statement and operand (benchmarks measure cold runs)."""
    quick_statement.cache_clear()
    parse_statement.cache_clear()
    clear_operands()


def lark_statement(text: str) -> Statement:
    """parse_statement without the fast path (the reference the fast path is tested against)."""
    try:
        return parser().parse(text, start="statement")
    except UnexpectedInput as e:
        raise _describe(e, text) from None


def parse_expression(text: str) -> Expr:
    try:
        return parser().parse(text, start="expr").node
    except UnexpectedInput as e:
        raise _describe(e, text) from None
