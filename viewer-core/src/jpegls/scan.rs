//! Decoding one JPEG-LS scan (T.87 Annex A): context modelling, prediction, Golomb decoding,
//! run mode, for one component at a time (ILV 0 and 1) or sample-interleaved (ILV 2).

use super::bits::BitReader;
use super::JpegLsError;

/// Run-length order table J (T.87 A.7.1.1).
const J: [u32; 32] = [
    0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11, 12, 13,
    14, 15,
];
const REGULAR_CONTEXTS: usize = 365;
const MIN_C: i32 = -128;
const MAX_C: i32 = 127;

/// Coding parameters of a scan (T.87 C.2.4.1).
#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub maxval: i32,
    pub near: i32,
    pub t1: i32,
    pub t2: i32,
    pub t3: i32,
    pub reset: i32,
}

impl Params {
    /// The parameters for `precision` bits, with LSE values (0 = default) applied.
    pub fn new(precision: u8, near: i32, preset: [i32; 5]) -> Self {
        let maxval = if preset[0] > 0 {
            preset[0]
        } else {
            (1 << precision) - 1
        };
        let clamp = |i: i32, j: i32| if i > maxval || i < j { j } else { i };
        let (basic1, basic2, basic3) = (3, 7, 21);
        let (d1, d2, d3) = if maxval >= 128 {
            let factor = (maxval.min(4095) + 128) / 256;
            let t1 = clamp(factor * (basic1 - 2) + 2 + 3 * near, near + 1);
            let t2 = clamp(factor * (basic2 - 3) + 3 + 5 * near, t1);
            (t1, t2, clamp(factor * (basic3 - 4) + 4 + 7 * near, t2))
        } else {
            let factor = 256 / (maxval + 1);
            let t1 = clamp((basic1 / factor + 3 * near).max(2), near + 1);
            let t2 = clamp((basic2 / factor + 5 * near).max(3), t1);
            (t1, t2, clamp((basic3 / factor + 7 * near).max(4), t2))
        };
        let pick = |given: i32, default: i32| if given > 0 { given } else { default };
        Params {
            maxval,
            near,
            t1: pick(preset[1], d1),
            t2: pick(preset[2], d2),
            t3: pick(preset[3], d3),
            reset: pick(preset[4], 64),
        }
    }
}

/// The statistics of one regular-mode context (T.87 A.2.1).
#[derive(Clone, Copy)]
struct Context {
    a: i32,
    b: i32,
    c: i32,
    n: i32,
}

/// The adaptive state of a scan: 365 regular contexts and 2 run-interruption contexts.
pub struct Coder {
    p: Params,
    range: i32,
    qbpp: u32,
    limit: u32,
    /// Regular-mode contexts (A, B, C, N together: one lookup per sample).
    contexts: [Context; REGULAR_CONTEXTS],
    /// Run-interruption contexts: A, N and Nn for RItype 0 and 1.
    a: [i32; 2],
    n: [i32; 2],
    nn: [i32; 2],
    /// Quantised gradient for every difference -MAXVAL..=MAXVAL (index d + MAXVAL).
    quantised: Vec<i8>,
}

fn ceil_log2(v: i32) -> u32 {
    32 - (v.max(1) - 1).leading_zeros()
}

impl Coder {
    pub fn new(p: Params) -> Self {
        let range = (p.maxval + 2 * p.near) / (2 * p.near + 1) + 1;
        let qbpp = ceil_log2(range);
        let bpp = ceil_log2(p.maxval + 1).max(2);
        let limit = 2 * (bpp + bpp.max(8));
        let a0 = ((range + 32) / 64).max(2);
        let quantised = (-p.maxval..=p.maxval).map(|d| quantize(&p, d)).collect();
        Coder {
            p,
            range,
            qbpp,
            limit,
            contexts: [Context {
                a: a0,
                b: 0,
                c: 0,
                n: 1,
            }; REGULAR_CONTEXTS],
            a: [a0; 2],
            n: [1; 2],
            nn: [0; 2],
            quantised,
        }
    }

    /// The signed context of a sample from its neighbours; 0 means run mode.
    fn context(&self, ra: i32, rb: i32, rc: i32, rd: i32) -> i32 {
        // Neighbours are reconstructed samples in 0..=MAXVAL, so differences index the table.
        let q = |d: i32| i32::from(self.quantised[(d + self.p.maxval) as usize]);
        (q(rd - rb) * 9 + q(rb - rc)) * 9 + q(rc - ra)
    }

    fn reconstruct(&self, value: i32) -> i32 {
        let step = 2 * self.p.near + 1;
        let mut v = value;
        if v < -self.p.near {
            v += self.range * step;
        } else if v > self.p.maxval + self.p.near {
            v -= self.range * step;
        }
        v.clamp(0, self.p.maxval)
    }

    /// A Golomb-coded value with length limit `limit` (T.87 A.5.3).
    fn decode_value(&self, r: &mut BitReader, k: u32, limit: u32) -> Result<i32, JpegLsError> {
        let escape = limit.saturating_sub(self.qbpp + 1);
        let high = r
            .read_unary(escape)
            .ok_or(JpegLsError::Corrupt("Golomb code too long"))?;
        if high == escape {
            return Ok(r.read(self.qbpp) as i32 + 1);
        }
        if k > 16 {
            return Err(JpegLsError::Corrupt("Golomb parameter out of range"));
        }
        Ok(((high << k) | r.read(k)) as i32)
    }

    /// The smallest k with N·2^k ≥ A (T.87 A.5.1), from the operands' magnitudes.
    fn golomb_k(n: i32, a: i32) -> u32 {
        if n >= a || n <= 0 {
            return 0;
        }
        let mut k = a.ilog2().saturating_sub(n.ilog2());
        if (i64::from(n) << k) < i64::from(a) {
            k += 1;
        }
        k.min(24)
    }

    /// One sample in regular mode (T.87 A.4 to A.6).
    fn regular(
        &mut self,
        r: &mut BitReader,
        context: i32,
        predicted: i32,
    ) -> Result<i32, JpegLsError> {
        let sign = if context < 0 { -1 } else { 1 };
        let q = context.unsigned_abs() as usize;
        let ctx = self.contexts[q];
        let px = (predicted + sign * ctx.c).clamp(0, self.p.maxval);
        let k = Self::golomb_k(ctx.n, ctx.a);
        let mapped = self.decode_value(r, k, self.limit)?;
        let mut err = if mapped & 1 == 0 {
            mapped / 2
        } else {
            -(mapped + 1) / 2
        };
        if self.p.near == 0 && k == 0 && 2 * ctx.b <= -ctx.n {
            err = -err - 1;
        }
        self.contexts[q] = update(ctx, err, self.p.near, self.p.reset);
        Ok(self.reconstruct(px + sign * err * (2 * self.p.near + 1)))
    }

    /// The error of a run-interruption sample (T.87 A.7.2); `ri_type` 1 when Ra ≈ Rb.
    fn interruption_error(
        &mut self,
        r: &mut BitReader,
        ri_type: usize,
        run_index: usize,
    ) -> Result<i32, JpegLsError> {
        let q = ri_type;
        let temp = self.a[q] + (self.n[q] >> 1) * ri_type as i32;
        let k = Self::golomb_k(self.n[q], temp);
        let limit = self.limit.saturating_sub(J[run_index] + 1);
        let em = self.decode_value(r, k, limit)?;
        let t = em + ri_type as i32;
        let map = t & 1;
        let magnitude = (t + map) / 2;
        let negative = (k != 0 || 2 * self.nn[ri_type] >= self.n[q]) == (map != 0);
        let err = if negative { -magnitude } else { magnitude };
        if err < 0 {
            self.nn[ri_type] += 1;
        }
        self.a[q] += (em + 1 - ri_type as i32) >> 1;
        if self.n[q] == self.p.reset {
            self.a[q] >>= 1;
            self.n[q] >>= 1;
            self.nn[ri_type] >>= 1;
        }
        self.n[q] += 1;
        Ok(err)
    }

    /// The length of a run of `remaining` samples at most (T.87 A.7.1.2).
    fn run_length(
        r: &mut BitReader,
        remaining: usize,
        run_index: &mut usize,
    ) -> Result<usize, JpegLsError> {
        let mut length = 0;
        while r.read_bit() {
            let block = 1usize << J[*run_index];
            let count = block.min(remaining - length);
            length += count;
            if count == block {
                *run_index = (*run_index + 1).min(31);
            }
            if length == remaining {
                return Ok(length);
            }
        }
        length += r.read(J[*run_index]) as usize;
        if length > remaining {
            return Err(JpegLsError::Corrupt("run longer than the line"));
        }
        Ok(length)
    }

    /// Decodes one line of one component. `prev` and `cur` hold the line with one border
    /// sample on each side: index 0 is x = -1, index `width + 1` is x = width.
    pub fn line(
        &mut self,
        r: &mut BitReader,
        prev: &mut [i32],
        cur: &mut [i32],
        run_index: &mut usize,
    ) -> Result<(), JpegLsError> {
        let width = cur.len() - 2;
        prev[width + 1] = prev[width];
        cur[0] = prev[1];
        let mut x = 1;
        while x <= width {
            let (ra, rb, rc, rd) = (cur[x - 1], prev[x], prev[x - 1], prev[x + 1]);
            let context = self.context(ra, rb, rc, rd);
            if context != 0 {
                cur[x] = self.regular(r, context, predict(ra, rb, rc))?;
                x += 1;
                continue;
            }
            let remaining = width + 1 - x;
            let run = Self::run_length(r, remaining, run_index)?;
            cur[x..x + run].fill(ra);
            x += run;
            if run == remaining {
                break;
            }
            let rb = prev[x];
            cur[x] = if (ra - rb).abs() <= self.p.near {
                let err = self.interruption_error(r, 1, *run_index)?;
                self.reconstruct(ra + err * (2 * self.p.near + 1))
            } else {
                let err = self.interruption_error(r, 0, *run_index)?;
                let sign = if rb - ra < 0 { -1 } else { 1 };
                self.reconstruct(rb + sign * err * (2 * self.p.near + 1))
            };
            *run_index = run_index.saturating_sub(1);
            x += 1;
        }
        Ok(())
    }

    /// Decodes one line of `nc` sample-interleaved components (ILV 2): `prev` and `cur` hold
    /// `nc` samples per position, with one border position on each side.
    pub fn interleaved_line(
        &mut self,
        r: &mut BitReader,
        nc: usize,
        prev: &mut [i32],
        cur: &mut [i32],
        run_index: &mut usize,
    ) -> Result<(), JpegLsError> {
        let width = cur.len() / nc - 2;
        for c in 0..nc {
            prev[(width + 1) * nc + c] = prev[width * nc + c];
            cur[c] = prev[nc + c];
        }
        let mut contexts = [0i32; 4];
        let mut x = 1;
        while x <= width {
            let mut all_zero = true;
            for (c, context) in contexts.iter_mut().enumerate().take(nc) {
                let at = |i: usize| i * nc + c;
                let (ra, rb, rc, rd) = (
                    cur[at(x - 1)],
                    prev[at(x)],
                    prev[at(x - 1)],
                    prev[at(x + 1)],
                );
                *context = self.context(ra, rb, rc, rd);
                all_zero &= *context == 0;
            }
            if !all_zero {
                for (c, &context) in contexts.iter().enumerate().take(nc) {
                    let at = |i: usize| i * nc + c;
                    let (ra, rb, rc) = (cur[at(x - 1)], prev[at(x)], prev[at(x - 1)]);
                    cur[at(x)] = self.regular(r, context, predict(ra, rb, rc))?;
                }
                x += 1;
                continue;
            }
            let remaining = width + 1 - x;
            let run = Self::run_length(r, remaining, run_index)?;
            for i in x..x + run {
                for c in 0..nc {
                    cur[i * nc + c] = cur[(x - 1) * nc + c];
                }
            }
            x += run;
            if run == remaining {
                break;
            }
            for c in 0..nc {
                let (ra, rb) = (cur[(x - 1) * nc + c], prev[x * nc + c]);
                let err = self.interruption_error(r, 0, *run_index)?;
                let sign = if rb - ra < 0 { -1 } else { 1 };
                cur[x * nc + c] = self.reconstruct(rb + sign * err * (2 * self.p.near + 1));
            }
            *run_index = run_index.saturating_sub(1);
            x += 1;
        }
        Ok(())
    }
}

/// A regular context after coding `err` (T.87 A.6).
fn update(mut ctx: Context, err: i32, near: i32, reset: i32) -> Context {
    ctx.b += err * (2 * near + 1);
    ctx.a += err.abs();
    if ctx.n == reset {
        ctx.a >>= 1;
        ctx.b >>= 1;
        ctx.n >>= 1;
    }
    ctx.n += 1;
    if ctx.b + ctx.n <= 0 {
        ctx.b += ctx.n;
        if ctx.b <= -ctx.n {
            ctx.b = -ctx.n + 1;
        }
        if ctx.c > MIN_C {
            ctx.c -= 1;
        }
    } else if ctx.b > 0 {
        ctx.b -= ctx.n;
        if ctx.b > 0 {
            ctx.b = 0;
        }
        if ctx.c < MAX_C {
            ctx.c += 1;
        }
    }
    ctx
}

/// Gradient quantisation (T.87 A.3.3).
fn quantize(p: &Params, d: i32) -> i8 {
    if d <= -p.t3 {
        -4
    } else if d <= -p.t2 {
        -3
    } else if d <= -p.t1 {
        -2
    } else if d < -p.near {
        -1
    } else if d <= p.near {
        0
    } else if d < p.t1 {
        1
    } else if d < p.t2 {
        2
    } else if d < p.t3 {
        3
    } else {
        4
    }
}

/// The median edge detector (T.87 A.4.1).
fn predict(ra: i32, rb: i32, rc: i32) -> i32 {
    if rc >= ra.max(rb) {
        ra.min(rb)
    } else if rc <= ra.min(rb) {
        ra.max(rb)
    } else {
        ra + rb - rc
    }
}
