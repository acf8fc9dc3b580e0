import { beforeAll, describe, expect, it } from 'vitest';
import { tf, initBackend } from '../../src/nets/backend.ts';
import { buildUNet, ConfusionMatrix, segmentationLoss, predictClasses } from '../../src/vision/segmentation.ts';
import { shapesBatch } from '../../src/vision/shapes.ts';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

describe('segmentation metrics', () => {
  it('computes pixel accuracy, per-class IoU and mean IoU as the definitions say', () => {
    const cm = new ConfusionMatrix(3);
    //           truth: 0 0 0 1 1 1 2 2 ;  pred: 0 0 1 1 1 0 2 2
    cm.add([0, 0, 0, 1, 1, 1, 2, 2], [0, 0, 1, 1, 1, 0, 2, 2]);
    expect(cm.pixelAccuracy()).toBeCloseTo(6 / 8, 12);
    const iou = cm.perClassIoU();
    expect(iou[0]).toBeCloseTo(2 / 4, 12); // TP 2, FP 1 (pixel 5), FN 1 (pixel 2)
    expect(iou[1]).toBeCloseTo(2 / 4, 12);
    expect(iou[2]).toBeCloseTo(1, 12);
    expect(cm.meanIoU()).toBeCloseTo((0.5 + 0.5 + 1) / 3, 12);
  });

  it('leaves classes absent from truth and prediction out of the mean', () => {
    const cm = new ConfusionMatrix(4);
    cm.add([0, 1, 1], [0, 1, 1]);
    expect(Number.isNaN(cm.perClassIoU()[3]!)).toBe(true);
    expect(cm.meanIoU()).toBe(1);
  });

  it('rejects mismatched lengths and out-of-range classes', () => {
    const cm = new ConfusionMatrix(2);
    expect(() => cm.add([0, 1], [0])).toThrow(/truth has 2 pixels but prediction has 1/);
    expect(() => cm.add([0, 2], [0, 1])).toThrow(/pixel 1 has class 2 \/ 1, expected integers in \[0, 2\)/);
  });
});

describe('U-Net', () => {
  it('maps [b, S, S, 3] images to [b, S, S, classes] logits and rejects bad sizes', () => {
    const m = buildUNet({ size: 32, classes: 4, base: 4, depth: 3 });
    expect(m.outputs[0]!.shape).toEqual([null, 32, 32, 4]);
    m.dispose();
    expect(() => buildUNet({ size: 30, classes: 4, depth: 3 })).toThrow(/multiple of 2\^depth = 8, got 30/);
    expect(() => buildUNet({ size: 32, classes: 1 })).toThrow(/classes must be an integer >= 2/);
  });

  it('a few Adam steps on shapes masks lower the pixel loss', () => {
    const S = 16;
    const data = shapesBatch(2, 8, { size: S, minRadius: 0.2, maxRadius: 0.4, maxObjects: 2 });
    const m = buildUNet({ size: S, classes: 4, base: 4, depth: 2 });
    const xs = tf.tensor4d(data.images, [8, S, S, 3]);
    const ys = tf.tensor3d(Int32Array.from(data.semantic), [8, S, S], 'int32');
    const opt = tf.train.adam(0.01);
    const lossOf = () => tf.tidy(() => segmentationLoss(m.apply(xs, { training: true }) as tf.Tensor, ys).dataSync()[0]!);
    const before = lossOf();
    for (let i = 0; i < 10; i++) tf.tidy(() => { opt.minimize(() => segmentationLoss(m.apply(xs, { training: true }) as tf.Tensor, ys)); });
    expect(lossOf()).toBeLessThan(before * 0.8);
    const pred = predictClasses(m, xs);
    expect(pred.length).toBe(8 * S * S);
    tf.dispose([xs, ys]); opt.dispose(); m.dispose();
  }, 30_000);
});
