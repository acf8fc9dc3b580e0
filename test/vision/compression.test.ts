import { beforeAll, describe, expect, it } from 'vitest';
import { tf, initBackend } from '../../src/nets/backend.ts';
import { quantizePerChannel, dequantize, quantizeModelWeights, magnitudePrune, reapplyMasks, distillationLoss, kernelWeights, channelPrune, calibrateActivations, predictQuantized } from '../../src/vision/compression.ts';
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

/** conv 8 -> pool -> conv 16 -> GAP -> dense 3: the shape of the bench's classifiers. */
function smallConvNet(seed: number): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed }), biasInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed }) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: seed + 1 }) }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }),
    ],
  });
}

describe('structured channel pruning', () => {
  it('zeros whole output channels, those of smallest L1 norm, bias included; their activations are 0 for any input and the masks stick', () => {
    const m = smallConvNet(3);
    const k0 = m.layers[0]!.getWeights()[0]!.dataSync() as Float32Array;
    const norms = Array.from({ length: 8 }, (_, c) => k0.filter((_, i) => i % 8 === c).reduce((a, b) => a + Math.abs(b), 0));
    const res = channelPrune(m, 0.5);
    expect(res.layers.map((l) => [l.channels, l.kept.length])).toEqual([[8, 4], [16, 8]]);
    const expectKept = Array.from({ length: 8 }, (_, c) => c).sort((a, b) => norms[b]! - norms[a]!).slice(0, 4).sort((a, b) => a - b);
    expect(res.layers[0]!.kept).toEqual(expectKept);
    const dropped = [0, 1, 2, 3, 4, 5, 6, 7].filter((c) => !expectKept.includes(c));
    const [kernel, bias] = m.layers[0]!.getWeights().map((w) => w.dataSync() as Float32Array);
    for (let i = 0; i < kernel!.length; i++) if (dropped.includes(i % 8)) expect(Math.abs(kernel![i]!)).toBe(0);
    for (const c of dropped) expect(Math.abs(bias![c]!)).toBe(0);
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 4);
    const act = (m.layers[0]!.apply(x) as tf.Tensor).dataSync();
    for (let i = 0; i < act.length; i++) if (dropped.includes(i % 8)) expect(Math.abs(act[i]!)).toBe(0);
    // A fine-tuning step moves every weight; re-applying the masks zeros the pruned channels again.
    const w = kernelWeights(m)[0]!;
    w.write(tf.tidy(() => w.read().add(0.5)));
    reapplyMasks(res.masks);
    const again = w.read().dataSync();
    for (let i = 0; i < again.length; i++) if (dropped.includes(i % 8)) expect(Math.abs(again[i]!)).toBe(0);
    for (const t of res.masks.values()) t.dispose();
    x.dispose(); m.dispose();
  });

  it('rejects a fraction outside [0, 1) and a model without conv layers', () => {
    const m = smallConvNet(1);
    expect(() => channelPrune(m, 1)).toThrow(/fraction must be in \[0, 1\), got 1/);
    const dense = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });
    expect(() => channelPrune(dense, 0.5)).toThrow(/no conv2d layer/);
    m.dispose(); dense.dispose();
  });
});

describe('int8 activations', () => {
  it('calibrated per-layer scales keep outputs within a few grid steps of float inference', () => {
    const m = smallConvNet(5);
    const calib = tf.randomUniform([16, 8, 8, 3], 0, 1, 'float32', 6);
    const scales = calibrateActivations(m, calib);
    expect(scales.layers).toHaveLength(5);
    expect(scales.input).toBeCloseTo(calib.max().dataSync()[0]! / 127, 6);
    const x = tf.randomUniform([8, 8, 8, 3], 0, 1, 'float32', 7);
    const f = m.predict(x) as tf.Tensor;
    const q = predictQuantized(m, x, scales);
    const err = tf.tidy(() => q.sub(f).abs().max().dataSync()[0]!);
    expect(err).toBeGreaterThan(0); // it does round
    expect(err).toBeLessThan(0.05 * Math.max(1e-6, f.abs().max().dataSync()[0]!) + 4 * scales.layers[4]!);
    tf.dispose([calib, x, f, q]);
    m.dispose();
  });

  it('refuses scales from another model and models that are not a plain stack', () => {
    const m = smallConvNet(2);
    const x = tf.zeros([1, 8, 8, 3]);
    expect(() => predictQuantized(m, x, { input: 1, layers: [1, 1] })).toThrow(/2 activation scales for 5 layers/);
    const inp = tf.input({ shape: [4] });
    const a = tf.layers.dense({ units: 3 }).apply(inp) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 3 }).apply(inp) as tf.SymbolicTensor;
    const branchy = tf.model({ inputs: inp, outputs: tf.layers.add().apply([a, b]) as tf.SymbolicTensor });
    expect(() => calibrateActivations(branchy, tf.zeros([1, 4]))).toThrow(/only plain layer stacks/);
    x.dispose(); m.dispose(); branchy.dispose();
  });
});
