/**
 * Correctly rounded sin and cos for double-precision arguments.
 *
 * Why: Gymnasium's classic-control dynamics call numpy/C sin and cos (glibc). On 2M random
 * arguments glibc agreed with the correctly rounded value on all but 0.13%, V8's fdlibm-based
 * Math.sin/Math.cos on all but 3.4%. One ulp in CartPole's angle grows exponentially over an
 * episode, so to reproduce Gymnasium's float32 observations bit for bit we round correctly, which
 * matches glibc except on its own rare misroundings (those can still surface after a few hundred
 * steps of a chaotic free run; every single step from a recorded state matches).
 *
 * How (Ziv's strategy): reduce x to r = x - k*pi/2 as a double-double (Cody-Waite, pi/2 in four
 * pieces), evaluate the Taylor polynomial with the leading terms exact (Dekker products) and
 * the tail in doubles, and keep the result only when its error bound cannot change the rounding.
 * Otherwise (rare) redo the sum wholly in double-double. |x| above ~1.6e6 falls back to Math.*.
 */

const SPLIT = 134217729; // 2^27 + 1, Dekker's splitter
// pi/2 = PIO2_1 + PIO2_2 + PIO2_3 + PIO2_4; the first three have 33 significant bits, so k * PIO2_i is exact for |k| < 2^20.
const PIO2_1 = 1.5707963267341256;
const PIO2_2 = 6.077100506303966e-11;
const PIO2_3 = 2.0222662487111665e-21;
const PIO2_4 = 8.4784276603689e-32;
const TWO_OVER_PI = 0.6366197723675814;
const PI_4 = 0.7853981633974483;
const K_MAX = 1 << 20;
// -1/6 as a double-double.
const S1H = -1 / 6;
const S1L = -9.25185853854297e-18;
// 1/120 and 1/24 as double-doubles (the second terms of the sin and cos series).
const S2H = 1 / 120;
const S2L = 1.1564823173178714e-19;
const C2H = 1 / 24;
const C2L = 2.3129646346357427e-18;
const S2H_HI = S2H * SPLIT - (S2H * SPLIT - S2H);
const S2H_LO = S2H - S2H_HI;
const C2H_HI = C2H * SPLIT - (C2H * SPLIT - C2H);
const C2H_LO = C2H - C2H_HI;

const inv = (n: number): number => {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return 1 / f;
};
// sin tail r^5 .. r^25 and cos tail r^4 .. r^26 coefficients (alternating signs), doubles.
const S2 = inv(5), S3 = -inv(7), S4 = inv(9), S5 = -inv(11), S6 = inv(13), S7 = -inv(15), S8 = inv(17), S9 = -inv(19), S10 = inv(21), S11 = -inv(23), S12 = inv(25);
const C2 = inv(4), C3 = -inv(6), C4 = inv(8), C5 = -inv(10), C6 = inv(12), C7 = -inv(14), C8 = inv(16), C9 = -inv(18), C10 = inv(20), C11 = -inv(22), C12 = inv(24), C13 = -inv(26);

const EPS49 = 2 ** -49;
const EPS51 = 2 ** -51;
const EPS100 = 2 ** -100;

// Reduction output (module scratch, avoids allocation on the hot path).
let RH = 0;
let RL = 0;

/** Sets RH + RL = x - k*pi/2 (|RH + RL| <= ~pi/4) and returns k mod 4, or -1 when |x| is too large. */
function reduce(x: number): number {
  if (x <= PI_4 && x >= -PI_4) {
    RH = x;
    RL = 0;
    return 0;
  }
  const k = Math.round(x * TWO_OVER_PI);
  if (k > K_MAX || k < -K_MAX || k !== k) return -1;
  const t1 = x - k * PIO2_1; // exact
  const p2 = k * PIO2_2; // exact
  let a = t1 - p2;
  let bb = a - t1;
  const ae = t1 - (a - bb) + (-p2 - bb);
  const p3 = k * PIO2_3; // exact
  const b = a - p3;
  bb = b - a;
  const be = a - (b - bb) + (-p3 - bb);
  const low = ae + be - k * PIO2_4;
  a = b + low;
  RH = a;
  RL = low - (a - b);
  return k & 3;
}

/** sin(RH + RL) for |RH| <= ~pi/4, correctly rounded. */
function sinR(rh: number, rl: number): number {
  if (rh === 0) return rh;
  // z = rh^2 exactly as zh + zl
  let c = SPLIT * rh;
  const rhh = c - (c - rh);
  const rhl = rh - rhh;
  const zh = rh * rh;
  const zl = rhh * rhh - zh + 2 * rhh * rhl + rhl * rhl;
  // t = rh * zh exactly as th + tl
  c = SPLIT * zh;
  const zhh = c - (c - zh);
  const zhl = zh - zhh;
  const th = rh * zh;
  const tl = rhh * zhh - th + rhh * zhl + rhl * zhh + rhl * zhl;
  // p = th * S1H exactly as ph + pl
  c = SPLIT * th;
  const thh = c - (c - th);
  const thl = th - thh;
  c = SPLIT * S1H;
  const sh = c - (c - S1H);
  const sl = S1H - sh;
  const ph = th * S1H;
  const pl = thh * sh - ph + thh * sl + thl * sh + thl * sl;
  const small = pl + th * S1L + (tl + rh * zl) * S1H;
  // u = th * zh (~r^5) exactly as uh + ul; its 1/120 multiple exactly as vh + vl
  const uh = th * zh;
  const ul = thh * zhh - uh + thh * zhl + thl * zhh + thl * zhl;
  c = SPLIT * uh;
  const uhh = c - (c - uh);
  const uhl = uh - uhh;
  const vh = uh * S2H;
  const vl = uhh * S2H_HI - vh + uhh * S2H_LO + uhl * S2H_HI + uhl * S2H_LO;
  const small2 = vl + uh * S2L + (ul + tl * zh + 2 * th * zl) * S2H;
  const rest = uh * zh * (S3 + zh * (S4 + zh * (S5 + zh * (S6 + zh * (S7 + zh * (S8 + zh * (S9 + zh * (S10 + zh * (S11 + zh * S12)))))))));
  const rlTerm = rl * (1 - zh * (0.5 - zh * C2));
  const s = rh + ph;
  const e = ph - (s - rh); // |rh| >= |ph|
  const s2 = s + vh;
  const e2 = vh - (s2 - s); // |s| >= |vh|
  const lo = e + e2 + (small + small2 + rest + rlTerm);
  const res = s2 + lo;
  const err = (Math.abs(rest) + Math.abs(small) + Math.abs(small2) + Math.abs(rlTerm)) * EPS49 + Math.abs(lo) * EPS51 + Math.abs(s2) * EPS100;
  if (res === s2 + (lo + err) && res === s2 + (lo - err)) return res;
  return ddSeries(rh, rl, true);
}

/** cos(RH + RL) for |RH| <= ~pi/4, correctly rounded. */
function cosR(rh: number, rl: number): number {
  const c = SPLIT * rh;
  const rhh = c - (c - rh);
  const rhl = rh - rhh;
  const zh = rh * rh;
  const zl = rhh * rhh - zh + 2 * rhh * rhl + rhl * rhl;
  const hz = zh * 0.5; // exact
  const s = 1 - hz;
  const e = 1 - s - hz; // exact since hz <= 0.31
  // q = zh^2 exactly as qh + ql; its 1/24 multiple exactly as ch + cl
  let c2 = SPLIT * zh;
  const zhh = c2 - (c2 - zh);
  const zhl = zh - zhh;
  const qh = zh * zh;
  const ql = zhh * zhh - qh + 2 * zhh * zhl + zhl * zhl;
  c2 = SPLIT * qh;
  const qhh = c2 - (c2 - qh);
  const qhl = qh - qhh;
  const ch = qh * C2H;
  const cl = qhh * C2H_HI - ch + qhh * C2H_LO + qhl * C2H_HI + qhl * C2H_LO;
  const corr = cl + qh * C2L + (ql + 2 * zh * zl) * C2H;
  const rest = qh * zh * (C3 + zh * (C4 + zh * (C5 + zh * (C6 + zh * (C7 + zh * (C8 + zh * (C9 + zh * (C10 + zh * (C11 + zh * (C12 + zh * C13))))))))));
  const small = -zl * 0.5 - rl * rh * (1 - zh * (1 / 6 - zh * S2));
  const s2 = s + ch;
  const e2 = ch - (s2 - s); // |s| >= |ch|
  const lo = e + e2 + (corr + small + rest);
  const res = s2 + lo;
  const err = (Math.abs(rest) + Math.abs(small) + Math.abs(corr)) * EPS49 + Math.abs(lo) * EPS51 + EPS100;
  if (res === s2 + (lo + err) && res === s2 + (lo - err)) return res;
  return ddSeries(rh, rl, false);
}

// ---- slow path: the whole Taylor series in double-double arithmetic ----
let DH = 0;
let DL = 0;
function twoProd(a: number, b: number): void {
  const p = a * b;
  let c = SPLIT * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLIT * b;
  const bh = c - (c - b);
  const bl = b - bh;
  DH = p;
  DL = ah * bh - p + ah * bl + al * bh + al * bl;
}
function ddMul(ah: number, al: number, bh: number, bl: number): void {
  twoProd(ah, bh);
  const lo = DL + (ah * bl + al * bh);
  const h = DH + lo;
  DL = lo - (h - DH);
  DH = h;
}
function ddAdd(ah: number, al: number, bh: number, bl: number): void {
  const s = ah + bh;
  const bb = s - ah;
  const e = ah - (s - bb) + (bh - bb) + al + bl;
  const h = s + e;
  DL = e - (h - s);
  DH = h;
}
function ddDivInt(ah: number, al: number, d: number): void {
  const q1 = ah / d;
  twoProd(q1, d);
  const r = ah - DH - DL + al;
  const q2 = r / d;
  const h = q1 + q2;
  DL = q2 - (h - q1);
  DH = h;
}

/** sin (odd) or cos of rh + rl by summing the Taylor series in double-double. */
function ddSeries(rh: number, rl: number, odd: boolean): number {
  ddMul(rh, rl, rh, rl);
  const zh = DH;
  const zl = DL;
  let th = odd ? rh : 1;
  let tl = odd ? rl : 0;
  let sh = th;
  let sl = tl;
  for (let n = odd ? 2 : 1; n < 60; n += 2) {
    ddMul(th, tl, zh, zl);
    ddDivInt(DH, DL, -(odd ? n * (n + 1) : n * (n + 1)));
    // term_k = term_{k-1} * (-z) / ((2k)(2k+1)) for sin, / ((2k-1)(2k)) for cos
    th = DH;
    tl = DL;
    ddAdd(sh, sl, th, tl);
    sh = DH;
    sl = DL;
    if (Math.abs(th) < Math.abs(sh) * 1e-34) break;
  }
  return sh + sl;
}

/** Correctly rounded sin(x) (glibc/numpy compatible). */
export function sin(x: number): number {
  const q = reduce(x);
  if (q < 0) return Math.sin(x);
  switch (q) {
    case 0:
      return sinR(RH, RL);
    case 1:
      return cosR(RH, RL);
    case 2:
      return -sinR(RH, RL);
    default:
      return -cosR(RH, RL);
  }
}

/** Correctly rounded cos(x) (glibc/numpy compatible). */
export function cos(x: number): number {
  const q = reduce(x);
  if (q < 0) return Math.cos(x);
  switch (q) {
    case 0:
      return cosR(RH, RL);
    case 1:
      return -sinR(RH, RL);
    case 2:
      return -cosR(RH, RL);
    default:
      return sinR(RH, RL);
  }
}

/** floor-mod as numpy's % on floats: the result has the sign of m. */
export function pyMod(x: number, m: number): number {
  let r = x % m;
  if (r !== 0 && r < 0 !== m < 0) r += m;
  return r;
}
