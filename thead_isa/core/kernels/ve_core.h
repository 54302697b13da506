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


/* ---- vrq.fx: the common case vectorised -----------------------------------------------------
 * y = clamp(RoundingDivideByPOT(SRDHM(wrap32(acc + bias), mult), -shift) + zp, lo, hi) when every
 * shift <= 0 (no saturating left shift), no multiplier is INT32_MIN (SRDHM cannot saturate) and
 * |zp| <= 2^16 (so a result clipped to [-2^20, 2^20] before adding zp clamps identically). The
 * parameters are given per element of one period of `period` elements, a multiple of 8 and of
 * the row length, so that element e uses parameter e % period. Bit-exact with requant_fx_one
 * (requant.pxd): see the comments on each step. */

#define THEAD_VRQ_CLIP (1 << 20)

static inline int32_t thead_vrq_fx_one(int32_t acc, int32_t bias, int32_t mult, int32_t rsh,
                                       int32_t zp, int32_t lo, int32_t hi)
{
    int32_t x = (int32_t)((uint32_t)acc + (uint32_t)bias);
    int64_t ab = (int64_t)x * (int64_t)mult;
    int64_t t = ab + (ab >= 0 ? (1 << 30) : 1 - (1 << 30));
    int32_t h = (int32_t)((t >= 0 ? t : t + ((1LL << 31) - 1)) >> 31);  /* t / 2^31 toward 0 */
    int32_t mask = (int32_t)(((int64_t)1 << rsh) - 1);
    int32_t thr = (mask >> 1) + (h < 0);
    int32_t r = (h >> rsh) + ((h & mask) > thr);
    r = r < -THEAD_VRQ_CLIP ? -THEAD_VRQ_CLIP : (r > THEAD_VRQ_CLIP ? THEAD_VRQ_CLIP : r);
    r += zp;
    return r < lo ? lo : (r > hi ? hi : r);
}

#ifdef __x86_64__
#include <immintrin.h>

/* 8 lanes of SRDHM: the 64-bit products of even and odd lanes (vpmuldq), the nudge, then the
 * quotient toward zero as floor((t + (t < 0 ? 2^31 - 1 : 0)) / 2^31), whose low 32 bits are bits
 * 31..62 of the sum: a logical 64-bit shift gives them (the result fits int32). */
__attribute__((target("avx2")))
static inline __m256i thead_srdhm8(__m256i x, __m256i m)
{
    const __m256i zero = _mm256_setzero_si256();
    const __m256i pos = _mm256_set1_epi64x(1 << 30), neg = _mm256_set1_epi64x(1 - (1 << 30));
    const __m256i lowmask = _mm256_set1_epi64x((1LL << 31) - 1);
    __m256i pe = _mm256_mul_epi32(x, m);
    __m256i po = _mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(m, 32));
    pe = _mm256_add_epi64(pe, _mm256_blendv_epi8(pos, neg, _mm256_cmpgt_epi64(zero, pe)));
    po = _mm256_add_epi64(po, _mm256_blendv_epi8(pos, neg, _mm256_cmpgt_epi64(zero, po)));
    pe = _mm256_add_epi64(pe, _mm256_and_si256(_mm256_cmpgt_epi64(zero, pe), lowmask));
    po = _mm256_add_epi64(po, _mm256_and_si256(_mm256_cmpgt_epi64(zero, po), lowmask));
    pe = _mm256_srli_epi64(pe, 31);
    po = _mm256_slli_epi64(_mm256_srli_epi64(po, 31), 32);
    return _mm256_blend_epi32(pe, po, 0xAA);
}

__attribute__((target("avx2")))
static void thead_vrq_fx_avx2(uint8_t *d, const int32_t *acc, int64_t n, const int32_t *bias,
                              const int32_t *mult, const int32_t *rsh, int64_t period, int32_t zp,
                              int32_t lo, int32_t hi)
{
    const __m256i zero = _mm256_setzero_si256(), one = _mm256_set1_epi32(1);
    const __m256i cmin = _mm256_set1_epi32(-THEAD_VRQ_CLIP);
    const __m256i cmax = _mm256_set1_epi32(THEAD_VRQ_CLIP);
    const __m256i vzp = _mm256_set1_epi32(zp), vlo = _mm256_set1_epi32(lo);
    const __m256i vhi = _mm256_set1_epi32(hi);
    /* the low byte of every 32-bit lane, packed into the low 8 bytes */
    const __m256i shuf = _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                          -1, -1, 0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1,
                                          -1, -1, -1, -1);
    const __m256i gather = _mm256_setr_epi32(0, 4, 0, 0, 0, 0, 0, 0);
    int64_t e = 0, p = 0;
    for (; e + 8 <= n; e += 8) {
        __m256i x = _mm256_add_epi32(_mm256_loadu_si256((const __m256i *)(acc + e)),
                                     _mm256_loadu_si256((const __m256i *)(bias + p)));
        __m256i r = _mm256_loadu_si256((const __m256i *)(rsh + p));
        __m256i h = thead_srdhm8(x, _mm256_loadu_si256((const __m256i *)(mult + p)));
        /* RoundingDivideByPOT: (h >> r) + ((h & mask) > (mask >> 1) + (h < 0)) */
        __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, r), one);
        __m256i thr = _mm256_sub_epi32(_mm256_srli_epi32(mask, 1), _mm256_cmpgt_epi32(zero, h));
        __m256i q = _mm256_sub_epi32(_mm256_srav_epi32(h, r),
                                     _mm256_cmpgt_epi32(_mm256_and_si256(h, mask), thr));
        q = _mm256_min_epi32(_mm256_max_epi32(q, cmin), cmax);
        q = _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(q, vzp), vlo), vhi);
        q = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(q, shuf), gather);
        _mm_storel_epi64((__m128i *)(d + e), _mm256_castsi256_si128(q));
        p += 8;
        if (p == period)
            p = 0;
    }
    for (; e < n; e++, p++)
        d[e] = (uint8_t)thead_vrq_fx_one(acc[e], bias[p], mult[p], rsh[p], zp, lo, hi);
}
#endif

/* 1 if the host runs the vectorised vrq.fx */
static int thead_vrq_simd(void)
{
#ifdef __x86_64__
    static int ok = -1;
    if (ok < 0) {
        __builtin_cpu_init();
        ok = __builtin_cpu_supports("avx2") ? 1 : 0;
    }
    return ok;
#else
    return 0;
#endif
}

/* d[r * cols + c] for rows x cols accumulators; bias, mult, rsh: `period` parameters as above */
static void thead_vrq_fx(uint8_t *d, const int32_t *acc, int64_t n, const int32_t *bias,
                         const int32_t *mult, const int32_t *rsh, int64_t period, int32_t zp,
                         int32_t lo, int32_t hi)
{
#ifdef __x86_64__
    if (thead_vrq_simd()) {
        thead_vrq_fx_avx2(d, acc, n, bias, mult, rsh, period, zp, lo, hi);
        return;
    }
#endif
    for (int64_t e = 0, p = 0; e < n; e++) {
        d[e] = (uint8_t)thead_vrq_fx_one(acc[e], bias[p], mult[p], rsh[p], zp, lo, hi);
        if (++p == period)
            p = 0;
    }
}

#endif /* THEAD_VE_CORE_H */
