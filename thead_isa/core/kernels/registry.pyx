# The engine-kernel registry (opcode -> compute function) and run_op, a Python shim for tests.
# cython: language_level=3, cdivision=True, boundscheck=False, wraparound=False
import threading
from collections.abc import Mapping

import numpy as np

from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t
from libc.string cimport memcpy, memset

from thead_isa.core.engine cimport (FLAG_ACC, FLAG_DW, FLAG_U, MAX_ENGINE_CSRS, MEM_ACC, MEM_GM,
                                    MEM_LM, EngineOp, Memories, Region, Scratch, TrapInfo,
                                    compute_fn)
from thead_isa.core.isa_tables cimport (
    OP_CONV, OP_DMA_CP, OP_DMA_LD, OP_DMA_ST, OP_DMA_TR, OP_GEMM, OP_VACC_LD, OP_VACC_ST,
    OP_VAVGPOOL, OP_VGAP, OP_VLUT, OP_VMAXPOOL, OP_VQADD, OP_VRMAX_B, OP_VRMAX_W, OP_VRQ_FP,
    OP_VRQ_FX, OP_VRSUM_B, OP_VRSUM_W, OP_VADD_W, OP_VSLL_BX)
from thead_isa.core.kernels.me cimport dma_copy_compute, dma_tr_compute
from thead_isa.core.kernels.te cimport conv_compute, gemm_compute
from thead_isa.core.kernels.ve cimport (eltwise_compute, pool_compute, reduce_compute,
                                        vacc_ld_compute, vacc_st_compute, vgap_compute,
                                        vlut_compute, vqadd_compute, vrq_compute)

from thead_isa.isa.csrs import BY_NAME as _CSR_BY_NAME
from thead_isa.isa.table import BY_MNEMONIC as _BY_MNEMONIC

_FLAG_BITS = {"acc": FLAG_ACC, "u": FLAG_U, "dw": FLAG_DW}

# run_op keeps one scratch across calls, as the framework does (no page faults per call)
cdef Scratch _scratch
memset(&_scratch, 0, sizeof(_scratch))
_scratch_lock = threading.Lock()


cdef compute_fn kernel_for(uint32_t opcode) noexcept nogil:
    if opcode == OP_DMA_LD or opcode == OP_DMA_ST or opcode == OP_DMA_CP:
        return dma_copy_compute
    if opcode == OP_DMA_TR:
        return dma_tr_compute
    if opcode == OP_GEMM:
        return gemm_compute
    if opcode == OP_CONV:
        return conv_compute
    if opcode == OP_VRQ_FX or opcode == OP_VRQ_FP:
        return vrq_compute
    if opcode == OP_VQADD:
        return vqadd_compute
    if opcode == OP_VMAXPOOL or opcode == OP_VAVGPOOL:
        return pool_compute
    if opcode == OP_VGAP:
        return vgap_compute
    if opcode == OP_VLUT:
        return vlut_compute
    if (opcode == OP_VRMAX_B or opcode == OP_VRSUM_B or opcode == OP_VRMAX_W
            or opcode == OP_VRSUM_W):
        return reduce_compute
    if opcode == OP_VACC_LD:
        return vacc_ld_compute
    if opcode == OP_VACC_ST:
        return vacc_st_compute
    if OP_VADD_W <= opcode <= OP_VSLL_BX:
        return eltwise_compute
    return NULL


def has_kernel(int opcode):
    """True when the opcode has a compute function."""
    return kernel_for(<uint32_t>opcode) != NULL


def _cfg_values(insn, cfg):
    """cfg as the values engine_csrs gives: a sequence in Insn.csrs order, or a mapping by CSR
    name (missing CSRs take their reset value); signed CSRs as signed integers."""
    if isinstance(cfg, Mapping):
        unknown = set(cfg) - set(insn.csrs)
        if unknown:
            raise ValueError(f"{insn.mnemonic} reads no CSR {sorted(unknown)[0]!r}")
        values = []
        for name in insn.csrs:
            c = _CSR_BY_NAME[name]
            if name in cfg:
                values.append(int(cfg[name]))
            else:
                r = c.reset
                values.append(r - (1 << 32) if c.signed and r >> 31 else r)
        return values
    values = [int(v) for v in cfg]
    if len(values) != len(insn.csrs):
        raise ValueError(f"{insn.mnemonic} reads {len(insn.csrs)} CSRs, got {len(values)}")
    return values


def _flag_bits(flags):
    if isinstance(flags, int):
        return flags
    bits = 0
    for name in flags:
        bits |= _FLAG_BITS[name]
    return bits


def _memory(array, dtype, name):
    if array is None:
        return np.zeros(1, dtype)[:0]
    if not isinstance(array, np.ndarray) or array.dtype != dtype or array.ndim != 1:
        raise TypeError(f"{name} must be a 1-D numpy array of {np.dtype(dtype).name}")
    if not (array.flags.c_contiguous and array.flags.writeable):
        raise ValueError(f"{name} must be C-contiguous and writable")
    return array


def run_op(str mnemonic, regs, cfg, flags=0, int esz=1, gm=None, lm=None, acc=None,
           dict info=None):
    """Run one engine instruction's kernel on numpy memories and, when it does not trap, commit
    its result (rows in increasing order, later rows win). Returns None or (cause, tval,
    message); nothing is written when it traps. With info, also records the write region and
    the reads: info["write"] = (mem, base, rows, cols, stride), info["reads"] = [...]."""
    insn = _BY_MNEMONIC[mnemonic]
    if insn.engine == "cp":
        raise ValueError(f"{mnemonic} is not an engine instruction")
    cdef compute_fn fn = kernel_for(insn.opcode)
    if fn == NULL:
        raise NotImplementedError(f"no kernel for {mnemonic}")
    cdef EngineOp op
    cdef Memories mem
    cdef TrapInfo trap
    cdef int k
    memset(&op, 0, sizeof(op))
    memset(&trap, 0, sizeof(trap))
    op.opcode = insn.opcode
    op.flags = _flag_bits(flags)
    op.esz = esz
    op.wait = op.sig = -1
    regs = [int(v) & 0xFFFFFFFF for v in regs]
    if len(regs) > 4:
        raise ValueError("at most 4 register operands")
    for k, v in enumerate(regs):
        op.reg[k] = v
    for k, v in enumerate(_cfg_values(insn, cfg)):
        op.cfg[k] = v
    g = _memory(gm, np.uint8, "gm")
    l = _memory(lm, np.uint8, "lm")
    a = _memory(acc, np.int32, "acc")
    cdef uint8_t[::1] gv = g
    cdef uint8_t[::1] lv = l
    cdef int32_t[::1] av = a
    mem.gm = &gv[0] if g.size else NULL
    mem.gm_size = g.size
    mem.lm = &lv[0] if l.size else NULL
    mem.lm_size = l.size
    mem.acc = &av[0] if a.size else NULL
    mem.acc_words = a.size
    with _scratch_lock:
        return _run(fn, &mem, &op, &trap, mnemonic, info, g.size, l.size, a.size)


cdef _run(compute_fn fn, Memories* mem, EngineOp* op, TrapInfo* trap, str mnemonic, dict info,
          int64_t gm_size, int64_t lm_size, int64_t acc_words):
    cdef Scratch* scratch = &_scratch
    cdef int rc, k
    cdef int64_t r, elsz, size
    cdef uint8_t* target
    cdef Region w
    memset(&scratch.write, 0, sizeof(Region))
    scratch.nreads = 0
    with nogil:
        rc = fn(mem, op, scratch, trap)
    if rc:
        return (int(trap.cause), int(trap.tval),
                trap.message[:sizeof(trap.message)].split(b"\0", 1)[0].decode())
    w = scratch.write
    if info is not None:
        info["write"] = (w.mem, w.base, w.rows, w.cols, w.stride)
        info["reads"] = [(scratch.reads[k].mem, scratch.reads[k].base,
                          scratch.reads[k].rows, scratch.reads[k].cols,
                          scratch.reads[k].stride) for k in range(scratch.nreads)]
    if w.rows <= 0 or w.cols <= 0:
        return None
    elsz = 4 if w.mem == MEM_ACC else 1
    size = gm_size if w.mem == MEM_GM else (lm_size if w.mem == MEM_LM else acc_words)
    if w.base < 0 or w.base + (w.rows - 1) * w.stride + w.cols > size or w.stride < 0:
        raise RuntimeError(f"{mnemonic}: kernel result region {w} lies outside its memory")
    if scratch.capacity < w.rows * w.cols * elsz:
        raise RuntimeError(f"{mnemonic}: kernel result larger than its scratch")
    target = mem.gm if w.mem == MEM_GM else (mem.lm if w.mem == MEM_LM else <uint8_t*>mem.acc)
    for r in range(w.rows):
        memcpy(target + (w.base + r * w.stride) * elsz,
               scratch.data + r * w.cols * elsz, w.cols * elsz)
    return None
