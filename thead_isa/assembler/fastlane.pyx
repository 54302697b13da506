# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
# The fast lane: the commonest source lines read, matched and encoded in one compiled pass.
"""Reader(text, file, frame).run(asm) assembles a file's text line by line. A line the lane fully
understands -- blank, comment-only, `label:`, and `[label:] mnemonic operands` / `.text` /
`.data` / `.bss` / `.word`-like data whose operands are registers, decimal or hex integers
(optionally negated), symbols, `1f`/`1b`, `.`, `off(reg)`, `(reg)`, flags and `key=value`
options -- is applied to the assembler's state here, with exactly the effects the general path
(source.py, quickparse.py or the Lark grammar, fastmatch.py, assemble.py) would have. Any other
line, and any line the lane is unsure about (an error to report, a macro name, an open
conditional, a block comment, quotes, `;`, non-ASCII text, an operand out of range ...) goes to
the general path unchanged, before the lane has changed anything: every diagnostic comes from
the general path. The Reader is also the statement stream (`rest`) that .macro/.rept bodies are
taken from.

Every bit comes from the tables compiled from the instruction table (encoders.py, fastmatch.py):
register and CSR names map to bits through the same dicts; a value becomes bits by the table's
own Kind.encode, except for plain kinds (one field, Kind's own check and encode), whose range
check and bit placement are done here from the Kind's lo/hi/align and the field's lsb/width, and
are checked against Put.bits at load time (and by tests/assembler/test_fastpath.py).

Listing rows and line-table rows of lane lines are kept in compact arrays (LaneRun) and become
ListingEntry/LineEntry objects only when a Program's listing or lines are first used.
"""
from cpython.bytearray cimport PyByteArray_AS_STRING, PyByteArray_GET_SIZE, PyByteArray_Resize
from cpython.mem cimport PyMem_Free, PyMem_Realloc
from cpython.unicode cimport PyUnicode_DATA, PyUnicode_GET_LENGTH, PyUnicode_KIND, PyUnicode_READ
from libc.stdint cimport int64_t, uint64_t

from ..isa.fields import FIELDS, WORD_BYTES
from ..isa.operands import Kind, OperandError
from .directives import DATA_SIZES, DIRECTIVES
from .encoders import CSR, FLAG, MEM, REG, SEM, VALUE
from .expressions import Dot, LocalRef, Name, Num, Unary, Value
from .fastmatch import COMPILED
from .instructions import Pending
from .program import LineEntry, ListingEntry
from .sections import default_kind
from .source import Line, SourceError, Stmt, split_line
from .symbols import LABEL, REGISTERS, UNDEF, Entry
from .expressions import Const, Ref
from dataclasses import fields as _fields

# Lines, statements and pending operands are built here without their (Python) __init__, field
# by field, when their fields are the ones known here; else with their constructors.
cdef bint RAW_OBJECTS = (
    [f.name for f in _fields(Line)] == ["file", "line", "text", "frame", "home", "depth"]
    and [f.name for f in _fields(Stmt)] == ["text", "col", "line", "seq"]
    and [f.name for f in _fields(Pending)] == ["name", "kind", "expr", "pos", "put"])
cdef object _new = object.__new__
cdef object _tuple_new = tuple.__new__
cdef bint RAW_NAMES = Name.__slots__ == ("name",) and Name.__mro__[1].__slots__ == ("pos",) \
    and Ref.__slots__ == ("entry",) and Ref.__mro__[1] is Name.__mro__[1]


cdef object make_line(str file, int64_t number, str text, frame):
    if not RAW_OBJECTS:
        return Line(file, number, text, frame)
    line = _new(Line)
    line.file, line.line, line.text, line.frame, line.home, line.depth = \
        file, number, text, frame, (file, number), 0
    return line


cdef object make_stmt(str text, int64_t col, line, int64_t seq):
    if not RAW_OBJECTS:
        return Stmt(text, col, line, seq)
    stmt = _new(Stmt)
    stmt.text, stmt.col, stmt.line, stmt.seq = text, col, line, seq
    return stmt


cdef object make_pending(CPut put, node, int64_t pos):
    if not RAW_OBJECTS:
        return Pending(put.put.name, put.put.kind, node, pos, put.put)
    p = _new(Pending)
    p.name, p.kind, p.expr, p.pos, p.put = put.put.name, put.put.kind, node, pos, put.put
    return p

cdef enum:
    MAXOPS = 12
    A_NUM = 1                   # atom kinds
    A_NAME = 2
    A_LOCAL = 3
    A_DOT = 4
    S_PLAIN = 1                 # operand shapes
    S_MEM = 2
    S_PAREN = 3
    S_OPTION = 4
    K_REG = 1                   # slot and option kinds
    K_VALUE = 2
    K_CSR = 3
    K_MEM = 4
    K_FLAG = 5
    K_SEM = 6
    K_OPTVALUE = 7


# ---- tables compiled from encoders.py ---------------------------------------------------------

cdef class CPut:
    """encoders.Put, with the range check and bit placement of plain kinds in C."""
    cdef object put
    cdef bint plain
    cdef int64_t lo, hi, align
    cdef int lsb, width
    cdef uint64_t mask          # the put's mask (all its fields)
    cdef uint64_t fmask         # the one field's mask (plain kinds)

    def __init__(self, put):
        self.put = put
        self.mask = put.mask
        kind = put.kind
        self.plain = False
        if (type(kind).encode is Kind.encode and type(kind).check is Kind.check
                and len(put.fields) == 1 and len(put.widths) == 1
                and -(1 << 62) <= kind.lo <= kind.hi < (1 << 62) and 0 < kind.align < (1 << 30)
                and 0 < put.widths[0] < 64 and 0 <= put.fields[0][0] < 64):
            self.lo, self.hi, self.align = kind.lo, kind.hi, kind.align
            self.lsb, self.width = put.fields[0][0], put.widths[0]
            self.fmask = put.fields[0][1]
            self.plain = all(self._agrees(v) for v in self._probes(kind))

    @staticmethod
    def _probes(kind):
        out = {0, 1, -1, 2, -2, 7, 8, -8, 31, 32, 255, 256, 4095, -4096, kind.lo, kind.hi,
               kind.lo - 1, kind.hi + 1, kind.lo + kind.align, kind.hi - kind.align, kind.align,
               -kind.align, (1 << 31) - 1, -(1 << 31), 1 << 31, (1 << 32) - 1, 1 << 32}
        return [v for v in out if -(1 << 62) < v < (1 << 62)]

    def _agrees(self, v):
        try:
            want = self.put.bits(v)
        except OperandError:
            want = None
        cdef uint64_t got
        if self.cbits(v, &got) < 0:
            return want is None
        return want == got

    cdef inline int cbits(self, int64_t v, uint64_t *out) noexcept:
        """0 and the bits of v, or -1 when the kind rejects v (plain kinds only)."""
        if v < self.lo or v > self.hi or v % self.align != 0:
            return -1
        out[0] = ((<uint64_t>v & ((<uint64_t>1 << self.width) - 1)) << self.lsb) & self.fmask
        return 0

    cdef int bits(self, int64_t v, uint64_t *out) except -2:
        """0 and the bits of v, or -1 when the kind rejects v."""
        if self.plain:
            return self.cbits(v, out)
        try:
            b = self.put.bits(v)
        except OperandError:
            return -1
        if b < 0 or b >= (1 << 64):
            return -1
        out[0] = b
        return 0


cdef class Names:
    """A name -> bits dict (registers, semaphores, CSR names), with registers by number in C."""
    cdef dict names
    cdef int prefix
    cdef int64_t byreg[100]      # bits of prefix0..prefix99, -1 if not a key

    def __init__(self, dict names, str prefix):
        self.names = names
        self.prefix = ord(prefix) if prefix else 0
        for i in range(100):
            b = names.get(f"{prefix}{i}") if prefix else None
            self.byreg[i] = -1 if b is None or b < 0 or b >= (1 << 62) else b


cdef class CSlot:
    cdef int kind
    cdef CPut put
    cdef Names names
    cdef bint has_zero
    cdef uint64_t zero


cdef class COpt:
    cdef int kind
    cdef CPut put
    cdef Names names
    cdef uint64_t flagbits


cdef class CForm:
    cdef uint64_t base
    cdef list slots
    cdef int n
    cdef dict options            # key -> COpt


cdef dict _SLOT_KINDS = {REG: K_REG, VALUE: K_VALUE, CSR: K_CSR, MEM: K_MEM}
cdef dict _OPT_KINDS = {FLAG: K_FLAG, SEM: K_SEM}


def _prefix(dict names):
    """The register prefix when every key is prefix + decimal number (registers, semaphores)."""
    if not names:
        return ""
    p = {k[:1] for k in names}
    if len(p) == 1 and all(_canonical_number(k[1:]) for k in names):
        return p.pop()
    return ""


def _canonical_number(str s):
    """s is a decimal number as str(int) writes it: ASCII digits, no leading zero."""
    return s.isascii() and s.isdigit() and (s == "0" or s[0] != "0")


cdef Names _names(dict d):
    return Names(d, _prefix(d)) if d is not None else None


def _compile(c):
    if c is None or c.base < 0 or c.base >= (1 << 64):
        return None
    f = CForm()
    f.base = c.base
    f.slots = []
    for s in c.slots:
        cs = CSlot()
        cs.kind = _SLOT_KINDS[s.kind]
        cs.put = CPut(s.put)
        cs.names = _names(s.names)
        cs.has_zero = s.zero is not None
        cs.zero = s.zero if s.zero is not None else 0
        f.slots.append(cs)
    f.n = len(f.slots)
    if f.n > MAXOPS:
        return None
    f.options = {}
    for key, o in c.options.items():
        co = COpt()
        co.kind = _OPT_KINDS.get(o.kind, K_OPTVALUE)
        co.put = CPut(o.put)
        co.names = _names(o.names)
        co.flagbits = o.names[key] if o.kind == FLAG else 0
        f.options[key] = co
    return f


cdef dict FORMS_C = {}
for _m, _c in COMPILED.items():
    _f = _compile(_c)
    if _f is not None:
        FORMS_C[_m] = _f

cdef dict SIZES = dict(DATA_SIZES)
cdef object DATA_HANDLER = DIRECTIVES[".word"]
cdef set SECTION_DIRECTIVES = {".text", ".data", ".bss"}


# ---- listing and line-table rows, compact ------------------------------------------------------

cdef class LaneRun:
    """Listing and line-table rows of consecutive lane lines of one file (an item of
    Assembler.records, standing for one Record per line)."""
    cdef readonly object line           # None: never the Line of a statement
    cdef readonly str file
    cdef str text
    cdef list secs                      # SectionStates, by index
    cdef dict secindex
    cdef int64_t *rec                   # per line: number, text start, end, sec (-1), start, stop
    cdef Py_ssize_t nrec, caprec
    cdef int64_t *ins                   # per instruction: sec, offset, line number
    cdef Py_ssize_t nins, capins

    def __cinit__(self):
        self.rec = NULL
        self.ins = NULL
        self.nrec = self.caprec = self.nins = self.capins = 0

    def __dealloc__(self):
        PyMem_Free(self.rec)
        PyMem_Free(self.ins)

    cdef int sec_id(self, sec) except -1:
        i = self.secindex.get(id(sec))
        if i is None:
            i = self.secindex[id(sec)] = len(self.secs)
            self.secs.append(sec)
        return i

    cdef int add_rec(self, int64_t number, int64_t ts, int64_t te, int sec, int64_t start,
                     int64_t stop) except -1:
        cdef int64_t *p
        if self.nrec == self.caprec:
            cap = self.caprec * 2 + 256
            p = <int64_t *>PyMem_Realloc(self.rec, cap * 6 * sizeof(int64_t))
            if p == NULL:
                raise MemoryError()
            self.rec, self.caprec = p, cap
        p = self.rec + 6 * self.nrec
        p[0], p[1], p[2], p[3], p[4], p[5] = number, ts, te, sec, start, stop
        self.nrec += 1
        return 0

    cdef int add_ins(self, int sec, int64_t off, int64_t number) except -1:
        cdef int64_t *p
        if self.nins == self.capins:
            cap = self.capins * 2 + 256
            p = <int64_t *>PyMem_Realloc(self.ins, cap * 3 * sizeof(int64_t))
            if p == NULL:
                raise MemoryError()
            self.ins, self.capins = p, cap
        p = self.ins + 3 * self.nins
        p[0], p[1], p[2] = sec, off, number
        self.nins += 1
        return 0

    def listing(self, dict contents, list out):
        """Append this run's ListingEntry rows (contents: section name -> final bytes)."""
        cdef Py_ssize_t k
        cdef int64_t *p
        for k in range(self.nrec):
            p = self.rec + 6 * k
            source = self.text[p[1]:p[2]]
            if p[3] < 0:
                out.append(ListingEntry(self.file, p[0], None, 0, b"", source))
            else:
                sec = self.secs[p[3]]
                data = b"" if sec.nobits else contents[sec.name][p[4]:p[5]]
                out.append(ListingEntry(self.file, p[0], sec.name, sec.addr + p[4], data,
                                        source))

    def line_rows(self):
        """This run's line-table rows as bytes: (address, line number) native int64 pairs."""
        cdef Py_ssize_t k
        cdef int64_t *p
        cdef int64_t *q
        cdef int64_t *addr = <int64_t *>PyMem_Realloc(NULL, (len(self.secs) + 1) * sizeof(int64_t))
        if addr == NULL:
            raise MemoryError()
        try:
            for k in range(len(self.secs)):
                addr[k] = self.secs[k].addr
            out = bytearray(self.nins * 2 * sizeof(int64_t))
            q = <int64_t *>PyByteArray_AS_STRING(out)
            for k in range(self.nins):
                p = self.ins + 3 * k
                q[2 * k] = addr[p[0]] + p[1]
                q[2 * k + 1] = p[2]
        finally:
            PyMem_Free(addr)
        return out

    def lines(self, list out):
        """Append this run's LineEntry rows (unsorted)."""
        cdef Py_ssize_t k
        cdef int64_t *p
        new = tuple.__new__                    # LineEntry is a NamedTuple: skip its __new__
        for k in range(self.nins):
            p = self.ins + 3 * k
            out.append(new(LineEntry, (self.secs[p[0]].addr + p[1], self.file, p[2])))


# ---- reading ----------------------------------------------------------------------------------

cdef struct Atom:
    int kind                    # A_*
    Py_ssize_t start, end       # the token, absolute indices in the text
    Py_ssize_t sign             # absolute index of a leading '-', or -1
    int64_t num                 # A_NUM: the value (before the sign)
    int64_t label               # A_LOCAL
    int forward                 # A_LOCAL

cdef struct Opnd:
    int shape                   # S_*
    Atom val                    # S_PLAIN, S_MEM (offset; kind 0 for S_PAREN), S_OPTION (value)
    Py_ssize_t bstart, bend     # S_MEM / S_PAREN: base register name; S_OPTION: key


cdef inline bint is_name_start(int c) noexcept:
    return (c >= 97 and c <= 122) or (c >= 65 and c <= 90) or c == 95 or c == 46 or c == 36

cdef inline bint is_name_char(int c) noexcept:
    return is_name_start(c) or (c >= 48 and c <= 57)

cdef inline bint is_int_char(int c) noexcept:       # [A-Za-z0-9_]
    return (c >= 97 and c <= 122) or (c >= 65 and c <= 90) or c == 95 or (c >= 48 and c <= 57)

cdef inline bint is_digit(int c) noexcept:
    return c >= 48 and c <= 57

cdef inline int hexval(int c) noexcept:
    if c >= 48 and c <= 57:
        return c - 48
    if c >= 97 and c <= 102:
        return c - 87
    if c >= 65 and c <= 70:
        return c - 55
    return -1


cdef class Reader:
    """A file's text as lines: assembled by run(asm), and the statement stream of the general
    path (an iterator of Stmt) for bodies of .macro/.rept/.irp taken from it."""
    cdef str text
    cdef int kind
    cdef void *data
    cdef Py_ssize_t n, pos
    cdef int64_t number
    cdef readonly str file
    cdef object frame
    cdef bint in_block, raised
    cdef tuple opened_at
    cdef list queue
    cdef Py_ssize_t qi
    cdef LaneRun chunk
    cdef public bint enabled
    cdef int64_t max_output
    # the assembler's state, cached while the lane runs (load() / store())
    cdef int64_t seq, output
    cdef bint blocked                   # a conditional is open
    cdef dict macros                    # None when there are none
    cdef object sec, secdata, secname, symbols, entries
    cdef bint seccode, secnobits
    cdef list records, fixups
    cdef list ncache                    # interned names by hash
    cdef list pend                      # pending operands of the instruction being matched
    # the line being looked at by the lane
    cdef Py_ssize_t ls, le, re, s, e
    cdef int nops
    cdef Opnd ops[MAXOPS]

    def __init__(self, str text, str file, frame, int64_t max_output, bint enabled=True):
        self.max_output = max_output
        self.text, self.file, self.frame = text, file, frame
        self.kind = PyUnicode_KIND(text)
        self.data = PyUnicode_DATA(text)
        self.n = len(text)
        self.pos = 0
        self.number = 0
        self.in_block = self.raised = False
        self.opened_at = (0, 0)
        self.queue = []
        self.qi = 0
        self.chunk = None
        self.enabled = enabled
        self.ncache = [None] * 4096

    cdef int load(self, asm) except -1:
        self.seq, self.output = asm.seq, asm.output
        self.blocked = bool(asm.conds)
        self.macros = asm.macros if asm.macros else None
        self.records, self.fixups = asm.records, asm.fixups
        self.symbols = asm.symbols
        self.entries = self.symbols.entries
        self.set_section(asm.section)
        return 0

    cdef int set_section(self, sec) except -1:
        self.sec = sec
        self.secdata, self.secname = sec.data, sec.name
        self.seccode, self.secnobits = sec.code, sec.nobits
        return 0

    cdef int store(self, asm) except -1:
        asm.seq, asm.output = self.seq, self.output
        return 0

    cdef str intern(self, Py_ssize_t s, Py_ssize_t e):
        """text[s:e], the same str object each time the same name comes back."""
        cdef uint64_t h = 1469598103934665603ULL
        cdef Py_ssize_t i, n = e - s
        cdef int kind
        cdef void *data
        for i in range(s, e):
            h = (h ^ <uint64_t>self.at(i)) * 1099511628211ULL
        slot = <Py_ssize_t>(h & 4095)
        cand = self.ncache[slot]
        if cand is not None and PyUnicode_GET_LENGTH(cand) == n:
            kind, data = PyUnicode_KIND(cand), PyUnicode_DATA(cand)
            for i in range(n):
                if <int>PyUnicode_READ(kind, data, i) != self.at(s + i):
                    break
            else:
                return <str>cand
        name = self.text[s:e]
        self.ncache[slot] = name
        return name

    cdef inline int ch(self, Py_ssize_t i) noexcept:
        """The character at i, or 0 past the end (bounds-checked)."""
        if i < 0 or i >= self.n:
            return 0
        return <int>PyUnicode_READ(self.kind, self.data, i)

    cdef inline int at(self, Py_ssize_t i) noexcept:
        """The character at i of the statement being parsed, or 0 outside it."""
        if i < self.s or i >= self.e:
            return 0
        return <int>PyUnicode_READ(self.kind, self.data, i)

    # ---- the general path's statement stream ----

    cdef int next_line(self) except -1:
        """Split the next line the general way (source.split_line) into the queue."""
        cdef Py_ssize_t ls = self.pos, le = ls, re
        while le < self.n and self.ch(le) != 10:
            le += 1
        self.pos = le + 1
        self.number += 1
        re = le
        if re > ls and self.ch(re - 1) == 13:
            re -= 1
        line, stmts, self.in_block, opened = split_line(self.text[ls:re], self.number, self.file,
                                                        self.frame, self.in_block)
        if opened >= 0:
            self.opened_at = (self.number, opened + 1)
        self.queue = stmts if stmts else [Stmt("", 1, line)]
        self.qi = 0
        return 0

    def __iter__(self):
        return self

    def __next__(self):
        if self.qi >= len(self.queue):
            if self.pos >= self.n:
                self._end()
                raise StopIteration
            self.next_line()
        s = self.queue[self.qi]
        self.qi += 1
        return s

    def _end(self):
        if self.in_block and not self.raised:
            self.raised = True
            raise SourceError("unterminated /* comment", *self.opened_at)

    def run(self, asm):
        """Assemble every line (the loop of Assembler.run over this file's statements)."""
        self.load(asm)
        try:
            while True:
                if self.qi < len(self.queue):
                    self.store(asm)
                    while self.qi < len(self.queue):
                        s = self.queue[self.qi]
                        self.qi += 1
                        asm.statement(s, self)
                    self.load(asm)
                if self.pos >= self.n:
                    break
                if self.enabled and not self.in_block and self.lane(asm):
                    continue
                self.next_line()
        finally:
            self.store(asm)
        self._end()

    # ---- the lane ----

    cdef inline Py_ssize_t ws(self, Py_ssize_t i) noexcept:
        while i < self.e and (self.at(i) == 32 or self.at(i) == 9):
            i += 1
        return i

    cdef inline Py_ssize_t name_end(self, Py_ssize_t i) noexcept:
        while i < self.e and is_name_char(self.at(i)):
            i += 1
        return i

    cdef Py_ssize_t atom(self, Py_ssize_t i, Atom *a, bint signed) noexcept:
        """Parse [-] NAME|INT at i (no leading blanks); the index after it, or -1."""
        cdef int c
        cdef Py_ssize_t j, k
        cdef int64_t v
        cdef int d
        a.sign = -1
        if signed and self.at(i) == 45:
            a.sign = i
            i = self.ws(i + 1)
        c = self.at(i)
        if i >= self.e:
            return -1
        if is_name_start(c):
            j = self.name_end(i)
            a.kind = A_DOT if (j == i + 1 and c == 46) else A_NAME
            a.start, a.end = i, j
            return j
        if not is_digit(c):
            return -1
        j = i
        while j < self.e and is_int_char(self.at(j)):
            j += 1
        a.start, a.end = i, j
        # decimal digits, then maybe one b/f (a local label reference)
        k = i
        while k < j and is_digit(self.at(k)):
            k += 1
        if k == j:                                   # all digits
            if j - i > 18 or (c == 48 and j - i > 1):  # long, or octal: the general path
                return -1
            v = 0
            for k in range(i, j):
                v = v * 10 + (self.at(k) - 48)
            a.kind, a.num = A_NUM, v
            return j
        if k == j - 1 and k - i <= 9 and self.at(k) in (98, 102, 66, 70):    # Nb Nf
            v = 0
            for k in range(i, j - 1):
                v = v * 10 + (self.at(k) - 48)
            a.kind, a.label, a.forward = A_LOCAL, v, self.at(j - 1) in (102, 70)
            return j
        if c == 48 and j - i >= 3 and j - i <= 17 and self.at(i + 1) in (120, 88):   # 0x...
            v = 0
            for k in range(i + 2, j):
                d = hexval(self.at(k))
                if d < 0:
                    return -1
                v = v * 16 + d
            a.kind, a.num = A_NUM, v
            return j
        return -1

    cdef Py_ssize_t operand(self, Py_ssize_t i, Opnd *o) noexcept:
        """One operand at i (no leading blanks), up to a ',' or the end; the index of the ','
        or the end, or -1."""
        cdef Py_ssize_t j, k
        o.val.kind = 0
        if self.at(i) == 40:                             # (reg)
            o.shape = S_PAREN
            j = i
        else:
            j = self.atom(i, &o.val, True)
            if j < 0:
                return -1
            j = self.ws(j)
            if self.at(j) == 61 and o.val.sign < 0 and o.val.kind == A_NAME:   # key=value
                if self.at(j + 1) == 61:
                    return -1
                o.shape = S_OPTION
                o.bstart, o.bend = o.val.start, o.val.end
                k = self.atom(self.ws(j + 1), &o.val, False)
                if k < 0:
                    return -1
                k = self.ws(k)
                return k if (k >= self.e or self.at(k) == 44) else -1
            if j >= self.e or self.at(j) == 44:
                o.shape = S_PLAIN
                return j
            if self.at(j) != 40:
                return -1
            o.shape = S_MEM
        j = self.ws(j + 1)                               # after '('
        if not is_name_start(self.at(j)):
            return -1
        o.bstart = j
        o.bend = j = self.name_end(j)
        j = self.ws(j)
        if self.at(j) != 41:
            return -1
        j = self.ws(j + 1)
        return j if (j >= self.e or self.at(j) == 44) else -1

    cdef int lane(self, asm) except -1:
        """Assemble the next line if the lane understands all of it: 1 (done), else 0 (and
        nothing has changed)."""
        cdef Py_ssize_t i, j, ls = self.pos, le, ce = -1, lab_s = -1, lab_e = -1, nm_s, nm_e
        cdef int c
        cdef bint local_label = False
        cdef int64_t local_n = 0
        if self.blocked:
            return 0
        # the line, its code part (up to '#'), checks on the code's characters
        le = ls
        while le < self.n:
            c = self.ch(le)
            if c == 10:
                break
            if ce < 0:
                if c == 35:
                    ce = le
                elif c == 9 or (c >= 32 and c < 127 and c != 34 and c != 39 and c != 59
                                and c != 47):
                    pass
                elif c == 13 and (le + 1 >= self.n or self.ch(le + 1) == 10):
                    pass                                    # the final \r: dropped
                else:
                    return 0
            le += 1
        self.ls, self.le = ls, le
        self.re = le - 1 if (le > ls and self.ch(le - 1) == 13) else le
        if ce < 0:
            ce = self.re
        # the statement: blanks stripped
        self.s, self.e = ls, ce
        i = self.ws(ls)
        j = ce
        while j > i and (self.ch(j - 1) == 32 or self.ch(j - 1) == 9):
            j -= 1
        self.s, self.e = i, j
        if i == j:
            self.commit_plain(asm, -1, 0, 0)
            return 1
        # label?
        c = self.at(i)
        if is_name_start(c):
            j = self.name_end(i)
        elif is_digit(c):
            j = i
            while j < self.e and is_digit(self.at(j)):
                j += 1
            if j - i > 9:
                return 0
        else:
            return 0
        nm_s, nm_e = i, j
        j = self.ws(j)
        if self.at(j) == 58:                                # `label:`
            lab_s, lab_e = nm_s, nm_e
            if is_digit(c):
                local_label = True
                for i in range(lab_s, lab_e):
                    local_n = local_n * 10 + (self.at(i) - 48)
            j = self.ws(j + 1)
            if j >= self.e:
                return self.label_only(asm, lab_s, lab_e, local_label, local_n)
            if not is_name_start(self.at(j)):
                return 0
            nm_s = j
            nm_e = self.name_end(j)
        elif is_digit(c):
            return 0
        # the mnemonic or directive, then the operands
        j = self.ws(nm_e)
        c = self.at(j)
        if c == 61 or c == 58:                              # `name = ...`, a second label
            return 0
        self.nops = 0
        if j < self.e:
            if c == 44:
                return 0
            while True:
                if self.nops >= MAXOPS:
                    return 0
                j = self.operand(j, &self.ops[self.nops])
                if j < 0:
                    return 0
                self.nops += 1
                if j >= self.e:
                    break
                j = self.ws(j + 1)                          # after ','
                if j >= self.e:
                    return 0
        name = self.intern(nm_s, nm_e)
        if self.macros is not None and name in self.macros:
            return 0
        if self.at(nm_s) == 46:
            return self.directive(asm, name, nm_s, lab_s, lab_e, local_label, local_n)
        return self.instruction(asm, name, nm_s, lab_s, lab_e, local_label, local_n)

    # ---- checks and effects ----

    cdef int label_ok(self, asm, Py_ssize_t lab_s, Py_ssize_t lab_e, bint local) except -1:
        if local or lab_s < 0:
            return 1
        name = self.intern(lab_s, lab_e)
        if name in REGISTERS or name == ".":
            return 0
        e = self.entries.get(name)
        return e is None or e.kind == UNDEF

    cdef object new_stmt(self, asm):
        """The Stmt the general path would have made for this line (seq: the next one)."""
        line = make_line(self.file, self.number + 1, self.text[self.ls:self.re], self.frame)
        return make_stmt(self.text[self.s:self.e], self.s - self.ls + 1, line, self.seq + 1)

    cdef int define_label(self, asm, stmt, Py_ssize_t lab_s, Py_ssize_t lab_e, bint local,
                          int64_t n) except -1:
        here = _tuple_new(Value, (self.sec.size if self.secnobits
                                  else PyByteArray_GET_SIZE(self.secdata), self.secname))
        if local or not RAW_NAMES:
            if local:
                self.symbols.define_local(n, here, stmt, lab_s - self.s)
            else:
                self.symbols.define_label(self.intern(lab_s, lab_e), here, stmt, lab_s - self.s)
            return 0
        # SymbolTable.define_label once label_ok() has said it will not raise
        name = self.intern(lab_s, lab_e)
        e = self.entries.get(name)
        if e is None:
            e = self.entries[name] = Entry(name, name.startswith(".L"))
        e.kind, e.value, e.stmt, e.pos = LABEL, here, stmt, lab_s - self.s
        return 0

    cdef LaneRun run_for(self, asm):
        records = self.records
        if self.chunk is None or not records or records[len(records) - 1] is not self.chunk:
            self.chunk = LaneRun()
            self.chunk.line = None
            self.chunk.file = self.file
            self.chunk.text = self.text
            self.chunk.secs = []
            self.chunk.secindex = {}
            records.append(self.chunk)
        return self.chunk

    cdef int commit_plain(self, asm, int sec, int64_t start, int64_t stop) except -1:
        """The bookkeeping of every lane line: seq, the listing row, the next line."""
        self.seq += 1
        self.number += 1
        self.run_for(asm).add_rec(self.number, self.ls, self.re, sec, start, stop)
        self.pos = self.le + 1
        return 0

    cdef int label_only(self, asm, Py_ssize_t lab_s, Py_ssize_t lab_e, bint local,
                        int64_t n) except -1:
        if not self.label_ok(asm, lab_s, lab_e, local):
            return 0
        stmt = self.new_stmt(asm)
        self.define_label(asm, stmt, lab_s, lab_e, local, n)
        self.commit_plain(asm, -1, 0, 0)
        return 1

    cdef object expr(self, Atom *a, bint *bad, Py_ssize_t base_pos):
        """The syntax node of a symbolic atom (as quickparse/the grammar build it)."""
        if a.kind == A_NAME:
            name = self.intern(a.start, a.end)
            if name in REGISTERS:
                bad[0] = True
            if RAW_NAMES:
                node = _new(Name)
                node.name, node.pos = name, a.start - base_pos
            else:
                node = Name(name, a.start - base_pos)
        elif a.kind == A_LOCAL:
            node = LocalRef(a.label, bool(a.forward), a.start - base_pos)
        elif a.kind == A_DOT:
            node = Dot(a.start - base_pos)
        else:
            node = Num(a.num, a.start - base_pos)
        if a.sign >= 0:
            node = Unary("-", node, a.sign - base_pos)
        return node

    cdef int value_bits(self, CPut put, Atom *a, uint64_t *out, Py_ssize_t opos) except -2:
        """_value of fastmatch: 0 and bits of a number (or 0 bits and a pending expression
        recorded in pend), -1 when the general path must take the line."""
        cdef int64_t v
        cdef bint bad = False
        if a.kind == A_NUM:
            v = -a.num if a.sign >= 0 else a.num
            return put.bits(v, out)
        node = self.expr(a, &bad, self.s)
        if bad:
            return -1
        if self.pend is None:
            self.pend = []
        self.pend.append((put, node, opos - self.s))
        out[0] = 0
        return 0

    cdef int name_bits(self, Names names, Py_ssize_t s, Py_ssize_t e, uint64_t *out) except -2:
        """Bits of a name in a names table, or -1."""
        cdef Py_ssize_t k
        cdef int64_t idx = 0
        if names is None:
            return -1
        if names.prefix and e - s >= 2 and e - s <= 3 and self.ch(s) == names.prefix:
            if self.ch(s + 1) != 48 or e - s == 2:
                for k in range(s + 1, e):
                    if not is_digit(self.ch(k)):
                        idx = -1
                        break
                    idx = idx * 10 + (self.ch(k) - 48)
                if idx >= 0 and idx < 100:
                    if names.byreg[idx] < 0:
                        return -1
                    out[0] = names.byreg[idx]
                    return 0
        b = names.names.get(self.intern(s, e))
        if b is None or b < 0 or b >= (1 << 64):
            return -1
        out[0] = b
        return 0

    cdef int instruction(self, asm, str name, Py_ssize_t nm_s, Py_ssize_t lab_s,
                         Py_ssize_t lab_e, bint local, int64_t n) except -1:
        cdef CForm f = FORMS_C.get(name)
        cdef CSlot slot
        cdef COpt opt
        cdef Opnd *o
        cdef uint64_t word, bits
        cdef int i
        cdef Py_ssize_t pc
        cdef unsigned char *p
        cdef uint64_t w
        cdef int sid
        cdef LaneRun chunk
        if f is None or self.nops < f.n:
            return 0
        sec = self.sec
        if not self.seccode:
            return 0
        data = self.secdata
        pc = PyByteArray_GET_SIZE(data)
        if pc % WORD_BYTES or self.output + WORD_BYTES > self.max_output:
            return 0
        if not self.label_ok(asm, lab_s, lab_e, local):
            return 0
        word = f.base
        self.pend = None
        for i in range(f.n):
            slot = f.slots[i]
            o = &self.ops[i]
            if slot.kind == K_MEM:
                if o.shape != S_MEM and o.shape != S_PAREN:
                    return 0
                if self.name_bits(slot.names, o.bstart, o.bend, &bits) < 0:
                    return 0
                word |= bits
                if o.shape == S_PAREN:
                    if not slot.has_zero:
                        return 0
                    word |= slot.zero
                    continue
            elif o.shape != S_PLAIN:
                return 0
            elif slot.kind == K_REG or (slot.kind == K_CSR and o.val.kind == A_NAME
                                        and o.val.sign < 0):
                if o.val.kind != A_NAME or o.val.sign >= 0:
                    return 0
                if self.name_bits(slot.names, o.val.start, o.val.end, &bits) < 0:
                    return 0
                word |= bits
                continue
            if self.value_bits(slot.put, &o.val, &bits,
                               o.val.sign if o.val.sign >= 0 else o.val.start) < 0:
                return 0
            word |= bits
        if self.nops > f.n:
            seen = set()
            for i in range(f.n, self.nops):
                o = &self.ops[i]
                if o.shape == S_OPTION:
                    key = self.intern(o.bstart, o.bend)
                elif o.shape == S_PLAIN and o.val.kind == A_NAME and o.val.sign < 0:
                    key = self.intern(o.val.start, o.val.end)
                else:
                    return 0
                opt = f.options.get(key)
                if opt is None or key in seen:
                    return 0
                seen.add(key)
                if opt.kind == K_FLAG:
                    if o.shape == S_OPTION:
                        return 0
                    bits = opt.flagbits
                elif o.shape != S_OPTION:
                    return 0
                elif opt.kind == K_SEM:
                    if o.val.kind != A_NAME or self.name_bits(opt.names, o.val.start, o.val.end,
                                                              &bits) < 0:
                        return 0
                elif self.value_bits(opt.put, &o.val, &bits, o.val.start) < 0:
                    return 0
                word = (word & ~opt.put.mask) | bits
        pend, self.pend = self.pend, None
        # backward local references need an earlier definition (or this line's label)
        if pend is not None:
            for put, node, pos in pend:
                if not self.bindable(asm, node, local, n):
                    return 0
        # commit: the effects of Assembler.statement -> define_labels, instruction
        stmt = None
        if lab_s >= 0 or pend:
            stmt = self.new_stmt(asm)
        if lab_s >= 0:
            self.define_label(asm, stmt, lab_s, lab_e, local, n)
        if PyByteArray_Resize(data, pc + WORD_BYTES) < 0:
            return -1
        p = <unsigned char *>PyByteArray_AS_STRING(data) + pc
        w = 0 if pend else word
        for i in range(WORD_BYTES):
            p[i] = (w >> (8 * i)) & 0xFF
        self.output += WORD_BYTES
        chunk = self.run_for(asm)
        sid = chunk.sec_id(sec)
        chunk.add_ins(sid, pc, self.number + 1)
        if pend:
            pending = []
            for put, node, pos in pend:
                p_ = make_pending(<CPut>put, node, pos)
                p_.expr = self.bind(node, pc)
                pending.append(p_)
            self.fixups.append((asm._finish, (stmt, word, pending, sec, pc)))
        self.commit_plain(asm, sid, pc, pc + WORD_BYTES)
        return 1

    cdef object bind(self, node, int64_t at):
        """symbols.bind(node, Value(at, section)) for the nodes the lane makes (names inline)."""
        if RAW_NAMES and type(node) is Name:
            entry = self.entries.get(node.name)
            if entry is None:
                name = node.name
                entry = self.entries[name] = Entry(name, name.startswith(".L"))
            ref = _new(Ref)
            ref.entry, ref.pos = entry, node.pos
            return ref
        if RAW_NAMES and type(node) is LocalRef and node.forward:
            entry = self.symbols.forward.get(node.label)
            if entry is None:
                entry = self.symbols.forward[node.label] = Entry(f"{node.label}f", hidden=True)
            ref = _new(Ref)
            ref.entry, ref.pos = entry, node.pos
            return ref
        return self.symbols.bind(node, _tuple_new(Value, (at, self.secname)))

    cdef bint bindable(self, asm, node, bint local, int64_t n):
        """symbols.bind will not raise for node (registers were refused before)."""
        t = type(node)
        if t is Unary:
            node = node.arg
            t = type(node)
        if t is LocalRef and not node.forward:
            return (local and node.label == n) or node.label in self.symbols.back
        return True

    cdef int directive(self, asm, str name, Py_ssize_t nm_s, Py_ssize_t lab_s, Py_ssize_t lab_e,
                       bint local, int64_t n) except -1:
        cdef int size, i, k
        cdef int64_t v, lo
        cdef uint64_t hi, u
        cdef Py_ssize_t at0, at
        cdef Opnd *o
        cdef bint bad = False
        cdef unsigned char *p
        cdef int sid
        cdef LaneRun chunk
        if name in SECTION_DIRECTIVES:
            if self.nops or DIRECTIVES.get(name) is None:
                return 0
            target = asm.sections.get(name)
            if target is self.sec:                          # already there: nothing to do
                target = self.sec
            if not self.label_ok(asm, lab_s, lab_e, local):
                return 0
            stmt = None
            if lab_s >= 0 or target is None:
                stmt = self.new_stmt(asm)
            if lab_s >= 0:
                self.define_label(asm, stmt, lab_s, lab_e, local, n)
            if target is None:
                memory, nobits = default_kind(name)
                asm.switch_section(name, memory, nobits, stmt, nm_s - self.s, False)
            else:
                asm.section = target
            self.set_section(asm.section)
            self.commit_plain(asm, -1, 0, 0)
            return 1
        size = SIZES.get(name, 0)
        if size == 0 or DIRECTIVES.get(name) is not DATA_HANDLER or self.nops == 0:
            return 0
        sec = self.sec
        if self.secnobits:
            return 0
        data = self.secdata
        at0 = PyByteArray_GET_SIZE(data)
        if self.output + size * self.nops > self.max_output:
            return 0
        lo = -(<int64_t>1 << (8 * size - 1))
        hi = (<uint64_t>-1) if size == 8 else ((<uint64_t>1 << (8 * size)) - 1)
        syms = []
        for i in range(self.nops):
            o = &self.ops[i]
            if o.shape != S_PLAIN:
                return 0
            if o.val.kind == A_NUM:
                v = -o.val.num if o.val.sign >= 0 else o.val.num
                if v < lo or (v > 0 and <uint64_t>v > hi):
                    return 0
            else:
                node = self.expr(&o.val, &bad, self.s)
                if bad or not self.bindable(asm, node, local, n):
                    return 0
                syms.append((i, node))
        if not self.label_ok(asm, lab_s, lab_e, local):
            return 0
        stmt = None
        if lab_s >= 0 or syms:
            stmt = self.new_stmt(asm)
        if lab_s >= 0:
            self.define_label(asm, stmt, lab_s, lab_e, local, n)
        if PyByteArray_Resize(data, at0 + size * self.nops) < 0:
            return -1
        p = <unsigned char *>PyByteArray_AS_STRING(data) + at0
        for i in range(self.nops):
            o = &self.ops[i]
            u = 0
            if o.val.kind == A_NUM:
                v = -o.val.num if o.val.sign >= 0 else o.val.num
                u = (<uint64_t>v) & hi
            for k in range(size):
                p[i * size + k] = (u >> (8 * k)) & 0xFF
        self.output += size * self.nops
        chunk = self.run_for(asm)
        sid = chunk.sec_id(sec)
        if syms:
            for i, node in syms:
                at = at0 + size * i
                o = &self.ops[<int>i]
                bound = self.bind(node, at)
                self.fixups.append((asm._data, (stmt, sec, at, size, bound,
                                               (o.val.sign if o.val.sign >= 0 else o.val.start)
                                               - self.s)))
        self.commit_plain(asm, sid, at0, at0 + size * self.nops)
        return 1
