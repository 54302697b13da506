/* Vector-engine inner loops in plain C, one loop per operation so that the compiler vectorises them.
 *
 * Elementwise on ACC words wraps modulo 2^32; on LM bytes the exact result is saturated to int8
 * (uint8 with u). A register operand y of a byte operation is first reduced to a small range that
 * saturates identically (|y| <= 512 for add, sub and mul, [-129, 256] for max and min; only
 * y & 7 matters to the shifts), so that every byte loop runs on int32 lanes.
 */
#ifndef THEAD_VE_CORE_H
#define THEAD_VE_CORE_H

#include <stdint.h>

enum { THEAD_EW_ADD, THEAD_EW_SUB, THEAD_EW_MUL, THEAD_EW_MAX, THEAD_EW_MIN, THEAD_EW_SRA,
       THEAD_EW_SLL };

/* x, y: int32 (words, as uint32 where wrapping) */
#define THEAD_W_ADD (int32_t)((uint32_t)x + (uint32_t)y)
#define THEAD_W_SUB (int32_t)((uint32_t)x - (uint32_t)y)
#define THEAD_W_MUL (int32_t)((uint32_t)x * (uint32_t)y)
#define THEAD_W_MAX (x > y ? x : y)
#define THEAD_W_MIN (x < y ? x : y)
#define THEAD_W_SRA (x >> (y & 31))
#define THEAD_W_SLL (int32_t)((uint32_t)x << (y & 31))

#define THEAD_B_ADD (x + y)
#define THEAD_B_SUB (x - y)
#define THEAD_B_MUL (x * y)
#define THEAD_B_MAX (x > y ? x : y)
#define THEAD_B_MIN (x < y ? x : y)
#define THEAD_B_SRA (x >> (y & 7))
#define THEAD_B_SLL (x * (1 << (y & 7)))

#define THEAD_W_LOOPS(NAME, EXPR)                                                                 \
    static void thead_ew_w_##NAME(int32_t *restrict d, const int32_t *restrict a,               \
                                  const int32_t *restrict b, int32_t by, int64_t n)             \
    {                                                                                           \
        if (b) {                                                                                \
            for (int64_t i = 0; i < n; i++) {                                                   \
                int32_t x = a[i], y = b[i];                                                     \
                d[i] = EXPR;                                                                    \
            }                                                                                   \
        } else {                                                                                \
            const int32_t y = by;                                                               \
            for (int64_t i = 0; i < n; i++) {                                                   \
                int32_t x = a[i];                                                               \
                d[i] = EXPR;                                                                    \
            }                                                                                   \
        }                                                                                       \
    }

#define THEAD_SAT(v) (uint8_t)((v) < lo ? lo : ((v) > hi ? hi : (v)))

#define THEAD_B_LOOPS(NAME, EXPR)                                                                 \
    static void thead_ew_b_##NAME(uint8_t *restrict d, const uint8_t *restrict a,               \
                                  const uint8_t *restrict b, int32_t by, int64_t n, int u)      \
    {                                                                                           \
        const int32_t lo = u ? 0 : -128, hi = u ? 255 : 127;                                    \
        if (b && u) {                                                                           \
            for (int64_t i = 0; i < n; i++) {                                                   \
                int32_t x = a[i], y = b[i], v = EXPR;                                           \
                d[i] = THEAD_SAT(v);                                                            \
            }                                                                                   \
        } else if (b) {                                                                         \
            for (int64_t i = 0; i < n; i++) {                                                   \
                int32_t x = (int8_t)a[i], y = (int8_t)b[i], v = EXPR;                           \
                d[i] = THEAD_SAT(v);                                                            \
            }                                                                                   \
        } else if (u) {                                                                         \
            const int32_t y = by;                                                               \
            for (int64_t i = 0; i < n; i++) {                                                   \
                int32_t x = a[i], v = EXPR;                                                     \
                d[i] = THEAD_SAT(v);                                                            \
            }                                                                                   \
        } else {                                                                                \
            const int32_t y = by;                                                               \
            for (int64_t i = 0; i < n; i++) {                                                   \
                int32_t x = (int8_t)a[i], v = EXPR;                                             \
                d[i] = THEAD_SAT(v);                                                            \
            }                                                                                   \
        }                                                                                       \
    }

THEAD_W_LOOPS(add, THEAD_W_ADD)
THEAD_W_LOOPS(sub, THEAD_W_SUB)
THEAD_W_LOOPS(mul, THEAD_W_MUL)
THEAD_W_LOOPS(max, THEAD_W_MAX)
THEAD_W_LOOPS(min, THEAD_W_MIN)
THEAD_W_LOOPS(sra, THEAD_W_SRA)
THEAD_W_LOOPS(sll, THEAD_W_SLL)
THEAD_B_LOOPS(add, THEAD_B_ADD)
THEAD_B_LOOPS(sub, THEAD_B_SUB)
THEAD_B_LOOPS(mul, THEAD_B_MUL)
THEAD_B_LOOPS(max, THEAD_B_MAX)
THEAD_B_LOOPS(min, THEAD_B_MIN)
THEAD_B_LOOPS(sra, THEAD_B_SRA)
THEAD_B_LOOPS(sll, THEAD_B_SLL)

/* d = a op b (b NULL: op by, the register value) on n int32 words, wrapping */
static void thead_ew_words(int op, int32_t *d, const int32_t *a, const int32_t *b, int32_t by,
                           int64_t n)
{
    switch (op) {
    case THEAD_EW_ADD: thead_ew_w_add(d, a, b, by, n); break;
    case THEAD_EW_SUB: thead_ew_w_sub(d, a, b, by, n); break;
    case THEAD_EW_MUL: thead_ew_w_mul(d, a, b, by, n); break;
    case THEAD_EW_MAX: thead_ew_w_max(d, a, b, by, n); break;
    case THEAD_EW_MIN: thead_ew_w_min(d, a, b, by, n); break;
    case THEAD_EW_SRA: thead_ew_w_sra(d, a, b, by, n); break;
    default: thead_ew_w_sll(d, a, b, by, n); break;
    }
}

/* d = saturate(a op b) (b NULL: op by, the register value as int32) on n int8/uint8 bytes */
static void thead_ew_bytes(int op, uint8_t *d, const uint8_t *a, const uint8_t *b, int32_t by,
                           int64_t n, int u)
{
    if (!b && (op == THEAD_EW_ADD || op == THEAD_EW_SUB || op == THEAD_EW_MUL))
        by = by < -512 ? -512 : (by > 512 ? 512 : by);
    else if (!b && (op == THEAD_EW_MAX || op == THEAD_EW_MIN))
        by = by < -129 ? -129 : (by > 256 ? 256 : by);
    switch (op) {
    case THEAD_EW_ADD: thead_ew_b_add(d, a, b, by, n, u); break;
    case THEAD_EW_SUB: thead_ew_b_sub(d, a, b, by, n, u); break;
    case THEAD_EW_MUL: thead_ew_b_mul(d, a, b, by, n, u); break;
    case THEAD_EW_MAX: thead_ew_b_max(d, a, b, by, n, u); break;
    case THEAD_EW_MIN: thead_ew_b_min(d, a, b, by, n, u); break;
    case THEAD_EW_SRA: thead_ew_b_sra(d, a, b, by, n, u); break;
    default: thead_ew_b_sll(d, a, b, by, n, u); break;
    }
}

/* pooling: acc[c] = max(acc[c], x[c]) or acc[c] += x[c] over one input position's channels */
static void thead_pool_max(int32_t *restrict acc, const uint8_t *restrict x, int64_t c, int u)
{
    if (u)
        for (int64_t i = 0; i < c; i++)
            acc[i] = acc[i] > (int32_t)x[i] ? acc[i] : (int32_t)x[i];
    else
        for (int64_t i = 0; i < c; i++)
            acc[i] = acc[i] > (int32_t)(int8_t)x[i] ? acc[i] : (int32_t)(int8_t)x[i];
}

static void thead_pool_sum(int32_t *restrict acc, const uint8_t *restrict x, int64_t c, int u)
{
    if (u)
        for (int64_t i = 0; i < c; i++)
            acc[i] += x[i];
    else
        for (int64_t i = 0; i < c; i++)
            acc[i] += (int8_t)x[i];
}

#endif /* THEAD_VE_CORE_H */
