/* Sliding FFT: decimate by block means, Hann window, r2c, parabolic peak interpolation. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "gm_cadence.h"

#define FUNDAMENTAL_SHARE 0.2

int gm_cadence_init(struct gm_cadence *c, double in_rate_hz)
{
        memset(c, 0, sizeof(*c));
        c->in_rate = in_rate_hz;
        c->peak_hz = NAN;
        c->in = fftw_alloc_real(GM_CADENCE_N);
        c->out = fftw_alloc_complex(GM_CADENCE_N / 2 + 1);
        if (!c->in || !c->out) {
                gm_cadence_free(c);
                return -ENOMEM;
        }
        /* ESTIMATE: no timing runs at start-up, the size is small anyway. */
        c->plan = fftw_plan_dft_r2c_1d(GM_CADENCE_N, c->in, c->out, FFTW_ESTIMATE);
        if (!c->plan) {
                gm_cadence_free(c);
                return -ENOMEM;
        }
        for (int i = 0; i < GM_CADENCE_N; i++)
                c->window[i] = 0.5 - 0.5 * cos(2 * M_PI * i / (GM_CADENCE_N - 1));
        return 0;
}

void gm_cadence_free(struct gm_cadence *c)
{
        if (c->plan)
                fftw_destroy_plan(c->plan);
        fftw_free(c->in);
        fftw_free(c->out);
        c->plan = NULL;
        c->in = NULL;
        c->out = NULL;
}

static void analyse(struct gm_cadence *c)
{
        double mean = 0;
        for (int i = 0; i < GM_CADENCE_N; i++)
                mean += c->ring[i];
        mean /= GM_CADENCE_N;
        for (int i = 0; i < GM_CADENCE_N; i++)
                c->in[i] = (c->ring[(c->pos + i) % GM_CADENCE_N] - mean) * c->window[i];
        fftw_execute(c->plan);

        double df = GM_CADENCE_RATE / GM_CADENCE_N, total = 0, best = 0;
        int lo = (int)ceil(0.5 / df), hi = (int)floor(4.0 / df), k_best = -1;
        double power[GM_CADENCE_N / 2 + 1];
        for (int k = 1; k <= GM_CADENCE_N / 2; k++) {
                power[k] = c->out[k][0] * c->out[k][0] + c->out[k][1] * c->out[k][1];
                total += power[k];
        }
        for (int k = lo; k <= hi; k++)
                if (power[k] > best) {
                        best = power[k];
                        k_best = k;
                }
        /* Impacts make harmonics as strong as the fundamental: take the lowest clear peak. */
        for (int k = lo; k < k_best; k++)
                if (power[k] >= FUNDAMENTAL_SHARE * best && power[k] >= power[k - 1] && power[k] >= power[k + 1]) {
                        k_best = k;
                        break;
                }
        /* A peak that is not clearly periodic (standing, noise) gives no cadence. */
        if (k_best < 0 || best < 0.05 * total || best < 1e-3) {
                c->peak_hz = NAN;
                return;
        }
        double a = power[k_best - 1], b = power[k_best], d = power[k_best + 1];
        double denom = a - 2 * b + d, shift = denom != 0 ? 0.5 * (a - d) / denom : 0;
        c->peak_hz = (k_best + shift) * df;
}

void gm_cadence_push(struct gm_cadence *c, double value)
{
        c->acc_sum += value;
        c->block_n++;
        c->block_pos += GM_CADENCE_RATE / c->in_rate;
        if (c->block_pos < 1.0)
                return;
        c->block_pos -= 1.0;
        c->ring[c->pos] = c->acc_sum / c->block_n;
        c->pos = (c->pos + 1) % GM_CADENCE_N;
        c->acc_sum = 0;
        c->block_n = 0;
        if (c->filled < GM_CADENCE_N)
                c->filled++;
        if (++c->since_fft >= GM_CADENCE_RATE && c->filled == GM_CADENCE_N) {
                c->since_fft = 0;
                analyse(c);
        }
}
