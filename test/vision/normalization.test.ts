import { beforeAll, describe, expect, it } from 'vitest';
import { tf, initBackend } from '../../src/nets/backend.ts';
import { BatchNorm, InstanceNorm, LayerNorm } from '../../src/vision/normalization.ts';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
});

const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => a.sub(b).abs().max().dataSync()[0]!);

describe('BatchNorm equals tf.layers.batchNormalization', () => {
  for (const shape of [[6, 5], [3, 4, 4, 3]] as const) {
    it(`in training and inference mode, with moving averages, for input [${shape.join(', ')}]`, () => {
      const C = shape[shape.length - 1]!;
      const ref = tf.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-3 });
      ref.build([null, ...shape.slice(1)]);
      const mine = new BatchNorm(C, { momentum: 0.9, epsilon: 1e-3 });
      // the same non-trivial gamma/beta/moving stats in both
      const init = [tf.randomUniform([C], 0.5, 2, 'float32', 1), tf.randomNormal([C], 0, 1, 'float32', 2), tf.randomNormal([C], 0, 1, 'float32', 3), tf.randomUniform([C], 0.5, 2, 'float32', 4)];
      ref.setWeights(init);
      mine.gamma.assign(init[0]!); mine.beta.assign(init[1]!); mine.movingMean.assign(init[2]!); mine.movingVariance.assign(init[3]!);
      for (let step = 0; step < 3; step++) {
        const x = tf.randomNormal([...shape], 2, 3, 'float32', 10 + step);
        const a = ref.apply(x, { training: true }) as tf.Tensor;
        const b = mine.apply(x, true);
        expect(maxDiff(a, b)).toBeLessThan(1e-5);
        tf.dispose([x, a, b]);
      }
      const [, , mm, mv] = ref.getWeights();
      expect(maxDiff(mm!, mine.movingMean)).toBeLessThan(1e-5);
      expect(maxDiff(mv!, mine.movingVariance)).toBeLessThan(1e-5);
      // the moving mean really moved toward the batch mean (2)
      expect(maxDiff(mine.movingMean, init[2]!)).toBeGreaterThan(0.1);
      const x = tf.randomNormal([...shape], 2, 3, 'float32', 99);
      const a = ref.apply(x, { training: false }) as tf.Tensor;
      const b = mine.apply(x, false);
      expect(maxDiff(a, b)).toBeLessThan(1e-5);
      // inference differs from training-mode output for the same batch
      const t = mine.apply(x, true);
      expect(maxDiff(t, b)).toBeGreaterThan(1e-2);
      tf.dispose([x, a, b, t, ...init]);
      mine.dispose(); for (const w of ref.weights) w.dispose();
    });
  }

  it('has the same gradients with respect to input, gamma and beta', () => {
    const ref = tf.layers.batchNormalization({ axis: -1 });
    ref.build([null, 4]);
    const mine = new BatchNorm(4);
    const x = tf.randomNormal([5, 4], 0, 1, 'float32', 5);
    const w = tf.randomNormal([5, 4], 0, 1, 'float32', 6);
    const gRef = tf.grads((xx: tf.Tensor) => (ref.apply(xx, { training: true }) as tf.Tensor).mul(w).sum())([x]);
    const gMine = tf.grads((xx: tf.Tensor) => mine.apply(xx, true).mul(w).sum())([x]);
    expect(maxDiff(gRef[0]!, gMine[0]!)).toBeLessThan(1e-5);
    const { grads } = tf.variableGrads(() => mine.apply(x, true).mul(w).sum() as tf.Scalar, mine.trainableVariables());
    const refGrads = tf.variableGrads(() => (ref.apply(x, { training: true }) as tf.Tensor).mul(w).sum() as tf.Scalar, ref.trainableWeights.map((v) => (v as unknown as { val: tf.Variable }).val));
    const rg = Object.values(refGrads.grads);
    const mg = Object.values(grads);
    expect(mg.length).toBe(2);
    for (let i = 0; i < 2; i++) expect(maxDiff(mg[i]!, rg[i]!)).toBeLessThan(1e-5);
    tf.dispose([x, w, ...gRef, ...gMine, ...mg, ...rg]);
    mine.dispose(); for (const w of ref.weights) w.dispose();
  });

  it('rejects wrong shapes and bad options', () => {
    const bn = new BatchNorm(3);
    expect(() => bn.apply(tf.zeros([4, 5]), true)).toThrow(/last axis must have 3 features, got shape \[4, 5\]/);
    expect(() => bn.apply(tf.zeros([3]), false)).toThrow(/rank >= 2/);
    expect(() => bn.apply(tf.zeros([1, 3]), true)).toThrow(/at least 2 values per feature/);
    expect(() => new BatchNorm(0)).toThrow(/features must be an integer >= 1/);
    expect(() => new BatchNorm(3, { momentum: 1.5 })).toThrow(/momentum must be in \[0, 1\]/);
    expect(() => new LayerNorm(3, { epsilon: 0 })).toThrow(/epsilon must be > 0/);
    bn.dispose();
  });
});

describe('LayerNorm equals tf.layers.layerNormalization', () => {
  for (const shape of [[4, 6], [2, 3, 5, 7]] as const) {
    it(`in both modes for input [${shape.join(', ')}]`, () => {
      const C = shape[shape.length - 1]!;
      const ref = tf.layers.layerNormalization({ axis: -1, epsilon: 1e-3 });
      ref.build([null, ...shape.slice(1)]);
      const mine = new LayerNorm(C);
      const g = tf.randomUniform([C], 0.5, 2, 'float32', 1);
      const b = tf.randomNormal([C], 0, 1, 'float32', 2);
      ref.setWeights([g, b]);
      mine.gamma.assign(g); mine.beta.assign(b);
      const x = tf.randomNormal([...shape], 1, 4, 'float32', 3);
      for (const training of [true, false]) {
        const a = ref.apply(x, { training }) as tf.Tensor;
        const m = mine.apply(x, training);
        expect(maxDiff(a, m)).toBeLessThan(1e-5);
        tf.dispose([a, m]);
      }
      // each example is normalised on its own: batch of one gives the same row
      const one = mine.apply(x.slice([0], [1]), true);
      const all = mine.apply(x, true);
      expect(maxDiff(one, all.slice([0], [1]))).toBeLessThan(1e-6);
      tf.dispose([g, b, x, one, all]);
      mine.dispose(); for (const w of ref.weights) w.dispose();
    });
  }
});

describe('InstanceNorm', () => {
  it('normalises each image and channel over its pixels: mean beta, std gamma (to epsilon), the same in both modes', () => {
    const x = tf.randomNormal([3, 5, 4, 2], 2, 3, 'float32', 4);
    const norm = new InstanceNorm(2);
    norm.gamma.assign(tf.tensor1d([2, 0.5]));
    norm.beta.assign(tf.tensor1d([1, -1]));
    const y = norm.apply(x, true);
    const { mean, variance } = tf.moments(y, [1, 2]);
    const m = mean.arraySync() as number[][];
    const v = variance.arraySync() as number[][];
    for (let b = 0; b < 3; b++) {
      expect(m[b]![0]).toBeCloseTo(1, 4);
      expect(m[b]![1]).toBeCloseTo(-1, 4);
      expect(Math.sqrt(v[b]![0]!)).toBeCloseTo(2, 2);
      expect(Math.sqrt(v[b]![1]!)).toBeCloseTo(0.5, 2);
    }
    expect(maxDiff(y, norm.apply(x, false))).toBe(0);
    tf.dispose([x, y, mean, variance]);
    norm.dispose();
  });

  it("removes each image's own brightness and contrast, which batch and layer norm do not", () => {
    const x = tf.randomUniform([2, 6, 6, 3], 0, 1, 'float32', 5);
    // Image 0 unchanged; image 1 three times the contrast and brighter, per channel.
    const scale = tf.tensor4d([1, 1, 1, 3, 3, 3], [2, 1, 1, 3]);
    const shift = tf.tensor4d([0, 0, 0, 0.5, 0.2, -0.1], [2, 1, 1, 3]);
    const x2 = x.mul(scale).add(shift);
    const inorm = new InstanceNorm(3, { epsilon: 1e-6 });
    expect(maxDiff(inorm.apply(x, true), inorm.apply(x2, true))).toBeLessThan(1e-4);
    const lnorm = new LayerNorm(3, { epsilon: 1e-6 });
    expect(maxDiff(lnorm.apply(x, true), lnorm.apply(x2, true))).toBeGreaterThan(0.1);
    tf.dispose([x, scale, shift, x2]);
    inorm.dispose();
    lnorm.dispose();
  });

  it('rejects input without a spatial axis or with the wrong channels', () => {
    const norm = new InstanceNorm(4);
    expect(() => norm.apply(tf.zeros([2, 4]))).toThrow(/needs a spatial axis/);
    expect(() => norm.apply(tf.zeros([2, 3, 3, 5]))).toThrow(/last axis must have 4 features/);
    expect(() => new InstanceNorm(0)).toThrow(/features must be an integer >= 1/);
    norm.dispose();
  });
});
