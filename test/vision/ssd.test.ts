import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/nets/backend.ts';
import { buildDetector, decodeDetections, detect, detectionLoss, encodeTargets, toCocoEval } from '../../src/vision/ssd.ts';
import { cocoEvaluate } from '../../src/vision/detection/coco.ts';
import { shapesBatch, type ShapeObject } from '../../src/vision/shapes.ts';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

/** The raw head output a perfect detector would give for these targets (logit +-10 for the classes, exact boxes). */
function perfectRaw(objects: ShapeObject[][], size: number): Float32Array {
  const t = encodeTargets(objects, size);
  const G = t.grid;
  const raw = new Float32Array(t.n * G * G * 7);
  const logit = (p: number): number => Math.log(p / (1 - p));
  for (let cell = 0; cell < t.n * G * G; cell++) {
    for (let c = 0; c < 3; c++) raw[cell * 7 + c] = t.heat[cell * 3 + c] ? 10 : -10;
    for (let k = 0; k < 4; k++) raw[cell * 7 + 3 + k] = logit(Math.min(1 - 1e-6, Math.max(1e-6, t.box[cell * 4 + k]!)));
  }
  return raw;
}

describe('single-shot detector', () => {
  it('maps 64x64 images to an 8x8 grid of 3 class logits + 4 box outputs', () => {
    const m = buildDetector({ size: 64, seed: 1 });
    const y = m.predict(tf.zeros([2, 64, 64, 3])) as tf.Tensor;
    expect(y.shape).toEqual([2, 8, 8, 7]);
    // The class logits start at the 1% prior.
    expect(1 / (1 + Math.exp(-y.dataSync()[0]!))).toBeCloseTo(0.01, 2);
    y.dispose();
    m.dispose();
  });

  it('decodes a perfect prediction into the ground truth: COCO AP 1.0 through the evaluator', () => {
    const b = shapesBatch(11, 20, { size: 64, minObjects: 1, maxObjects: 3, minVisible: 0.9 });
    // Two centres in one cell leave one object undetectable; keep the images where every object has its own cell.
    const t = encodeTargets(b.objects, 64);
    const own = b.objects.map((objs, i) => t.mask.slice(i * 64, (i + 1) * 64).reduce((a, v) => a + v, 0) === objs.length);
    const objs = b.objects.filter((_, i) => own[i]);
    expect(objs.length).toBeGreaterThan(10);
    const dets = decodeDetections(perfectRaw(objs, 64), objs.length, 64);
    const { gt, dts } = toCocoEval(objs, dets);
    const s = cocoEvaluate(gt, dts).stats;
    expect(s[0]).toBeGreaterThan(0.99); // AP @ .50:.95 (box edges are exact up to float rounding)
    expect(s[1]).toBeCloseTo(1, 6); // AP50
  });

  it('a few Adam steps lower the loss, without leaking tensors', () => {
    const m = buildDetector({ size: 64, seed: 2, alpha: 0.5 });
    const opt = tf.train.adam(2e-3);
    const b = shapesBatch(3, 16, { size: 64 });
    const t = encodeTargets(b.objects, 64);
    const x = tf.tensor4d(b.images, [16, 64, 64, 3]);
    const step = (): number => tf.tidy(() => opt.minimize(() => detectionLoss(m.apply(x, { training: true }) as tf.Tensor, t), true)!.dataSync()[0]!);
    const first = step();
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 15; i++) last = step();
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(first)).toBe(true);
    expect(last).toBeLessThan(first);
    const dets = detect(m, b.images, 16);
    expect(dets).toHaveLength(16);
    x.dispose(); opt.dispose(); m.dispose();
  });

  it('refuses bad input with a clear error', () => {
    expect(() => buildDetector({ size: 60 })).toThrow(/multiple of 8/);
    const bad: ShapeObject[][] = [[{ cls: 0, box: [10, 10, 5, 20], area: 1, fullArea: 1 }]];
    expect(() => encodeTargets(bad, 64)).toThrow(/non-positive size/);
    expect(() => encodeTargets([[{ cls: 7 as ShapeObject['cls'], box: [1, 1, 5, 5], area: 1, fullArea: 1 }]], 64)).toThrow(/class 7/);
    expect(() => decodeDetections(new Float32Array(5), 1, 64)).toThrow(/5 outputs for 1 images/);
    const m = buildDetector({ size: 32 });
    expect(() => detect(m, new Float32Array(10), 1)).toThrow(/10 floats for 1 images of 32x32x3/);
    m.dispose();
  });
});
