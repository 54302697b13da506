/* The implicit im2col matrix of a dense conv, one row (output position) at a time, for the GEMM
 * cores of gemm_core.h.
 *
 * Row i is output position (y, x) = (i / ow, i % ow); column (ti * kw + tj) * c + ch holds
 * X[y*sh + ti*dh - pt][x*sw + tj*dw - pl][ch], or the padding byte outside the input. When the
 * whole row is asked for, each kernel row is gathered as one run of kw*c bytes where it can
 * (dw == 1 and the window inside the input horizontally): one copy per kernel row instead of
 * one per tap. */
#ifndef THEAD_CONV_CORE_H
#define THEAD_CONV_CORE_H

#include <stdint.h>
#include <string.h>

typedef struct {
    const uint8_t *x;
    int64_t ih, iw, c, kh, kw, sh, sw, dh, dw, pt, pl, ow;
    uint8_t pad;
    int64_t next, cy, cx;   /* a cursor: row `next` is position (cy, cx) (rows come in order) */
} thead_conv_t;

/* (y, x) of row i without a division when i follows the previous row */
static inline void thead_conv_pos(thead_conv_t *g, int64_t i, int64_t *y, int64_t *x)
{
    if (i != g->next) {
        g->cy = i / g->ow;
        g->cx = i % g->ow;
    }
    *y = g->cy;
    *x = g->cx;
    g->next = i + 1;
    if (++g->cx == g->ow) {
        g->cx = 0;
        g->cy++;
    }
}

/* short copies inline (c = 1 gives runs of kw bytes, c = 8 of 8 * kw): two overlapping
 * fixed-size moves cover any n between one size and twice it; longer ones go to memcpy (a
 * byte loop would become a call too: the compiler recognises it as memcpy) */
static inline void thead_copy(uint8_t *restrict d, const uint8_t *restrict s, int64_t n)
{
    if (n >= 16 && n <= 32) {
        memcpy(d, s, 16);
        memcpy(d + n - 16, s + n - 16, 16);
    } else if (n >= 8 && n < 16) {
        memcpy(d, s, 8);
        memcpy(d + n - 8, s + n - 8, 8);
    } else if (n >= 4 && n < 8) {
        memcpy(d, s, 4);
        memcpy(d + n - 4, s + n - 4, 4);
    } else if (n >= 2 && n < 4) {
        memcpy(d, s, 2);
        memcpy(d + n - 2, s + n - 2, 2);
    } else if (n == 1) {
        d[0] = s[0];
    } else if (n > 32) {
        memcpy(d, s, (size_t)n);
    }
}

static inline void thead_fill(uint8_t *d, uint8_t v, int64_t n)
{
    if (n <= 32) {
        uint8_t pattern[32];
        memset(pattern, v, sizeof pattern);
        thead_copy(d, pattern, n);
    } else {
        memset(d, v, (size_t)n);
    }
}

/* columns k0 .. k0+kc of row i, tap by tap (any part of a row) */
static const uint8_t *thead_conv_row_part(thead_conv_t *g, int64_t i, int64_t k0,
                                          int64_t kc, uint8_t *tmp)
{
    int64_t y, x;
    thead_conv_pos(g, i, &y, &x);
    int64_t tap = k0 / g->c, ch = k0 % g->c;
    int64_t filled = 0;
    while (filled < kc) {
        int64_t n = g->c - ch;
        if (n > kc - filled)
            n = kc - filled;
        int64_t yy = y * g->sh + (tap / g->kw) * g->dh - g->pt;
        int64_t xx = x * g->sw + (tap % g->kw) * g->dw - g->pl;
        if (0 <= yy && yy < g->ih && 0 <= xx && xx < g->iw) {
            const uint8_t *src = g->x + (yy * g->iw + xx) * g->c + ch;
            if (n == kc)
                return src;
            thead_copy(tmp + filled, src, n);
        } else {
            thead_fill(tmp + filled, g->pad, n);
        }
        filled += n;
        ch = 0;
        tap++;
    }
    return tmp;
}

static const uint8_t *thead_conv_row(const void *ctx, int64_t i, int64_t k0, int64_t kc,
                                     uint8_t *tmp)
{
    thead_conv_t *g = (thead_conv_t *)ctx;      /* only the cursor changes */
    int64_t run = g->kw * g->c, y, x0;
    if (k0 != 0 || kc != g->kh * run)
        return thead_conv_row_part(g, i, k0, kc, tmp);
    thead_conv_pos(g, i, &y, &x0);
    x0 = x0 * g->sw - g->pl;
    int inside = g->dw == 1 && x0 >= 0 && x0 + g->kw <= g->iw;
    uint8_t *d = tmp;
    for (int64_t ti = 0; ti < g->kh; ti++, d += run) {
        int64_t yy = y * g->sh + ti * g->dh - g->pt;
        if (yy < 0 || yy >= g->ih) {
            thead_fill(d, g->pad, run);
        } else if (inside) {
            const uint8_t *src = g->x + (yy * g->iw + x0) * g->c;
            if (g->kh == 1)
                return src;
            thead_copy(d, src, run);
        } else {
            for (int64_t tj = 0; tj < g->kw; tj++) {
                int64_t xx = x0 + tj * g->dw;
                if (0 <= xx && xx < g->iw)
                    thead_copy(d + tj * g->c, g->x + (yy * g->iw + xx) * g->c, g->c);
                else
                    thead_fill(d + tj * g->c, g->pad, g->c);
            }
        }
    }
    return tmp;
}

/* rows i0 .. i0+n-1, columns k0 .. k0+kc, into d at a pitch of `pitch` bytes: the whole-row
 * gather of thead_conv_row with the geometry in registers and no call per row */
static void thead_conv_rows(const void *ctx, int64_t i0, int64_t n, int64_t k0, int64_t kc,
                            uint8_t *d, int64_t pitch)
{
    thead_conv_t *g = (thead_conv_t *)ctx;
    const int64_t c = g->c, kh = g->kh, kw = g->kw, run = kw * c, ih = g->ih, iw = g->iw;
    const int64_t sh = g->sh, sw = g->sw, dh = g->dh, dw = g->dw, pt = g->pt, pl = g->pl;
    const int64_t ow = g->ow;
    const uint8_t *x = g->x, pad = g->pad;
    if (k0 != 0 || kc != kh * run || kh == 1) {
        for (int64_t r = 0; r < n; r++, d += pitch) {
            const uint8_t *row = thead_conv_row(g, i0 + r, k0, kc, d);
            if (row != d)
                memcpy(d, row, (size_t)kc);
        }
        return;
    }
    int64_t y = i0 / ow, xo = i0 % ow;
    for (int64_t r = 0; r < n; r++, d += pitch) {
        int64_t x0 = xo * sw - pl;
        int inside = dw == 1 && x0 >= 0 && x0 + kw <= iw;
        uint8_t *o = d;
        for (int64_t ti = 0; ti < kh; ti++, o += run) {
            int64_t yy = y * sh + ti * dh - pt;
            if (yy < 0 || yy >= ih) {
                thead_fill(o, pad, run);
            } else if (inside) {
                thead_copy(o, x + (yy * iw + x0) * c, run);
            } else {
                for (int64_t tj = 0; tj < kw; tj++) {
                    int64_t xx = x0 + tj * dw;
                    if (0 <= xx && xx < iw)
                        thead_copy(o + tj * c, x + (yy * iw + xx) * c, c);
                    else
                        thead_fill(o + tj * c, pad, c);
                }
            }
        }
        if (++xo == ow) {
            xo = 0;
            y++;
        }
    }
}

#endif /* THEAD_CONV_CORE_H */
