# Commit log: exact lines for EV_CP events (register written, none, source, illegal word, wide
# cycles); engine start/end events are not logged; path and stream destinations.
import io

import numpy as np

from thead_isa.assembler.program import LineEntry, Program
from thead_isa.core.commitlog import CommitLog, format_line
from thead_isa.core.events import EV_CP, EV_END, EV_START, EVENT, UNIT_CP, UNIT_TE
from thead_isa.isa import encode


def events(*specs):
    a = np.zeros(len(specs), EVENT)
    a["rd"] = a["wait"] = a["sig"] = -1
    for i, spec in enumerate(specs):
        for k, v in spec.items():
            a[k][i] = v
        a["op"][i] = a["word"][i] & 0xFF
    return a


ADD = encode("add", rd=5, rs1=1, rs2=2)
GEMM = encode("gemm", c=1, a=2, b=3, acc=True, wait=1, sig=2)
STREAM = events(
    dict(kind=EV_CP, unit=UNIT_CP, t1=3, pc=0x40, word=ADD, rd=5, value=42),
    dict(kind=EV_CP, unit=UNIT_CP, t1=4, pc=0x48, word=GEMM),
    dict(kind=EV_START, unit=UNIT_TE, t1=5, pc=0x48, word=GEMM),
    dict(kind=EV_END, unit=UNIT_TE, t1=9, pc=0x48, word=GEMM),
    dict(kind=EV_CP, unit=UNIT_CP, t1=12345678901, pc=0x50, word=encode("addi", rd=31, rs1=0,
                                                                       imm=-1),
         rd=31, value=0xFFFFFFFF),
    dict(kind=EV_CP, unit=UNIT_CP, t1=13, pc=0x58, word=0xFF),
)
PROGRAM = Program(lines=[LineEntry(0x40, "prog.s", 7), LineEntry(0x48, "prog.s", 8)])
EXPECTED = [
    "         3  0x00000040  0x0000000000082501  add x5, x1, x2                    "
    "x5=0x0000002a   prog.s:7",
    "         4  0x00000048  0x000004a301882050  gemm x1, x2, x3, acc, wait=s1, sig=s2  "
    "                prog.s:8",
    "12345678901  0x00000050  0xffffffff00001f10  li x31, -1                        "
    "x31=0xffffffff",
    "        13  0x00000058  0x00000000000000ff  .word 0x00000000000000ff",
]


def test_exact_lines():
    assert f"{GEMM:016x}" == "000004a301882050" and f"{STREAM['word'][2]:016x}" == f"{GEMM:016x}"
    out = io.StringIO()
    log = CommitLog(out, program=PROGRAM)
    log.feed(STREAM[:3])
    log.feed(STREAM[3:])
    log.close()
    assert out.getvalue().splitlines() == EXPECTED


def test_columns_are_fixed_width():
    lines = [format_line(c, 0x10, ADD, rd, 1, src)
             for c, rd, src in ((1, 5, "a.s:1"), (99, -1, "a.s:2"), (10**9, 12, None))]
    assert [line.index("0x") for line in lines] == [12] * 3
    assert lines[0].index("a.s:1") == lines[1].index("a.s:2")
    assert lines[1] == ("        99  0x00000010  0x0000000000082501  add x5, x1, x2"
                        + " " * 36 + "a.s:2")


def test_path_destination(tmp_path):
    path = tmp_path / "commit.log"
    log = CommitLog(str(path))
    log.feed(STREAM[:1])
    log.feed(STREAM[:0])
    log.close()
    assert path.read_text() == EXPECTED[0][:EXPECTED[0].index("   prog.s")] + "\n"
