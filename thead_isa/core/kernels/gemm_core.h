/* Integer GEMM cores of the tensor-engine kernels: C[i][j] += sum_k A[i][k] * B[k][j] (wrapping int32).
 *
 * A is int8 or uint8 and reached one row segment at a time through a callback (a strided LM
 * matrix for gemm, gathered input patches for conv); B is an int8 matrix with row stride ldb.
 * Every sum is taken modulo 2^32, which is exactly the reference's "exact, then wrap to int32".
 *
 * Paths: a plain C loop (any host); AVX2 on int16 pairs (vpmaddwd: exact for 8-bit operands);
 * AVX-512 VNNI on byte quads (vpdpbusd takes unsigned x signed bytes: a signed A is offset by
 * 128 and 128 * column sums of B are subtracted, all modulo 2^32; a 16-column variant serves
 * n <= 16, where the 32-column kernel would compute mostly zeros). The SIMD paths are compiled
 * with target attributes and chosen at run time, so no global compiler flags are needed.
 */
#ifndef THEAD_GEMM_CORE_H
#define THEAD_GEMM_CORE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef const uint8_t *(*thead_row_fn)(const void *ctx, int64_t i, int64_t k0, int64_t kc,
                                       uint8_t *tmp);

/* rows(ctx, i0, n, k0, kc, d, pitch): A[i0 + r][k0..k0+kc) into d + r * pitch for r < n */
typedef void (*thead_rows_fn)(const void *ctx, int64_t i0, int64_t n, int64_t k0, int64_t kc,
                              uint8_t *d, int64_t pitch);

typedef struct {
    thead_row_fn row;    /* row(ctx, i, k0, kc, tmp): kc contiguous bytes A[i][k0..k0+kc) */
    thead_rows_fn rows;  /* optional: a block of rows at once (the row-major paths use it) */
    const void *ctx;
    int64_t m, n, k;
    int a_unsigned;
    const uint8_t *b;    /* B[k][j] = (int8) b[k * ldb + j] */
    int64_t ldb;
    int32_t *c;          /* C[i][j] at c[i * ldc + j] */
    int64_t ldc;
} thead_gemm_t;

enum { THEAD_GEMM_AUTO = 0, THEAD_GEMM_SCALAR = 1, THEAD_GEMM_AVX2 = 2, THEAD_GEMM_VNNI512 = 3,
       THEAD_GEMM_NPATHS = 4 };

#define THEAD_SCALAR_KC 256

static inline int64_t thead_min64(int64_t a, int64_t b) { return a < b ? a : b; }

static inline uint32_t thead_ld32(const void *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static inline void *thead_alloc64(int64_t nbytes)
{
    return aligned_alloc(64, (size_t)((nbytes + 127) / 64 * 64));
}

/* ---- the plain path ---------------------------------------------------------------------- */

static void thead_axpy_i8(uint32_t *restrict c, const int8_t *restrict b, int32_t a, int64_t n)
{
    for (int64_t j = 0; j < n; j++)
        c[j] += (uint32_t)(a * (int32_t)b[j]);
}

static int thead_gemm_scalar(const thead_gemm_t *g)
{
    uint8_t *tmp = (uint8_t *)malloc(THEAD_SCALAR_KC);
    if (!tmp)
        return -1;
    for (int64_t i = 0; i < g->m; i++) {
        uint32_t *crow = (uint32_t *)(g->c + i * g->ldc);
        for (int64_t k0 = 0; k0 < g->k; k0 += THEAD_SCALAR_KC) {
            int64_t kc = thead_min64(THEAD_SCALAR_KC, g->k - k0);
            const uint8_t *a = g->row(g->ctx, i, k0, kc, tmp);
            for (int64_t kk = 0; kk < kc; kk++) {
                int32_t av = g->a_unsigned ? (int32_t)a[kk] : (int32_t)(int8_t)a[kk];
                if (av)
                    thead_axpy_i8(crow, (const int8_t *)(g->b + (k0 + kk) * g->ldb), av, g->n);
            }
        }
    }
    free(tmp);
    return 0;
}

/* ---- the blocked, packed driver shared by the SIMD paths ----------------------------------
 * Packed operands are streams of 32-bit words: one word holds a group of kg consecutive k of
 * one row of A (or one column of B), 4 bytes (VNNI) or 2 int16 (AVX2). An A sliver is
 * [group][mr] words, a B sliver [group][nr] words; missing rows, columns and k are zero. */

typedef struct {
    int mr, nr, kg;
    int64_t kc, mc, nc;      /* cache blocks: kc a multiple of kg, mc of mr, nc of nr */
    /* one row of A (kc bytes) into d[g * mr] for every group g; NULL: A stays row-major (each
       row's bytes as they are, at a pitch of the block's groups * 4 bytes, signed bytes ^ 0x80)
       and kernel_rows multiplies it */
    void (*pack_a_row)(const uint8_t *a, int64_t kc, uint32_t *d, int mr, int a_unsigned);
    /* one sliver of B (kc rows, nvalid <= nr columns) into d; if corr, corr[j] =
       -128 * sum_k B[k][j] */
    void (*pack_b)(const uint8_t *b, int64_t ldb, int64_t kc, int64_t nvalid, uint32_t *d,
                   int32_t *corr);
    void (*kernel)(int64_t ngroups, const uint32_t *a, const uint32_t *b, int32_t *c,
                   int64_t ldc, const int32_t *corr, int mr, int nr);
    void (*kernel_rows)(int64_t ngroups, const uint8_t *a, int64_t lda, const uint32_t *b,
                        int32_t *c, int64_t ldc, const int32_t *corr, int mr, int nr);
    int signed_corr;         /* signed A needs the column-sum correction */
} thead_path_t;

/* rows [ir, ir + mr) of A, columns pc .. pc + kc, row-major at pitch kp bytes (signed: ^ 0x80);
 * bytes past kc keep whatever they hold (the packed B is zero there) */
static void thead_rows_a(const thead_gemm_t *g, int64_t i0, int64_t mr, int64_t pc, int64_t kc,
                         uint8_t *d, int64_t kp)
{
    if (g->rows)
        g->rows(g->ctx, i0, mr, pc, kc, d, kp);
    for (int64_t r = 0; r < mr && !g->rows; r++) {
        uint8_t *slot = d + r * kp;
        const uint8_t *a = g->row(g->ctx, i0 + r, pc, kc, slot);
        if (a != slot)
            memcpy(slot, a, (size_t)kc);
    }
    if (!g->a_unsigned)
        for (int64_t r = 0; r < mr; r++)
            for (int64_t k = 0; k < kc; k++)
                d[r * kp + k] ^= 0x80;
}

static int thead_gemm_blocked(const thead_gemm_t *g, const thead_path_t *p)
{
    const int MR = p->mr, NR = p->nr, KG = p->kg;
    int64_t kc_max = thead_min64(p->kc, ((g->k + KG - 1) / KG) * KG);
    int64_t mc_max = thead_min64(p->mc, ((g->m + MR - 1) / MR) * MR);
    int64_t nc_max = thead_min64(p->nc, ((g->n + NR - 1) / NR) * NR);
    int64_t gmax = kc_max / KG;
    int corr_on = p->signed_corr && !g->a_unsigned;
    int rows = p->pack_a_row == NULL;
    uint32_t *ap = (uint32_t *)thead_alloc64(gmax * mc_max * 4);
    uint32_t *bp = (uint32_t *)thead_alloc64(gmax * nc_max * 4);
    int32_t *corr = (int32_t *)thead_alloc64(nc_max * 4);
    uint8_t *tmp = (uint8_t *)malloc((size_t)kc_max + 64);
    int rc = 0;
    if (!ap || !bp || !corr || !tmp) {
        rc = -1;
        goto done;
    }
    if (rows)
        memset(ap, 0, (size_t)(gmax * mc_max * 4));
    for (int64_t jc = 0; jc < g->n; jc += p->nc) {
        int64_t nc = thead_min64(p->nc, g->n - jc);
        for (int64_t pc = 0; pc < g->k; pc += p->kc) {
            int64_t kc = thead_min64(p->kc, g->k - pc);
            int64_t ng = (kc + KG - 1) / KG;
            for (int64_t jr = 0; jr < nc; jr += NR)
                p->pack_b(g->b + pc * g->ldb + jc + jr, g->ldb, kc, thead_min64(NR, nc - jr),
                          bp + (jr / NR) * ng * NR, corr_on ? corr + jr : NULL);
            for (int64_t ic = 0; ic < g->m; ic += p->mc) {
                int64_t mc = thead_min64(p->mc, g->m - ic);
                if (rows) {
                    uint8_t *a8 = (uint8_t *)ap;
                    thead_rows_a(g, ic, mc, pc, kc, a8, ng * 4);
                    for (int64_t jr = 0; jr < nc; jr += NR)
                        for (int64_t ir = 0; ir < mc; ir += MR)
                            p->kernel_rows(ng, a8 + ir * ng * 4, ng * 4,
                                           bp + (jr / NR) * ng * NR,
                                           g->c + (ic + ir) * g->ldc + jc + jr, g->ldc,
                                           corr_on ? corr + jr : NULL,
                                           (int)thead_min64(MR, mc - ir),
                                           (int)thead_min64(NR, nc - jr));
                    continue;
                }
                for (int64_t ir = 0; ir < mc; ir += MR) {
                    uint32_t *d = ap + (ir / MR) * ng * MR;
                    for (int r = 0; r < MR; r++) {
                        if (ir + r < mc) {
                            const uint8_t *a = g->row(g->ctx, ic + ir + r, pc, kc, tmp);
                            p->pack_a_row(a, kc, d + r, MR, g->a_unsigned);
                        } else {
                            for (int64_t q = 0; q < ng; q++)
                                d[q * MR + r] = 0;
                        }
                    }
                }
                for (int64_t jr = 0; jr < nc; jr += NR) {
                    const uint32_t *b = bp + (jr / NR) * ng * NR;
                    for (int64_t ir = 0; ir < mc; ir += MR)
                        p->kernel(ng, ap + (ir / MR) * ng * MR, b,
                                  g->c + (ic + ir) * g->ldc + jc + jr, g->ldc,
                                  corr_on ? corr + jr : NULL, (int)thead_min64(MR, mc - ir),
                                  (int)thead_min64(NR, nc - jr));
                }
            }
        }
    }
done:
    free(ap);
    free(bp);
    free(corr);
    free(tmp);
    return rc;
}

#if defined(__x86_64__) && defined(__GNUC__)
#define THEAD_X86 1
#include <immintrin.h>

static const uint8_t thead_zero_row[64] __attribute__((aligned(64))) = {0};

/* ---- AVX-512 VNNI: words are 4 bytes of consecutive k, A as uint8 (signed A: byte ^ 0x80),
 * read from the rows of A as they are (no packing of A) ------------------------------------- */

#define V_MR 8
#define V_NR 32

__attribute__((target("avx512f,avx512bw,avx512vnni")))
static void v_pack_b(const uint8_t *b, int64_t ldb, int64_t kc, int64_t nvalid, uint32_t *d,
                     int32_t *corr)
{
    int64_t ng = (kc + 3) / 4;
    uint8_t *out = (uint8_t *)d;
    for (int64_t q = 0; q < ng; q++, out += V_NR * 4) {
        const uint8_t *r[4];
        for (int t = 0; t < 4; t++)
            r[t] = 4 * q + t < kc ? b + (4 * q + t) * ldb : thead_zero_row;
        if (nvalid == V_NR) {
            for (int h = 0; h < 2; h++) {
                __m128i x0 = _mm_loadu_si128((const __m128i *)(r[0] + 16 * h));
                __m128i x1 = _mm_loadu_si128((const __m128i *)(r[1] + 16 * h));
                __m128i x2 = _mm_loadu_si128((const __m128i *)(r[2] + 16 * h));
                __m128i x3 = _mm_loadu_si128((const __m128i *)(r[3] + 16 * h));
                __m128i lo01 = _mm_unpacklo_epi8(x0, x1), lo23 = _mm_unpacklo_epi8(x2, x3);
                __m128i hi01 = _mm_unpackhi_epi8(x0, x1), hi23 = _mm_unpackhi_epi8(x2, x3);
                __m128i *o = (__m128i *)(out + 64 * h);
                _mm_storeu_si128(o + 0, _mm_unpacklo_epi16(lo01, lo23));
                _mm_storeu_si128(o + 1, _mm_unpackhi_epi16(lo01, lo23));
                _mm_storeu_si128(o + 2, _mm_unpacklo_epi16(hi01, hi23));
                _mm_storeu_si128(o + 3, _mm_unpackhi_epi16(hi01, hi23));
            }
        } else {
            for (int64_t j = 0; j < V_NR; j++)
                for (int t = 0; t < 4; t++)
                    out[4 * j + t] = (j < nvalid && r[t] != thead_zero_row) ? r[t][j] : 0;
        }
    }
    if (corr) {
        __m512i s0 = _mm512_setzero_si512(), s1 = _mm512_setzero_si512();
        const __m512i ones = _mm512_set1_epi8(1);
        const uint8_t *p = (const uint8_t *)d;
        for (int64_t q = 0; q < ng; q++, p += V_NR * 4) {
            s0 = _mm512_dpbusd_epi32(s0, ones, _mm512_loadu_si512(p));
            s1 = _mm512_dpbusd_epi32(s1, ones, _mm512_loadu_si512(p + 64));
        }
        const __m512i zero = _mm512_setzero_si512();
        _mm512_storeu_si512(corr, _mm512_sub_epi32(zero, _mm512_slli_epi32(s0, 7)));
        _mm512_storeu_si512(corr + 16, _mm512_sub_epi32(zero, _mm512_slli_epi32(s1, 7)));
    }
}

/* A row r's word of group q: 4 bytes at a + r * lda + 4 q (row-major, already ^ 0x80 when
 * signed); rows past mr read the zeroed block and are not stored */
#define V_ROW(r)                                                                  \
    {                                                                             \
        __m512i a = _mm512_set1_epi32((int)thead_ld32(a_ + (r) * lda));          \
        c##r##0 = _mm512_dpbusd_epi32(c##r##0, a, b0);                           \
        c##r##1 = _mm512_dpbusd_epi32(c##r##1, a, b1);                           \
    }

__attribute__((target("avx512f,avx512bw,avx512vnni")))
static void v_kernel(int64_t ng, const uint8_t *a, int64_t lda, const uint32_t *b, int32_t *c,
                     int64_t ldc, const int32_t *corr, int mr, int nr)
{
    const uint8_t *a_ = a, *b_ = (const uint8_t *)b;
    __m512i c00 = _mm512_setzero_si512(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
            c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00,
            c61 = c00, c70 = c00, c71 = c00;
    for (int64_t q = 0; q < ng; q++) {
        __m512i b0 = _mm512_loadu_si512(b_), b1 = _mm512_loadu_si512(b_ + 64);
        V_ROW(0) V_ROW(1) V_ROW(2) V_ROW(3) V_ROW(4) V_ROW(5) V_ROW(6) V_ROW(7)
        a_ += 4;
        b_ += 4 * V_NR;
    }
    __m512i acc[V_MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31},
                            {c40, c41}, {c50, c51}, {c60, c61}, {c70, c71}};
    __m512i k0 = _mm512_setzero_si512(), k1 = k0;
    if (corr) {
        k0 = _mm512_loadu_si512(corr);
        k1 = _mm512_loadu_si512(corr + 16);
    }
    __mmask16 m0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1);
    __mmask16 m1 = nr >= 32 ? (__mmask16)0xFFFF
                            : (nr > 16 ? (__mmask16)((1u << (nr - 16)) - 1) : (__mmask16)0);
    for (int r = 0; r < mr; r++) {
        int32_t *row = c + r * ldc;
        __m512i v0 = _mm512_add_epi32(acc[r][0], k0), v1 = _mm512_add_epi32(acc[r][1], k1);
        if (nr == V_NR) {
            _mm512_storeu_si512(row, _mm512_add_epi32(_mm512_loadu_si512(row), v0));
            _mm512_storeu_si512(row + 16, _mm512_add_epi32(_mm512_loadu_si512(row + 16), v1));
        } else {
            _mm512_mask_storeu_epi32(row, m0,
                                     _mm512_add_epi32(_mm512_maskz_loadu_epi32(m0, row), v0));
            _mm512_mask_storeu_epi32(row + 16, m1,
                                     _mm512_add_epi32(_mm512_maskz_loadu_epi32(m1, row + 16), v1));
        }
    }
}

static const thead_path_t thead_path_vnni512 = {
    V_MR, V_NR, 4, 512, 128, 1024, NULL, v_pack_b, NULL, v_kernel, 1};

/* ---- AVX-512 VNNI, 16 columns: the same words, one zmm of C per row (n <= 16) ------------- */

#define V16_NR 16

__attribute__((target("avx512f,avx512bw,avx512vnni")))
static void v16_pack_b(const uint8_t *b, int64_t ldb, int64_t kc, int64_t nvalid, uint32_t *d,
                       int32_t *corr)
{
    int64_t ng = (kc + 3) / 4;
    uint8_t *out = (uint8_t *)d;
    for (int64_t q = 0; q < ng; q++, out += V16_NR * 4) {
        const uint8_t *r[4];
        for (int t = 0; t < 4; t++)
            r[t] = 4 * q + t < kc ? b + (4 * q + t) * ldb : thead_zero_row;
        if (nvalid == V16_NR) {
            __m128i x0 = _mm_loadu_si128((const __m128i *)r[0]);
            __m128i x1 = _mm_loadu_si128((const __m128i *)r[1]);
            __m128i x2 = _mm_loadu_si128((const __m128i *)r[2]);
            __m128i x3 = _mm_loadu_si128((const __m128i *)r[3]);
            __m128i lo01 = _mm_unpacklo_epi8(x0, x1), lo23 = _mm_unpacklo_epi8(x2, x3);
            __m128i hi01 = _mm_unpackhi_epi8(x0, x1), hi23 = _mm_unpackhi_epi8(x2, x3);
            __m128i *o = (__m128i *)out;
            _mm_storeu_si128(o + 0, _mm_unpacklo_epi16(lo01, lo23));
            _mm_storeu_si128(o + 1, _mm_unpackhi_epi16(lo01, lo23));
            _mm_storeu_si128(o + 2, _mm_unpacklo_epi16(hi01, hi23));
            _mm_storeu_si128(o + 3, _mm_unpackhi_epi16(hi01, hi23));
        } else {
            for (int64_t j = 0; j < V16_NR; j++)
                for (int t = 0; t < 4; t++)
                    out[4 * j + t] = (j < nvalid && r[t] != thead_zero_row) ? r[t][j] : 0;
        }
    }
    if (corr) {
        __m512i s0 = _mm512_setzero_si512();
        const __m512i ones = _mm512_set1_epi8(1);
        const uint8_t *p = (const uint8_t *)d;
        for (int64_t q = 0; q < ng; q++, p += V16_NR * 4)
            s0 = _mm512_dpbusd_epi32(s0, ones, _mm512_loadu_si512(p));
        _mm512_storeu_si512(corr,
                            _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_slli_epi32(s0, 7)));
    }
}

#define V16_ROW(r)                                                                          \
    c##r = _mm512_dpbusd_epi32(c##r, _mm512_set1_epi32((int)thead_ld32(a_ + (r) * lda)), b0);

__attribute__((target("avx512f,avx512bw,avx512vnni")))
static void v16_kernel(int64_t ng, const uint8_t *a, int64_t lda, const uint32_t *b, int32_t *c,
                       int64_t ldc, const int32_t *corr, int mr, int nr)
{
    const uint8_t *a_ = a, *b_ = (const uint8_t *)b;
    __m512i c0 = _mm512_setzero_si512(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0,
            c7 = c0;
    for (int64_t q = 0; q < ng; q++) {
        __m512i b0 = _mm512_loadu_si512(b_);
        V16_ROW(0) V16_ROW(1) V16_ROW(2) V16_ROW(3) V16_ROW(4) V16_ROW(5) V16_ROW(6) V16_ROW(7)
        a_ += 4;
        b_ += 4 * V16_NR;
    }
    __m512i acc[V_MR] = {c0, c1, c2, c3, c4, c5, c6, c7};
    __m512i k0 = corr ? _mm512_loadu_si512(corr) : _mm512_setzero_si512();
    __mmask16 m0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1);
    for (int r = 0; r < mr; r++) {
        int32_t *row = c + r * ldc;
        __m512i v = _mm512_add_epi32(acc[r], k0);
        _mm512_mask_storeu_epi32(row, m0, _mm512_add_epi32(_mm512_maskz_loadu_epi32(m0, row), v));
    }
}

static const thead_path_t thead_path_vnni512_n16 = {
    V_MR, V16_NR, 4, 512, 128, 1024, NULL, v16_pack_b, NULL, v16_kernel, 1};

/* ---- AVX2: words are 2 int16 of consecutive k, multiplied pairwise by vpmaddwd ----------- */

#define W_MR 6
#define W_NR 16

static void w_pack_a_row(const uint8_t *a, int64_t kc, uint32_t *d, int mr, int a_unsigned)
{
    int64_t q;
    for (q = 0; 2 * q + 1 < kc; q++) {
        uint16_t lo = a_unsigned ? a[2 * q] : (uint16_t)(int16_t)(int8_t)a[2 * q];
        uint16_t hi = a_unsigned ? a[2 * q + 1] : (uint16_t)(int16_t)(int8_t)a[2 * q + 1];
        d[q * mr] = (uint32_t)lo | ((uint32_t)hi << 16);
    }
    if (kc % 2)
        d[q * mr] = a_unsigned ? a[2 * q] : (uint16_t)(int16_t)(int8_t)a[2 * q];
}

__attribute__((target("avx2")))
static void w_pack_b(const uint8_t *b, int64_t ldb, int64_t kc, int64_t nvalid, uint32_t *d,
                     int32_t *corr)
{
    int64_t ng = (kc + 1) / 2;
    int16_t *out = (int16_t *)d;
    (void)corr;
    for (int64_t q = 0; q < ng; q++, out += 2 * W_NR) {
        const uint8_t *r0 = b + 2 * q * ldb;
        const uint8_t *r1 = 2 * q + 1 < kc ? b + (2 * q + 1) * ldb : thead_zero_row;
        if (nvalid == W_NR) {
            __m128i x0 = _mm_loadu_si128((const __m128i *)r0);
            __m128i x1 = _mm_loadu_si128((const __m128i *)r1);
            __m128i l0 = _mm_cvtepi8_epi16(x0), l1 = _mm_cvtepi8_epi16(x1);
            __m128i h0 = _mm_cvtepi8_epi16(_mm_srli_si128(x0, 8));
            __m128i h1 = _mm_cvtepi8_epi16(_mm_srli_si128(x1, 8));
            __m128i *o = (__m128i *)out;
            _mm_storeu_si128(o + 0, _mm_unpacklo_epi16(l0, l1));
            _mm_storeu_si128(o + 1, _mm_unpackhi_epi16(l0, l1));
            _mm_storeu_si128(o + 2, _mm_unpacklo_epi16(h0, h1));
            _mm_storeu_si128(o + 3, _mm_unpackhi_epi16(h0, h1));
        } else {
            for (int64_t j = 0; j < W_NR; j++) {
                out[2 * j] = j < nvalid ? (int8_t)r0[j] : 0;
                out[2 * j + 1] = (j < nvalid && r1 != thead_zero_row) ? (int8_t)r1[j] : 0;
            }
        }
    }
}

#define W_ROW(r)                                                                        \
    {                                                                                   \
        __m256i a = _mm256_set1_epi32((int)thead_ld32(a_ + 4 * (r)));                  \
        c##r##0 = _mm256_add_epi32(c##r##0, _mm256_madd_epi16(a, b0));                 \
        c##r##1 = _mm256_add_epi32(c##r##1, _mm256_madd_epi16(a, b1));                 \
    }

__attribute__((target("avx2")))
static void w_kernel(int64_t ng, const uint32_t *a, const uint32_t *b, int32_t *c, int64_t ldc,
                     const int32_t *corr, int mr, int nr)
{
    const uint8_t *a_ = (const uint8_t *)a, *b_ = (const uint8_t *)b;
    __m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
            c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    (void)corr;
    for (int64_t q = 0; q < ng; q++) {
        __m256i b0 = _mm256_loadu_si256((const __m256i *)b_);
        __m256i b1 = _mm256_loadu_si256((const __m256i *)(b_ + 32));
        W_ROW(0) W_ROW(1) W_ROW(2) W_ROW(3) W_ROW(4) W_ROW(5)
        a_ += 4 * W_MR;
        b_ += 4 * W_NR;
    }
    __m256i acc[W_MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41},
                            {c50, c51}};
    for (int r = 0; r < mr; r++) {
        int32_t *row = c + r * ldc;
        if (nr == W_NR) {
            __m256i *p0 = (__m256i *)row, *p1 = (__m256i *)(row + 8);
            _mm256_storeu_si256(p0, _mm256_add_epi32(_mm256_loadu_si256(p0), acc[r][0]));
            _mm256_storeu_si256(p1, _mm256_add_epi32(_mm256_loadu_si256(p1), acc[r][1]));
        } else {
            int32_t t[W_NR] __attribute__((aligned(32)));
            _mm256_store_si256((__m256i *)t, acc[r][0]);
            _mm256_store_si256((__m256i *)(t + 8), acc[r][1]);
            for (int j = 0; j < nr; j++)
                row[j] = (int32_t)((uint32_t)row[j] + (uint32_t)t[j]);
        }
    }
}

static const thead_path_t thead_path_avx2 = {
    W_MR, W_NR, 2, 512, 96, 1024, w_pack_a_row, w_pack_b, w_kernel, NULL, 0};

#endif /* x86 */

/* ---- depthwise convolution taps: o[ch] += x[ch] * w[ch] (wrapping), vectorised by the compiler */

static void thead_dw_tap(int32_t *restrict o, const uint8_t *restrict x,
                         const uint8_t *restrict w, int64_t c, int x_unsigned)
{
    uint32_t *u = (uint32_t *)o;
    if (x_unsigned)
        for (int64_t ch = 0; ch < c; ch++)
            u[ch] += (uint32_t)((int32_t)x[ch] * (int32_t)(int8_t)w[ch]);
    else
        for (int64_t ch = 0; ch < c; ch++)
            u[ch] += (uint32_t)((int32_t)(int8_t)x[ch] * (int32_t)(int8_t)w[ch]);
}

static void thead_dw_pad(int32_t *restrict o, int32_t pad, const uint8_t *restrict w, int64_t c)
{
    uint32_t *u = (uint32_t *)o;
    for (int64_t ch = 0; ch < c; ch++)
        u[ch] += (uint32_t)(pad * (int32_t)(int8_t)w[ch]);
}

/* ---- dispatch ------------------------------------------------------------------------------ */

static int thead_gemm_available(int path)
{
    if (path == THEAD_GEMM_SCALAR)
        return 1;
#ifdef THEAD_X86
    __builtin_cpu_init();
    if (path == THEAD_GEMM_AVX2)
        return __builtin_cpu_supports("avx2");
    if (path == THEAD_GEMM_VNNI512)
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
               && __builtin_cpu_supports("avx512vnni");
#endif
    return 0;
}

/* below this many multiply-adds packing costs more than it saves */
#define THEAD_GEMM_SMALL (16 * 16 * 16)

static int thead_gemm_best(void)
{
    static int best = 0;
    if (!best)
        best = thead_gemm_available(THEAD_GEMM_VNNI512)
                   ? THEAD_GEMM_VNNI512
                   : (thead_gemm_available(THEAD_GEMM_AVX2) ? THEAD_GEMM_AVX2
                                                            : THEAD_GEMM_SCALAR);
    return best;
}

/* C += A @ B on the given path (THEAD_GEMM_AUTO: by size and host); 0, or -1 when the packing
 * buffers cannot be allocated (nothing is then guaranteed about C). */
static int thead_gemm(const thead_gemm_t *g, int path)
{
    if (g->m <= 0 || g->n <= 0 || g->k <= 0)
        return 0;
    if (path == THEAD_GEMM_AUTO) {
        path = thead_gemm_best();
        if ((double)g->m * (double)g->n * (double)g->k < THEAD_GEMM_SMALL)
            path = THEAD_GEMM_SCALAR;
    }
    if (!thead_gemm_available(path))
        path = THEAD_GEMM_SCALAR;
#ifdef THEAD_X86
    if (path == THEAD_GEMM_VNNI512)
        return thead_gemm_blocked(g, g->n <= V16_NR ? &thead_path_vnni512_n16
                                                    : &thead_path_vnni512);
    if (path == THEAD_GEMM_AVX2)
        return thead_gemm_blocked(g, &thead_path_avx2);
#endif
    return thead_gemm_scalar(g);
}

#endif /* THEAD_GEMM_CORE_H */
