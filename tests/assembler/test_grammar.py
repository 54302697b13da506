# The statement grammar: node positions, and the fast path agreeing with Lark on random statements.
import pytest
from hypothesis import given, strategies as st

from thead_isa.assembler.expressions import Expr
from thead_isa.assembler.grammar import ParseError, lark_statement, parse_statement
from thead_isa.assembler.quickparse import quick_parse
from thead_isa.assembler.source import read_lines, split_statements


def dump(node):
    """A comparable structure of syntax nodes (expression nodes have no __eq__)."""
    if isinstance(node, Expr):
        return (type(node).__name__,) + tuple(dump(getattr(node, s)) for s in
                                              ("pos",) + type(node).__slots__)
    if isinstance(node, tuple):
        return tuple(dump(x) for x in node)
    if hasattr(node, "__dataclass_fields__"):
        return (type(node).__name__,) + tuple(dump(getattr(node, f))
                                              for f in node.__dataclass_fields__)
    return node


def test_statement_nodes_and_offsets():
    st_ = lark_statement("a: 1: lw x1, -8(x2), wait=s3, acc")
    assert [(lab.name, lab.pos, lab.local) for lab in st_.labels] == \
        [("a", 0, False), ("1", 3, True)]
    assert (st_.name, st_.name_pos) == ("lw", 6)
    mem = st_.operands[1]
    assert (mem.pos, mem.end, mem.offset.op, mem.offset.arg.value, mem.base.name) == \
        (13, 19, "-", 8, "x2")
    opt = st_.operands[2]
    assert (opt.key, opt.pos, opt.end, opt.value.name) == ("wait", 21, 28, "s3")
    assign = lark_statement("x = 1 + 2")
    assert (assign.name, assign.assign.op) == ("x", "+")


@pytest.mark.parametrize("text", [
    "add x1, x2, x3", "loop: beq x1, x2, loop", "1: j 1b", "lw x1, -8(x2)", "jalr x0, (x1)",
    "gemm x1, x2, x3, acc, wait=s1", ".word 1, 2, 3", "a: b:", "", "nop", "li x1, 0x10",
    "dma.tr x1, x2, esz=4", "j .", "sw x1, 0 ( x2 )",
])
def test_common_lines_take_the_fast_path(text):
    quick = quick_parse(text)
    assert quick is not None
    assert dump(quick) == dump(lark_statement(text))


@pytest.mark.parametrize("text", [
    "x = 1", ".ascii \"a\"", "li x1, 1 + 2", "li x1, 'a'", "add x1,, x2", "li x1, 0x", "1x: nop",
    "lw x1, -(x2)", "a: 5", "li x1, --1", "add x1 x2",
])
def test_other_lines_go_to_the_grammar(text):
    assert quick_parse(text) is None


PIECES = st.sampled_from([
    "x1", "x31", "s3", "foo", ".", "_a.b$", "5", "-5", "- 5", "0x1f", "0b101", "017", "1b", "2f",
    "08", "0x", "1x", "4(x2)", "-8(x3)", "(x4)", "foo(x5)", "- 4 ( x6 )", "wait=s1", "esz = 4",
    "k=-1", "a==b", "1+2", "'c'", '"s"', "@nobits", "(1)(x2)", "", " ", "-", "(", ")", "=", ":",
])


@st.composite
def statements(draw):
    labels = draw(st.lists(st.sampled_from(["a:", "1:", "L.x :", "01:", "1x:", "x1:"]),
                           max_size=2))
    name = draw(st.sampled_from(["add", "lw", ".word", "dma.ld", "x", "1", ""]))
    ops = draw(st.lists(PIECES, max_size=4))
    sep = draw(st.sampled_from([", ", ",", " , "]))
    return " ".join(labels + [name]) + (" " + sep.join(ops) if ops else "")


@given(statements())
def test_fast_path_agrees_with_the_grammar(text):
    quick = quick_parse(text)
    try:
        reference = lark_statement(text)
    except ParseError:
        assert quick is None, text
        return
    if quick is not None:
        assert dump(quick) == dump(reference), text
    assert dump(parse_statement(text)) == dump(reference)


def test_comments_and_separators_keep_columns():
    lines = list(read_lines('a: nop # c\n  x /* y */ ; .ascii "#;" ; z\n/* open\n   */ b\n',
                            "f.s", None))
    assert [[(s.text, s.col) for s in stmts] for _, stmts in lines] == [
        [("a: nop", 1)], [("x", 3), ('.ascii "#;"', 15), ("z", 29)], [], [("b", 7)]]
    assert split_statements("a;;b; ") == [("a", 1), ("b", 4)]


def test_string_and_char_terminals_exclude_the_backslash():
    """Lark rewrites a class written [^\\\\"] as [^\\"] (which matches a backslash too, so an
    unterminated string of backslashes backtracked exponentially); the grammar writes [^"\\\\]."""
    import re
    import time

    from thead_isa.assembler import grammar
    terms = {t.name: t.pattern.to_regexp() for t in grammar.parser().terminals}
    assert terms["STRING"] == r'"(?:\\.|[^"\\])*"'
    assert terms["CHAR"].endswith(r"|[^'\\])'")
    line = '"' + "\\\\" * 400 + "x"
    t0 = time.perf_counter()
    assert re.compile(terms["STRING"]).match(line) is None
    assert time.perf_counter() - t0 < 0.5
