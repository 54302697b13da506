# cp_csr.s: csrr, csrw, csrwi (docs/isa.md, cp.csr and the CSR table): reset values, any 32-bit
# value stored (the range is checked only by the engine that reads the CSR), numbers and names,
# and the status counters.
        .include "conformance.inc"
        TEST_START

# ---- reset values (read before any write) ----
        TEST_CASE  2, x3, 1, csrr x3, te_m
        TEST_CASE  3, x3, 0x80000000, csrr x3, ve_qmin       # reset INT32_MIN
        TEST_CASE  4, x3, 0x7fffffff, csrr x3, ve_qmax
        TEST_CASE  5, x3, 0, csrr x3, dma_sstride
        TEST_CASE  6, x3, 1, csrr x3, win_dh
        TEST_CASE  7, x3, 0, csrr x3, win_padval
# ---- csrwi / csrw round trips ----
        csrwi   dma_rows, 7
        TEST_CASE  8, x3, 7, csrr x3, dma_rows
        li      x1, 0xdeadbeef
        csrw    te_lda, x1
        TEST_CASE  9, x3, 0xdeadbeef, csrr x3, te_lda
        csrwi   ve_zp, -5
        TEST_CASE 10, x3, 0xfffffffb, csrr x3, ve_zp         # signed immediate
        csrwi   ve_zp, 0xffffffff
        TEST_CASE 11, x3, 0xffffffff, csrr x3, ve_zp         # unsigned spelling
        csrwi   win_kh, 1000                                 # outside the engine range: stored
        TEST_CASE 12, x3, 1000, csrr x3, win_kh
        csrwi   win_kh, 1
        csrwi   dma_pt, 9
        csrw    dma_pt, x0                                   # x0: writes 0
        TEST_CASE 13, x3, 0, csrr x3, dma_pt
        TEST_CASE 14, x3, 7, csrr x3, 0x800                  # by number: dma_rows
        li      x1, 0x12345678
        csrw    0x815, x1                                    # te_ldc by number
        TEST_CASE 15, x3, 0x12345678, csrr x3, te_ldc
        TEST_CASE 16, x0, 0, csrr x0, te_ldc                 # rd = x0
        li      x1, 0x80000000
        csrw    dma_dstride, x1
        TEST_CASE 17, x3, 0x80000000, csrr x3, dma_dstride
        csrwi   dma_dstride, 0
# ---- read-only status CSRs ----
# instret counts retired instructions; a csrr reads the count before itself retires
        TEST_BEGIN 18
        csrr    x1, instret
        nop
        nop
        csrr    x2, instret
        sub     x3, x2, x1
        TEST_END x3, 3
        TEST_CASE 19, x3, 0, csrr x3, instreth
# cycle does not go backwards (its value is mode-dependent: volatile); cycleh is 0 in a short run
        TEST_BEGIN 20
        csrr    x1, cycle
        csrr    x2, cycle
        bltu    x2, x1, conf_fail
        csrr    x3, cycleh
        TEST_END x3, 0
# estat: 0 once every engine is drained (fence = sync 7)
        TEST_BEGIN 21
        fence
        csrr    x3, estat
        TEST_END x3, 0
# configuration: the presets differ, so only properties common to all of them are checked
        TEST_BEGIN 22
        csrr    x3, cfg_lm_bytes
        li      x4, 65536
        bltu    x3, x4, conf_fail                            # at least 64 KiB (small)
        csrr    x3, cfg_imem_bytes
        li      x4, conf_end
        bgeu    x4, x3, conf_fail                            # the program fits in IMEM
        csrr    x3, cfg_gm_bytes
        li      x4, 4096
        bltu    x3, x4, conf_fail
        csrr    x3, cfg_acc_words
        li      x4, 256
        bltu    x3, x4, conf_fail
        csrr    x3, cfg_te_rows
        beqz    x3, conf_fail
        csrr    x3, cfg_te_cols
        beqz    x3, conf_fail
        csrr    x3, cfg_ve_lanes
        beqz    x3, conf_fail
        PASS
        .text
conf_end:
