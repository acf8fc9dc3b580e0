import { beforeAll, describe, expect, it } from 'vitest';
import { tf, initBackend } from '../../src/nets/backend.ts';
import { quantizePerChannel, dequantize, quantizeModelWeights, magnitudePrune, reapplyMasks, distillationLoss, kernelWeights } from '../../src/vision/compression.ts';
import { buildMobileNet } from '../../src/vision/mobilenet.ts';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
});

describe('int8 per-channel quantisation', () => {
  it('round-trips within half a step of each channel, with its own scale per channel', () => {
    const shape = [3, 2, 4];
    const v = new Float32Array(24);
    for (let i = 0; i < 24; i++) v[i] = Math.sin(i * 1.7) * (1 + (i % 4) * 10); // channel c spans ~(1 + 10c)
    const q = quantizePerChannel(v, shape);
    expect(q.scales.length).toBe(4);
    for (let c = 0; c < 4; c++) {
      let m = 0;
      for (let i = c; i < 24; i += 4) m = Math.max(m, Math.abs(v[i]!));
      expect(q.scales[c]).toBeCloseTo(m / 127, 6);
    }
    const back = dequantize(q);
    for (let i = 0; i < 24; i++) {
      expect(Math.abs(back[i]! - v[i]!)).toBeLessThanOrEqual(q.scales[i % 4]! / 2 + 1e-6);
      expect(Math.abs(q.q[i]!)).toBeLessThanOrEqual(127);
    }
    // the largest weight of each channel maps to +-127 exactly
    expect(Math.max(...Array.from(q.q).map(Math.abs))).toBe(127);
    // a zero channel stays exactly zero; each channel's extreme is exact
    const z = Array.from(dequantize(quantizePerChannel(new Float32Array([0, 1, 0, -2]), [2, 2])));
    expect(z[0]).toBe(0);
    expect(z[2]).toBe(0);
    expect(z[3]).toBeCloseTo(-2, 6);
  });

  it('quantises a model in place: kernels change by at most half a step, outputs barely move', () => {
    const m = buildMobileNet({ alpha: 0.25, inputSize: 32, classes: 5 });
    const x = tf.randomUniform([4, 32, 32, 3], 0, 1, 'float32', 1);
    const before = m.predict(x) as tf.Tensor;
    const rep = quantizeModelWeights(m);
    expect(rep.tensors).toBe(28); // conv1, 13 depthwise, 13 pointwise, conv_preds
    expect(rep.int8Bytes).toBeLessThan(rep.floatBytes / 3.5);
    const after = m.predict(x) as tf.Tensor;
    const diff = tf.tidy(() => after.sub(before).abs().max().dataSync()[0]!);
    expect(diff).toBeLessThan(0.05);
    tf.dispose([x, before, after]); m.dispose();
  });

  it('rejects bad input', () => {
    expect(() => quantizePerChannel(new Float32Array(5), [2, 3])).toThrow(/needs 6 values, got 5/);
    expect(() => quantizePerChannel(new Float32Array([1, NaN]), [2])).toThrow(/value 1 is NaN/);
    expect(() => quantizePerChannel(new Float32Array(4), [2, 2], 2)).toThrow(/channel axis must be in \[0, 2\)/);
  });
});

describe('global magnitude pruning', () => {
  for (const s of [0.5, 0.8, 0.9]) {
    it(`zeros exactly ${s * 100}% of kernel weights, the smallest ones, and masks stick`, () => {
      const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [10], units: 20 }), tf.layers.dense({ units: 7 })] });
      const before = kernelWeights(m).flatMap((w) => Array.from(w.read().dataSync()));
      const res = magnitudePrune(m, s);
      const after = kernelWeights(m).flatMap((w) => Array.from(w.read().dataSync()));
      const zeros = after.filter((v) => v === 0).length;
      expect(zeros).toBe(Math.floor(s * before.length));
      expect(res.sparsity).toBeCloseTo(zeros / before.length, 12);
      const maxCut = Math.max(...before.filter((_, i) => after[i] === 0).map(Math.abs));
      const minKept = Math.min(...before.filter((_, i) => after[i] !== 0).map(Math.abs));
      expect(maxCut).toBeLessThanOrEqual(minKept);
      // kept weights unchanged; biases untouched
      for (let i = 0; i < before.length; i++) if (after[i] !== 0) expect(after[i]).toBe(before[i]);
      // a training step revives pruned weights; reapplyMasks zeroes them again
      const k = kernelWeights(m)[0]!;
      k.write(tf.tidy(() => k.read().add(0.5)));
      reapplyMasks(res.masks);
      expect(kernelWeights(m).flatMap((w) => Array.from(w.read().dataSync())).filter((v) => v === 0).length).toBe(zeros);
      for (const t of res.masks.values()) t.dispose();
      m.dispose();
    });
  }
  it('rejects a sparsity outside [0, 1)', () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2 })] });
    expect(() => magnitudePrune(m, 1)).toThrow(/sparsity must be in \[0, 1\), got 1/);
    m.dispose();
  });
});

describe('knowledge distillation loss', () => {
  it('is the cross-entropy at alpha 0, T^2 KL at alpha 1, and zero KL when student equals teacher', () => {
    const s = tf.tensor2d([[1, 2, 0.5], [0, -1, 3]]);
    const t = tf.tensor2d([[2, 0, 1], [1, 1, 1]]);
    const y = tf.tensor2d([[0, 1, 0], [0, 0, 1]]);
    const ce = tf.tidy(() => tf.losses.softmaxCrossEntropy(y, s).dataSync()[0]!);
    expect(distillationLoss(s, t, y, 4, 0).dataSync()[0]).toBeCloseTo(ce, 5);
    // hand KL at T = 2 for the first row
    const T = 2;
    const sm = (v: number[]) => { const e = v.map((x) => Math.exp(x / T)); const z = e.reduce((a, b) => a + b); return e.map((x) => x / z); };
    const kl = (p: number[], q: number[]) => p.reduce((a, pi, i) => a + pi * Math.log(pi / q[i]!), 0);
    const want = T * T * (kl(sm([2, 0, 1]), sm([1, 2, 0.5])) + kl(sm([1, 1, 1]), sm([0, -1, 3]))) / 2;
    expect(distillationLoss(s, t, y, T, 1).dataSync()[0]).toBeCloseTo(want, 5);
    expect(distillationLoss(t, t, y, T, 1).dataSync()[0]).toBeCloseTo(0, 6);
    expect(() => distillationLoss(s, t, y, 0, 0.5)).toThrow(/temperature must be > 0/);
    expect(() => distillationLoss(s, t.slice([0], [1]) as tf.Tensor2D, y, 2, 0.5)).toThrow(/must have the same shape/);
    tf.dispose([s, t, y]);
  });
});
