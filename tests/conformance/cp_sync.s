# cp_sync.s: sem.sig, sem.wait, sync and halt (docs/isa.md, cp.sync, cp.halt), and the wait=/sig=
# options of engine instructions. A semaphore count is not readable; a wrong count shows up as a
# sem_deadlock trap (a wait on 0) or sem_overflow trap, which fails the run with the trap's line.
        .include "conformance.inc"
        TEST_START

# ---- CP signal then CP wait ----
        TEST_BEGIN 2
        sem.sig s1
        sem.sig s1
        sem.wait s1
        sem.wait s1                                      # count 2 -> 0
        TEST_END x0, 0
# count up to the maximum, 255, and back down (255 is legal; 256 would trap)
        TEST_BEGIN 3
        .rept   255
        sem.sig s2
        .endr
        .rept   255
        sem.wait s2
        .endr
        TEST_END x0, 0
# every semaphore number is independent
        TEST_BEGIN 4
        .irp    n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13
        sem.sig s\n
        .endr
        .irp    n, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0
        sem.wait s\n
        .endr
        TEST_END x0, 0
# ---- CP -> engine -> engine -> CP: a chain of signals orders a GM -> LM -> GM round trip ----
        TEST_BEGIN 5
        dma_copy1d 8
        dma_pad 0, 0, 0, 0
        li      x1, 0x100
        la      x2, src8
        la      x3, out8
        sem.sig s4                                       # the CP releases the load
        dma.ld  x1, x2, wait=s4, sig=s5
        dma.st  x3, x1, wait=s5, sig=s6
        sem.wait s6                                      # the CP waits for the store
        CHECK_GM_BYTES out8, src8, 8
# the same semaphore for wait and sig of one instruction: the wait's decrement comes first
        TEST_BEGIN 6
        sem.sig s7
        li      x1, 0x200
        dma.ld  x1, x2, wait=s7, sig=s7                  # count 1 -> 0 -> 1
        dma.st  x3, x1, wait=s7, sig=s8                  # count 1 -> 0 (a CP sem.wait s7 here
        sem.wait s8                                      # could steal the count in cycle mode)
        CHECK_GM_BYTES out8, src8, 8
# ---- sync: wait for selected engines to drain ----
# ME writes LM, VE reads it (vlut), ME copies the result out; ordered only by sync.
        TEST_BEGIN 7
        GM_TO_LM 0x300, table, 256                       # the lookup table
        GM_TO_LM 0x400, idx4, 4
        sync    1                                        # ME drained: both loads done
        ve_shape 1, 4
        li      x1, 0x500
        li      x2, 0x400
        li      x4, 0x300
        vlut    x1, x2, x4
        sync    4                                        # VE drained
        LM_TO_GM 0x500, 4
        CHECK_GM_BYTES conf_dump, lut4, 4
        TEST_BEGIN 8
        GM_TO_LM 0x400, idx4b, 4
        fence                                            # sync 7: every engine
        li      x1, 0x508
        vlut    x1, x2, x4
        sync    6                                        # TE and VE
        sync    0                                        # no engine: a no-op
        sync    2                                        # TE only (idle): returns at once
        LM_TO_GM 0x508, 4
        CHECK_GM_BYTES conf_dump, lut4b, 4
# an engine waits on a signal from another engine (ME -> VE -> ME) with no CP wait in between
        GM_TO_LM 0x600, idx4, 4, s9
        li      x1, 0x700
        li      x2, 0x600
        vlut    x1, x2, x4, wait=s9, sig=s10
        TEST_LM_BYTES 9, 0x700, lut4, 4, s10        # dma.st waits on the VE's s10
# ---- halt drains the engines: exit code x[rs1] is covered by PASS / conf_fail ----
        PASS

        .data
        .balign 8
src8:   .byte   1, 2, 3, 4, 0xfd, 0xfe, 0xff, 0x80
idx4:   .byte   0, 1, 255, 128
idx4b:  .byte   7, 7, 2, 254
lut4:   .byte   0xff, 0xfe, 0x00, 0x7f                   # table[i] = 255 - i
lut4b:  .byte   248, 248, 253, 1
table:
        .set    i, 0
        .rept   256
        .byte   255 - i
        .set    i, i + 1
        .endr
        .bss
out8:   .space  8
