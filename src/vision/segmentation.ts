/**
 * Semantic segmentation: a small U-Net (Ronneberger et al. 2015) as a tf.layers functional model,
 * and the standard metrics computed from a confusion matrix (as in the PASCAL VOC / Cityscapes
 * protocol):
 *
 *   pixel accuracy   correct pixels / all pixels
 *   IoU of class c   TP / (TP + FP + FN)   (NaN when c appears in neither truth nor prediction)
 *   mean IoU         mean of the per-class IoUs that are not NaN (background counts as a class)
 *
 * The net: `depth` encoder levels of two 3x3 conv-BN-ReLU (base, 2 base, 4 base, ... filters), each
 * followed by 2x2 max-pool; a bottleneck; decoder levels that upsample by a 2x2 stride-2 transposed
 * conv, concatenate the skip connection and apply two 3x3 conv-BN-ReLU; a 1x1 conv to class logits.
 * The output is logits [batch, H, W, classes] (apply softmax / argmax outside).
 */
import { tf } from '../nets/backend.ts';
import { tagLayersModel } from '../nets/saved-model.ts';
import { UserError } from '../util/errors.ts';

export interface UNetConfig {
  size: number;
  channels?: number;
  classes: number;
  /** Filters at the first level (doubling per level). */
  base?: number;
  /** Encoder levels (pooling steps). */
  depth?: number;
  /** Batch-norm moving-average momentum (default 0.9: the moving statistics settle within ~50 steps). */
  bnMomentum?: number;
  seed?: number;
}

export function buildUNet(cfg: UNetConfig): tf.LayersModel {
  const base = cfg.base ?? 16;
  const depth = cfg.depth ?? 3;
  if (!Number.isInteger(depth) || depth < 1 || depth > 6) throw new UserError(`U-Net: depth must be an integer in [1, 6], got ${depth}`);
  if (!Number.isInteger(cfg.size) || cfg.size < 1 || cfg.size % 2 ** depth !== 0) {
    throw new UserError(`U-Net: size must be a positive multiple of 2^depth = ${2 ** depth}, got ${cfg.size}`);
  }
  if (!Number.isInteger(cfg.classes) || cfg.classes < 2) throw new UserError(`U-Net: classes must be an integer >= 2 (background included), got ${cfg.classes}`);
  if (!Number.isInteger(base) || base < 1) throw new UserError(`U-Net: base must be an integer >= 1, got ${base}`);
  let seed = cfg.seed ?? 1;
  const S = (l: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor => l.apply(x) as tf.SymbolicTensor;
  const convBnRelu = (x: tf.SymbolicTensor, f: number, name: string): tf.SymbolicTensor => {
    x = S(tf.layers.conv2d({ filters: f, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: tf.initializers.heNormal({ seed: seed++ }), name: `${name}_conv` }), x);
    x = S(tf.layers.batchNormalization({ momentum: cfg.bnMomentum ?? 0.9, name: `${name}_bn` }), x);
    return S(tf.layers.activation({ activation: 'relu', name: `${name}_relu` }), x);
  };
  const input = tf.input({ shape: [cfg.size, cfg.size, cfg.channels ?? 3], name: 'image' });
  let x = input;
  const skips: tf.SymbolicTensor[] = [];
  for (let l = 0; l < depth; l++) {
    const f = base * 2 ** l;
    x = convBnRelu(convBnRelu(x, f, `enc${l}_a`), f, `enc${l}_b`);
    skips.push(x);
    x = S(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `enc${l}_pool` }), x);
  }
  const fb = base * 2 ** depth;
  x = convBnRelu(convBnRelu(x, fb, 'mid_a'), fb, 'mid_b');
  for (let l = depth - 1; l >= 0; l--) {
    const f = base * 2 ** l;
    x = S(tf.layers.conv2dTranspose({ filters: f, kernelSize: 2, strides: 2, padding: 'same', kernelInitializer: tf.initializers.heNormal({ seed: seed++ }), name: `dec${l}_up` }), x);
    x = S(tf.layers.concatenate({ axis: -1, name: `dec${l}_concat` }), [x, skips[l]!]);
    x = convBnRelu(convBnRelu(x, f, `dec${l}_a`), f, `dec${l}_b`);
  }
  const logits = S(tf.layers.conv2d({ filters: cfg.classes, kernelSize: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }), name: 'logits' }), x);
  return tagLayersModel(tf.model({ inputs: input, outputs: logits, name: `unet_d${depth}_b${base}` }), 'unet', cfg);
}

/** Pixel-wise softmax cross-entropy of logits [b, h, w, C] against labels [b, h, w] (int32). */
export function segmentationLoss(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const C = logits.shape[logits.rank - 1]!;
    return tf.losses.softmaxCrossEntropy(tf.oneHot(labels.flatten().toInt(), C), logits.reshape([-1, C])) as tf.Scalar;
  });
}

/** A confusion matrix accumulated over batches: counts[truth * classes + predicted]. */
export class ConfusionMatrix {
  readonly counts: Float64Array;
  constructor(readonly classes: number) {
    if (!Number.isInteger(classes) || classes < 1) throw new UserError(`ConfusionMatrix: classes must be an integer >= 1, got ${classes}`);
    this.counts = new Float64Array(classes * classes);
  }

  add(truth: ArrayLike<number>, pred: ArrayLike<number>): void {
    if (truth.length !== pred.length) throw new UserError(`ConfusionMatrix: truth has ${truth.length} pixels but prediction has ${pred.length}`);
    const C = this.classes;
    for (let i = 0; i < truth.length; i++) {
      const t = truth[i]!, p = pred[i]!;
      if (!(t >= 0 && t < C && p >= 0 && p < C && Number.isInteger(t) && Number.isInteger(p))) {
        throw new UserError(`ConfusionMatrix: pixel ${i} has class ${t} / ${p}, expected integers in [0, ${C})`);
      }
      this.counts[t * C + p]!++;
    }
  }

  pixelAccuracy(): number {
    let correct = 0, all = 0;
    for (let t = 0; t < this.classes; t++) for (let p = 0; p < this.classes; p++) {
      const n = this.counts[t * this.classes + p]!;
      all += n;
      if (t === p) correct += n;
    }
    return all ? correct / all : NaN;
  }

  /** IoU per class; NaN for a class absent from both truth and prediction. */
  perClassIoU(): number[] {
    const C = this.classes;
    const out: number[] = [];
    for (let c = 0; c < C; c++) {
      let row = 0, col = 0;
      for (let k = 0; k < C; k++) { row += this.counts[c * C + k]!; col += this.counts[k * C + c]!; }
      const tp = this.counts[c * C + c]!;
      const union = row + col - tp;
      out.push(union ? tp / union : NaN);
    }
    return out;
  }

  meanIoU(): number {
    const v = this.perClassIoU().filter((x) => !Number.isNaN(x));
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
  }
}

/** Argmax class per pixel of logits [b, h, w, C], as a flat Int32Array. */
export function predictClasses(model: tf.LayersModel, images: tf.Tensor4D): Int32Array {
  return tf.tidy(() => (model.predict(images) as tf.Tensor).argMax(-1).dataSync() as Int32Array);
}
