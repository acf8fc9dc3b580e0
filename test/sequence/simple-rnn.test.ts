import { describe, expect, it } from 'vitest';
import { SimpleRnn, type Activation } from '../../src/sequence/rnn/simple-rnn.ts';
import { decodeBits, encodePair, runAddition, runSeeds } from '../../src/sequence/rnn/binary-addition.ts';

describe('from-scratch RNN with BPTT', () => {
  for (const activation of ['sigmoid', 'tanh', 'relu'] as Activation[]) {
    it(`gradients match finite differences (${activation} hidden units)`, () => {
      const net = new SimpleRnn({ hiddenSize: 5, activation, seed: 3, weightInitStd: 0.7 });
      const { xs, ds } = encodePair(37, 90, 8);
      const grads = net.newGradients();
      net.forwardBackward(xs, ds, 8, grads);
      const eps = 1e-6;
      for (const [name, w, g] of [
        ['wIn', net.wIn, grads.wIn],
        ['w', net.w, grads.w],
        ['wOut', net.wOut, grads.wOut],
      ] as const) {
        for (let i = 0; i < w.length; i++) {
          const keep = w[i]!;
          w[i] = keep + eps;
          const lp = net.forwardBackward(xs, ds, 8).loss;
          w[i] = keep - eps;
          const lm = net.forwardBackward(xs, ds, 8).loss;
          w[i] = keep;
          const fd = (lp - lm) / (2 * eps);
          expect(Math.abs(fd - g[i]!), `${name}[${i}]`).toBeLessThan(1e-6 + 1e-4 * Math.abs(fd));
        }
      }
    });
  }

  it('encodes numbers least significant bit first and decodes them back', () => {
    const { xs, ds } = encodePair(5, 3, 8);
    expect(Array.from(xs.filter((_, i) => i % 2 === 0))).toEqual([1, 0, 1, 0, 0, 0, 0, 0]);
    expect(decodeBits(ds)).toBe(8);
  });

  it('learns 8-bit binary addition with the notebook defaults', () => {
    const run = runAddition({ seed: 1 });
    expect(run.convergedAt).not.toBeNull();
    expect(run.finalAccuracy).toBe(1);
    const first = run.losses[0]![1];
    const last = run.losses[run.losses.length - 1]![1];
    expect(last).toBeLessThan(first / 10);
  });

  it('is reproducible from its seed and differs across seeds', () => {
    const a = runAddition({ seed: 7, iters: 500 });
    const b = runAddition({ seed: 7, iters: 500 });
    const c = runAddition({ seed: 8, iters: 500 });
    expect(a.losses).toEqual(b.losses);
    expect(a.losses).not.toEqual(c.losses);
  });

  it('summarises several seeds', () => {
    const s = runSeeds({ iters: 300, interval: 100 }, 3);
    expect(s.runs).toBe(3);
    expect(s.meanLosses.map(([it]) => it)).toEqual([0, 100, 200]);
  });

  it('rejects bad settings with a clear message', () => {
    expect(() => new SimpleRnn({ hiddenSize: 0 })).toThrow(/hiddenSize must be a positive integer/);
    expect(() => new SimpleRnn({ activation: 'gelu' as Activation })).toThrow(/activation must be sigmoid, tanh or relu/);
    expect(() => runAddition({ bits: 1 })).toThrow(/bits must be an integer in 2\.\.30/);
  });
});

describe('vanishing and exploding gradients', () => {
  it('each step back multiplies the hidden gradient by W f\'(u): exactly |w| per step in a one-unit linear regime', () => {
    for (const w of [0.5, 2]) {
      const net = new SimpleRnn({ hiddenSize: 1, activation: 'relu', seed: 1 });
      net.wIn[0] = 1;
      net.wIn[1] = 1;
      net.w[0] = w;
      net.wOut[0] = 0.1;
      // All inputs 1: every pre-activation is positive, so relu' = 1 throughout.
      const T = 6;
      const norms = net.hiddenGradientNorms(new Float64Array(2 * T).fill(1), new Float64Array(T), T);
      for (let t = 0; t < T - 1; t++) expect(norms[t]! / norms[t + 1]!).toBeCloseTo(w, 10);
    }
  });

  it('the last step of the norms is the gradient of the last output: matches a finite difference through the last input', () => {
    const net = new SimpleRnn({ hiddenSize: 1, activation: 'tanh', seed: 2, weightInitStd: 0.8 });
    const { xs, ds } = encodePair(3, 5, 4);
    const T = 4;
    const lastLoss = (x: Float64Array): number => {
      const y = net.forwardBackward(x, ds, T).y[T - 1]!;
      return 0.5 * (y - ds[T - 1]!) ** 2;
    };
    // d loss_T / d x[T-1][0] = W_in[0] f'(u) dz, so |dz| = |d loss / dx| / |W_in[0] f'(u)|; with one unit it is that ratio.
    const eps = 1e-6;
    const plus = Float64Array.from(xs);
    plus[(T - 1) * 2]! += eps;
    const minus = Float64Array.from(xs);
    minus[(T - 1) * 2]! -= eps;
    const dx = (lastLoss(plus) - lastLoss(minus)) / (2 * eps);
    // u at the last step, recomputed: z[t] = tanh(x[t] W_in + z[t-1] w).
    let z = 0;
    let u = 0;
    for (let t = 0; t < T; t++) {
      u = xs[2 * t]! * net.wIn[0]! + xs[2 * t + 1]! * net.wIn[1]! + z * net.w[0]!;
      z = Math.tanh(u);
    }
    const norms = net.hiddenGradientNorms(xs, ds, T);
    expect(norms[T - 1]!).toBeCloseTo(Math.abs(dx / (net.wIn[0]! * (1 - Math.tanh(u) ** 2))), 6);
  });

  it('vanish with small recurrent weights and explode with large ones over 32 steps', () => {
    const { xs, ds } = encodePair(123456789, 987654321, 32);
    const ratio = (o: ConstructorParameters<typeof SimpleRnn>[0]): number => {
      const n = new SimpleRnn({ ...o, hiddenSize: 16, seed: 1 }).hiddenGradientNorms(xs, ds, 32);
      return n[0]! / n[31]!;
    };
    expect(ratio({ activation: 'sigmoid', weightInitStd: 1 })).toBeLessThan(1e-6);
    expect(ratio({ activation: 'tanh', weightInitStd: 0.1 })).toBeLessThan(1e-6);
    expect(ratio({ activation: 'tanh', weightInitStd: 1 })).toBeGreaterThan(10);
  });

  it('clipping bounds each update to learningRate * clipNorm and reports the norm before clipping', () => {
    const a = new SimpleRnn({ activation: 'tanh', weightInitStd: 1.5, seed: 4, clipNorm: 0.01 });
    const before = [Float64Array.from(a.wIn), Float64Array.from(a.w), Float64Array.from(a.wOut)];
    const { xs, ds } = encodePair(100, 27, 8);
    const { gradNorm } = a.trainStep(xs, ds, 8);
    expect(gradNorm).toBeGreaterThan(0.01);
    let sq = 0;
    [a.wIn, a.w, a.wOut].forEach((w, k) => w.forEach((v, i) => (sq += (v - before[k]![i]!) ** 2)));
    expect(Math.sqrt(sq)).toBeCloseTo(0.1 * 0.01, 10);
    expect(() => new SimpleRnn({ clipNorm: 0 })).toThrow(/clipNorm must be > 0/);
  });
});
