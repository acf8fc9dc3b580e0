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
