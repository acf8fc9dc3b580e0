import { beforeAll, describe, expect, it } from 'vitest';
import { tf, initBackend } from '../../src/nets/backend.ts';
import { buildMobileNet, MOBILENET_BLOCKS } from '../../src/vision/mobilenet.ts';
import { buildDenseNet } from '../../src/vision/densenet.ts';
import { summarizeModel } from '../../src/nets/summary.ts';
import { buildArch } from '../../src/nets/archs.ts';
import '../../src/vision/archs.ts';

beforeAll(async () => {
  // wasm: the training steps below take ~0.3 s each there and several seconds on the pure-JS cpu backend
  await initBackend({ backend: 'wasm', quiet: true });
});

/** MobileNetV1 counts from the paper's layer table, written out by hand (not from the builder). */
function mobilenetCounts(alpha: number, size: number, classes: number) {
  const f = (c: number) => Math.floor(c * alpha);
  let cin = f(32);
  let trainable = 27 * cin + 2 * cin;
  let non = 2 * cin;
  let hw = Math.ceil(size / 2);
  let macs = hw * hw * 27 * cin;
  for (const [filters, stride] of MOBILENET_BLOCKS) {
    if (stride === 2) hw = Math.floor((hw + 1 - 3) / 2) + 1;
    const cout = f(filters);
    trainable += 9 * cin + 2 * cin + cin * cout + 2 * cout;
    non += 2 * cin + 2 * cout;
    macs += hw * hw * (9 * cin + cin * cout);
    cin = cout;
  }
  trainable += cin * classes + classes;
  macs += cin * classes;
  return { total: trainable + non, trainable, macs };
}

describe('MobileNetV1', () => {
  it('has Keras MobileNet counts at alpha 1, 224, 1000 classes, and ~569M multiply-adds', () => {
    const m = buildMobileNet({ alpha: 1, inputSize: 224, classes: 1000 });
    const s = summarizeModel(m);
    expect(s.totalParams).toBe(4_253_864); // keras.applications.MobileNet().summary()
    expect(s.trainableParams).toBe(4_231_976);
    expect(s.macs).toBe(mobilenetCounts(1, 224, 1000).macs);
    expect(Math.abs(s.macs - 569e6) / 569e6).toBeLessThan(0.01); // the paper's Table 8: 569 M mult-adds
    expect(m.outputs[0]!.shape).toEqual([null, 1000]);
    m.dispose();
  });

  it('scales with the width and resolution multipliers as the layer table says', () => {
    for (const [alpha, size, classes] of [[0.5, 160, 10], [0.25, 32, 3], [0.75, 193, 7]] as const) {
      const m = buildMobileNet({ alpha, inputSize: size, classes });
      const s = summarizeModel(m);
      const want = mobilenetCounts(alpha, size, classes);
      expect(s.totalParams).toBe(want.total);
      expect(s.trainableParams).toBe(want.trainable);
      expect(s.macs).toBe(want.macs);
      m.dispose();
    }
  });

  it('has the right intermediate shapes (224 -> 112 -> 7) and softmax outputs', () => {
    const m = buildMobileNet({ alpha: 0.25, inputSize: 64, classes: 5 });
    expect(m.getLayer('conv1_relu').outputShape).toEqual([null, 32, 32, 8]);
    expect(m.getLayer('conv_pw_13_relu').outputShape).toEqual([null, 2, 2, 256]);
    const p = tf.tidy(() => m.predict(tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 3)) as tf.Tensor);
    const rows = p.sum(1).arraySync() as number[];
    for (const r of rows) expect(r).toBeCloseTo(1, 5);
    p.dispose();
    m.dispose();
  });

  it('rejects bad configurations with clear errors', () => {
    expect(() => buildMobileNet({ alpha: -1, inputSize: 224, classes: 10 })).toThrow(/alpha must be in \(0, 4\]/);
    expect(() => buildMobileNet({ alpha: 1, inputSize: 16, classes: 10 })).toThrow(/input size must be an integer >= 32/);
    expect(() => buildMobileNet({ alpha: 1, inputSize: 224, classes: 0 })).toThrow(/classes must be an integer >= 1/);
  });
});

describe('DenseNet', () => {
  it('has Keras DenseNet121 counts at 224 with 1000 classes', () => {
    const m = buildDenseNet({ blocks: [6, 12, 24, 16], growth: 32, inputSize: 224, classes: 1000 });
    const s = summarizeModel(m);
    expect(s.totalParams).toBe(8_062_504); // keras.applications.DenseNet121().summary()
    expect(s.trainableParams).toBe(7_978_856);
    expect(m.getLayer('pool2_pool').outputShape).toEqual([null, 28, 28, 128]);
    expect(m.getLayer('relu').outputShape).toEqual([null, 7, 7, 1024]);
    m.dispose();
  });

  it('counts a small DenseNet-BC as the formula says', () => {
    const k = 6;
    const m = buildDenseNet({ blocks: [2, 2], growth: k, inputSize: 16, classes: 4, stem: 'small' });
    // stem 3x3x3x2k; each layer: BN(c) + 1x1 c->4k + BN(4k) + 3x3 4k->k; transition BN(c) + 1x1 c->c/2
    let c = 2 * k;
    let total = 27 * c;
    const layer = (cin: number) => 4 * cin + cin * 4 * k + 4 * 4 * k + 9 * 4 * k * k;
    for (let i = 0; i < 2; i++) { total += layer(c); c += k; }
    total += 4 * c + c * Math.floor(c / 2); c = Math.floor(c / 2);
    for (let i = 0; i < 2; i++) { total += layer(c); c += k; }
    total += 4 * c + c * 4 + 4;
    expect(summarizeModel(m).totalParams).toBe(total);
    expect(m.getLayer('relu').outputShape).toEqual([null, 8, 8, c]);
    m.dispose();
  });

  it('rejects bad configurations with clear errors', () => {
    expect(() => buildDenseNet({ blocks: [], growth: 12, inputSize: 32, classes: 10 })).toThrow(/blocks must be one or more/);
    expect(() => buildDenseNet({ blocks: [2, 2], growth: 12, compression: 1.5, inputSize: 32, classes: 10 })).toThrow(/compression/);
    expect(() => buildDenseNet({ blocks: [6, 12, 24, 16], growth: 32, inputSize: 16, classes: 10 })).toThrow(/input size must be an integer >= 32/);
  });
});

describe('registry and training', () => {
  it('registers mobilenet, densenet121 and densenet with the nets summary registry', () => {
    const m = buildArch('mobilenet', { alpha: 0.25, input: 32, classes: 10 });
    expect(m.outputs[0]!.shape).toEqual([null, 10]);
    m.dispose();
    const d = buildArch('densenet', { growth: 4, layers: 1, stages: 2, input: 8, classes: 3 });
    expect(d.outputs[0]!.shape).toEqual([null, 3]);
    d.dispose();
    expect(() => buildArch('mobilenet', { alpha: 0.25, input: 31 })).toThrow(/--input must be an integer >= 32/);
  });

  for (const [name, build] of [
    ['MobileNet alpha 0.25 at 32x32', () => buildMobileNet({ alpha: 0.25, inputSize: 32, classes: 2, dropout: 0 })],
    ['DenseNet 2x2 k8 at 16x16', () => buildDenseNet({ blocks: [2, 2], growth: 8, inputSize: 16, classes: 2, stem: 'small' })],
  ] as const) {
    it(`${name}: a few Adam steps lower the loss on a fixed batch`, () => {
      const m = build();
      const size = m.inputs[0]!.shape[1]!;
      const opt = tf.train.adam(0.01);
      const [xs, ys] = tf.tidy(() => {
        const labels = tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1], 'int32');
        // class 1 images are brighter: learnable in a few steps
        const base = tf.randomUniform([8, size, size, 3], 0, 0.5, 'float32', 7);
        const x = base.add(labels.cast('float32').reshape([8, 1, 1, 1]).mul(0.5));
        return [x, tf.oneHot(labels, 2).cast('float32')];
      });
      const lossOf = () => tf.tidy(() => tf.losses.softmaxCrossEntropy(ys, tf.log((m.apply(xs, { training: true }) as tf.Tensor).add(1e-7))).dataSync()[0]!);
      const before = lossOf();
      for (let i = 0; i < 5; i++) {
        tf.tidy(() => {
          opt.minimize(() => tf.metrics.categoricalCrossentropy(ys, m.apply(xs, { training: true }) as tf.Tensor).mean() as tf.Scalar);
        });
      }
      const after = lossOf();
      expect(after).toBeLessThan(before);
      xs.dispose(); ys.dispose(); opt.dispose(); m.dispose();
    }, 30_000);
  }
});
