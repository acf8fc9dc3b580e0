/**
 * A single-shot detector for the shapes images: a small MobileNet-style backbone (a strided 3x3
 * conv, then depthwise-separable blocks, batch norm and ReLU6, output stride 8) and a grid head in
 * the CenterNet / YOLO manner. Each cell of the G x G grid (G = size / 8) predicts, per class, the
 * logit that an object of that class has its box centre in the cell, and one box: the centre's
 * offset inside the cell and the width and height as fractions of the image.
 *
 *   buildDetector      the net: [n, S, S, 3] -> [n, G, G, classes + 4]
 *   encodeTargets      objects -> heat (one-hot class at the centre cell), box targets and a mask
 *                      (when two centres share a cell, the larger object keeps it)
 *   detectionLoss      focal loss (Lin et al. 2017, alpha 0.25, gamma 2) on the class logits, summed
 *                      and divided by the number of objects, plus L1 on the boxes at object cells
 *   decodeDetections   cells above a score threshold -> boxes, then per-class NMS, top k per image
 *   toCocoEval         ground-truth objects and detections in COCO form, for cocoEvaluate
 */
import { tf } from '../nets/backend.ts';
import { tagLayersModel } from '../nets/saved-model.ts';
import { UserError } from '../util/errors.ts';
import { nms, type Box } from './detection/boxes.ts';
import type { CocoDt, CocoGt } from './detection/coco.ts';
import type { ShapeObject } from './shapes.ts';

export const DETECTOR_STRIDE = 8;

export interface DetectorConfig {
  /** Image side (a multiple of 8, at least 32; default 64). */
  size?: number;
  classes?: number;
  /** Width multiplier of the backbone's channels (default 1: 16-32-64-64-128-128). */
  alpha?: number;
  seed?: number;
}

export interface Detection {
  box: Box;
  score: number;
  cls: number;
}

function resolve(cfg: DetectorConfig): Required<DetectorConfig> {
  const r = { size: cfg.size ?? 64, classes: cfg.classes ?? 3, alpha: cfg.alpha ?? 1, seed: cfg.seed ?? 1 };
  if (!Number.isInteger(r.size) || r.size < 32 || r.size % DETECTOR_STRIDE !== 0) throw new UserError(`detector: size must be a multiple of 8 and at least 32, got ${r.size}`);
  if (!Number.isInteger(r.classes) || r.classes < 1) throw new UserError(`detector: classes must be an integer >= 1, got ${r.classes}`);
  if (!(r.alpha > 0 && r.alpha <= 4)) throw new UserError(`detector: alpha must be in (0, 4], got ${r.alpha}`);
  return r;
}

export function buildDetector(cfg: DetectorConfig = {}): tf.LayersModel {
  const { size, classes, alpha, seed } = resolve(cfg);
  let s = seed;
  const init = (): ReturnType<typeof tf.initializers.heNormal> => tf.initializers.heNormal({ seed: s++ });
  const ch = (c: number): number => Math.max(8, Math.round(c * alpha));
  const input = tf.input({ shape: [size, size, 3] });
  const bnRelu6 = (x: tf.SymbolicTensor): tf.SymbolicTensor =>
    tf.layers.reLU({ maxValue: 6 }).apply(tf.layers.batchNormalization({ momentum: 0.9 }).apply(x) as tf.SymbolicTensor) as tf.SymbolicTensor;
  let x = bnRelu6(tf.layers.conv2d({ filters: ch(16), kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: init() }).apply(input) as tf.SymbolicTensor);
  // Depthwise-separable blocks: [pointwise filters, depthwise stride].
  for (const [f, stride] of [[32, 1], [64, 2], [64, 1], [128, 2], [128, 1]] as const) {
    x = bnRelu6(tf.layers.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: 'same', useBias: false, depthwiseInitializer: init() }).apply(x) as tf.SymbolicTensor);
    x = bnRelu6(tf.layers.conv2d({ filters: ch(f), kernelSize: 1, useBias: false, kernelInitializer: init() }).apply(x) as tf.SymbolicTensor);
  }
  x = tf.layers.conv2d({ filters: ch(64), kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init() }).apply(x) as tf.SymbolicTensor;
  // Class logits start at the prior 0.01 (RetinaNet's bias init), so the many empty cells do not swamp the first steps.
  const prior = -Math.log((1 - 0.01) / 0.01);
  const bias = Array.from({ length: classes + 4 }, (_, i) => (i < classes ? prior : 0));
  const out = tf.layers
    .conv2d({ filters: classes + 4, kernelSize: 1, kernelInitializer: tf.initializers.randomNormal({ stddev: 0.01, seed: s++ }), biasInitializer: tf.initializers.constant({ value: 0 }), name: 'detector_head' })
    .apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const head = model.getLayer('detector_head');
  const [k] = head.getWeights();
  const b = tf.tensor1d(bias);
  head.setWeights([k!, b]);
  b.dispose();
  return tagLayersModel(model, 'detector', { size, classes, alpha, seed });
}

export interface DetectionTargets {
  n: number;
  grid: number;
  classes: number;
  /** [n, G, G, classes]: 1 where an object of that class has its centre. */
  heat: Float32Array;
  /** [n, G, G, 4]: centre offset in the cell (0..1, x then y), width and height / size. */
  box: Float32Array;
  /** [n, G, G, 1]: 1 at cells that hold an object. */
  mask: Float32Array;
  objects: number;
}

export function encodeTargets(objects: readonly (readonly ShapeObject[])[], size: number, classes = 3): DetectionTargets {
  const G = size / DETECTOR_STRIDE;
  if (!Number.isInteger(G)) throw new UserError(`detector targets: size ${size} is not a multiple of ${DETECTOR_STRIDE}`);
  const n = objects.length;
  const heat = new Float32Array(n * G * G * classes);
  const box = new Float32Array(n * G * G * 4);
  const mask = new Float32Array(n * G * G);
  const taken = new Float64Array(n * G * G); // area of the object holding each cell
  let count = 0;
  objects.forEach((objs, i) => {
    for (const o of objs) {
      const [x1, y1, x2, y2] = o.box;
      const w = x2 - x1;
      const h = y2 - y1;
      if (!(w > 0 && h > 0)) throw new UserError(`detector targets: image ${i} has a box of non-positive size [${o.box.join(', ')}]`);
      if (!Number.isInteger(o.cls) || o.cls < 0 || o.cls >= classes) throw new UserError(`detector targets: class ${o.cls} is not in 0..${classes - 1}`);
      const cx = (x1 + x2) / 2 / DETECTOR_STRIDE;
      const cy = (y1 + y2) / 2 / DETECTOR_STRIDE;
      const gx = Math.min(G - 1, Math.max(0, Math.floor(cx)));
      const gy = Math.min(G - 1, Math.max(0, Math.floor(cy)));
      const cell = (i * G + gy) * G + gx;
      count++;
      if (taken[cell]! >= w * h) continue;
      if (taken[cell]! > 0) heat.fill(0, cell * classes, (cell + 1) * classes);
      taken[cell] = w * h;
      heat[cell * classes + o.cls] = 1;
      box.set([cx - gx, cy - gy, w / size, h / size], cell * 4);
      mask[cell] = 1;
    }
  });
  return { n, grid: G, classes, heat, box, mask, objects: count };
}

/** Focal loss on the class logits plus L1 on the box outputs at object cells, per object. */
export function detectionLoss(pred: tf.Tensor, t: DetectionTargets, boxWeight = 5): tf.Scalar {
  const { n, grid: G, classes: C } = t;
  if (pred.shape.join() !== [n, G, G, C + 4].join()) throw new UserError(`detection loss: predictions of shape [${pred.shape}], targets need [${[n, G, G, C + 4]}]`);
  return tf.tidy(() => {
    const logits = pred.slice([0, 0, 0, 0], [n, G, G, C]);
    const y = tf.tensor4d(t.heat, [n, G, G, C]);
    const p = tf.sigmoid(logits);
    // BCE from logits, stable: max(z, 0) - z y + log(1 + exp(-|z|))
    const bce = tf.relu(logits).sub(logits.mul(y)).add(tf.log1p(tf.exp(logits.abs().neg())));
    const pt = y.mul(p).add(tf.scalar(1).sub(y).mul(tf.scalar(1).sub(p)));
    const alphaT = y.mul(0.25).add(tf.scalar(1).sub(y).mul(0.75));
    const focal = alphaT.mul(tf.scalar(1).sub(pt).square()).mul(bce).sum();
    const m = tf.tensor4d(t.mask, [n, G, G, 1]);
    const b = pred.slice([0, 0, 0, C], [n, G, G, 4]);
    const off = tf.sigmoid(b.slice([0, 0, 0, 0], [n, G, G, 2]));
    const wh = tf.sigmoid(b.slice([0, 0, 0, 2], [n, G, G, 2]));
    const tb = tf.tensor4d(t.box, [n, G, G, 4]);
    const l1 = tf.concat([off, wh], 3).sub(tb).abs().mul(m).sum();
    const objs = Math.max(1, t.objects);
    return focal.add(l1.mul(boxWeight)).div(objs) as tf.Scalar;
  });
}

export interface DecodeOptions {
  scoreThreshold?: number;
  iouThreshold?: number;
  maxPerImage?: number;
}

/** Raw head outputs [n, G, G, classes + 4] (flattened) -> detections per image, NMS per class. */
export function decodeDetections(raw: Float32Array, n: number, size: number, classes = 3, o: DecodeOptions = {}): Detection[][] {
  const G = size / DETECTOR_STRIDE;
  const D = classes + 4;
  if (raw.length !== n * G * G * D) throw new UserError(`decode: ${raw.length} outputs for ${n} images of ${G}x${G} cells x ${D}`);
  const thr = o.scoreThreshold ?? 0.05;
  const sig = (z: number): number => 1 / (1 + Math.exp(-z));
  const out: Detection[][] = [];
  for (let i = 0; i < n; i++) {
    const cand: Detection[] = [];
    for (let gy = 0; gy < G; gy++) {
      for (let gx = 0; gx < G; gx++) {
        const base = ((i * G + gy) * G + gx) * D;
        const cx = (gx + sig(raw[base + classes]!)) * DETECTOR_STRIDE;
        const cy = (gy + sig(raw[base + classes + 1]!)) * DETECTOR_STRIDE;
        const w = sig(raw[base + classes + 2]!) * size;
        const h = sig(raw[base + classes + 3]!) * size;
        for (let c = 0; c < classes; c++) {
          const score = sig(raw[base + c]!);
          if (score >= thr) cand.push({ box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], score, cls: c });
        }
      }
    }
    const kept: Detection[] = [];
    for (let c = 0; c < classes; c++) {
      const mine = cand.filter((d) => d.cls === c);
      for (const k of nms(mine.map((d) => d.box), mine.map((d) => d.score), o.iouThreshold ?? 0.5)) kept.push(mine[k]!);
    }
    kept.sort((a, b) => b.score - a.score);
    out.push(kept.slice(0, o.maxPerImage ?? 100));
  }
  return out;
}

/** Run the detector on [n, S, S, 3] images (in batches) and decode. */
export function detect(model: tf.LayersModel, images: Float32Array, n: number, o: DecodeOptions = {}): Detection[][] {
  const S = model.inputs[0]!.shape[1] as number;
  const classes = (model.outputs[0]!.shape[3] as number) - 4;
  if (images.length !== n * S * S * 3) throw new UserError(`detect: ${images.length} floats for ${n} images of ${S}x${S}x3`);
  const out: Detection[][] = [];
  for (let i = 0; i < n; i += 64) {
    const m = Math.min(64, n - i);
    const raw = tf.tidy(() => (model.predict(tf.tensor4d(images.subarray(i * S * S * 3, (i + m) * S * S * 3), [m, S, S, 3])) as tf.Tensor).dataSync() as Float32Array);
    out.push(...decodeDetections(raw, m, S, classes, o));
  }
  return out;
}

/** Ground truth (boxes as COCO [x, y, w, h], area = visible pixels) and detections, for cocoEvaluate. */
export function toCocoEval(objects: readonly (readonly ShapeObject[])[], dets: readonly Detection[][], classes = 3): { gt: CocoGt; dts: CocoDt[] } {
  let id = 1;
  const gt: CocoGt = {
    images: objects.map((_, i) => ({ id: i + 1 })),
    categories: Array.from({ length: classes }, (_, c) => ({ id: c + 1 })),
    annotations: objects.flatMap((objs, i) =>
      objs.map((o) => ({ id: id++, image_id: i + 1, category_id: o.cls + 1, bbox: [o.box[0], o.box[1], o.box[2] - o.box[0], o.box[3] - o.box[1]], area: o.area, iscrowd: 0 })),
    ),
  };
  const dts: CocoDt[] = dets.flatMap((ds, i) => ds.map((d) => ({ image_id: i + 1, category_id: d.cls + 1, bbox: [d.box[0], d.box[1], d.box[2] - d.box[0], d.box[3] - d.box[1]], score: d.score })));
  return { gt, dts };
}
