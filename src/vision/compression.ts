/**
 * Model compression:
 *
 *   quantizePerChannel   post-training int8 quantisation of a weight tensor, symmetric and per output
 *                        channel: scale_c = max |w_c| / 127, q = round(w / scale_c) in [-127, 127]
 *                        (the TFLite / PyTorch "per-channel symmetric" weight scheme); dequantize
 *                        gives w' = q scale_c, with |w - w'| <= scale_c / 2
 *   quantizeModelWeights the same for every kernel of a tf.LayersModel (conv, dense, depthwise),
 *                        written back dequantised ("fake quantisation"), with the byte counts
 *   magnitudePrune       global unstructured magnitude pruning (Han et al. 2015): the given fraction
 *                        of all kernel weights with the smallest |w| across the whole net set to 0
 *   channelPrune         structured pruning (Li et al. 2017): in every conv layer the given fraction of
 *                        output channels with the smallest L1 kernel norm set to 0 (kernel slice and
 *                        bias), with masks for fine-tuning and the kept channels, so that a slimmer
 *                        net can be built from them (a zeroed channel feeds only zeros onward)
 *   calibrateActivations / predictQuantized
 *                        int8 activations: one symmetric scale per layer output, max |a| / 127 over a
 *                        calibration batch, and inference with every layer output (and the input)
 *                        rounded to that grid, as an int8 runtime would compute it
 *   distillationLoss     Hinton et al. 2015: alpha T^2 KL(softmax(t / T) || softmax(s / T))
 *                        + (1 - alpha) CE(labels, softmax(s))
 *
 * Biases, batch-norm parameters and statistics are left in float (they are a small fraction).
 */
import { tf } from '../nets/backend.ts';
import { UserError } from '../util/errors.ts';

export interface QuantizedTensor {
  shape: number[];
  /** Quantised values, same layout as the float tensor. */
  q: Int8Array;
  /** One scale per channel of `channelAxis`. */
  scales: Float32Array;
  channelAxis: number;
}

/**
 * Quantise `values` (row-major, `shape`) to int8, one symmetric scale per index of `channelAxis`
 * (default the last axis: a conv or dense kernel's output channels).
 */
export function quantizePerChannel(values: Float32Array, shape: readonly number[], channelAxis = shape.length - 1): QuantizedTensor {
  const size = shape.reduce((a, b) => a * b, 1);
  if (shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 1)) throw new UserError(`quantize: shape must be positive integers, got [${shape.join(', ')}]`);
  if (values.length !== size) throw new UserError(`quantize: shape [${shape.join(', ')}] needs ${size} values, got ${values.length}`);
  if (!Number.isInteger(channelAxis) || channelAxis < 0 || channelAxis >= shape.length) {
    throw new UserError(`quantize: channel axis must be in [0, ${shape.length}), got ${channelAxis}`);
  }
  const C = shape[channelAxis]!;
  const inner = shape.slice(channelAxis + 1).reduce((a, b) => a * b, 1);
  const chan = (i: number): number => Math.floor(i / inner) % C;
  const maxAbs = new Float32Array(C);
  for (let i = 0; i < size; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new UserError(`quantize: value ${i} is ${v}; weights must be finite`);
    const a = Math.abs(v), c = chan(i);
    if (a > maxAbs[c]!) maxAbs[c] = a;
  }
  const scales = new Float32Array(C);
  for (let c = 0; c < C; c++) scales[c] = maxAbs[c]! > 0 ? maxAbs[c]! / 127 : 1;
  const q = new Int8Array(size);
  for (let i = 0; i < size; i++) {
    const r = Math.round(values[i]! / scales[chan(i)]!);
    q[i] = r > 127 ? 127 : r < -127 ? -127 : r;
  }
  return { shape: [...shape], q, scales, channelAxis };
}

export function dequantize(t: QuantizedTensor): Float32Array {
  const C = t.shape[t.channelAxis]!;
  const inner = t.shape.slice(t.channelAxis + 1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(t.q.length);
  for (let i = 0; i < out.length; i++) out[i] = t.q[i]! * t.scales[Math.floor(i / inner) % C]!;
  return out;
}

/** Kernel weights of a model: conv/dense kernels and depthwise kernels (not biases, not BN). */
export function kernelWeights(model: tf.LayersModel): tf.LayerVariable[] {
  return model.weights.filter((w) => /kernel$/.test(w.originalName) || /kernel(_\d+)?$/.test(w.name));
}

export interface QuantizeReport {
  tensors: number;
  weights: number;
  /** float32 bytes of the quantised kernels, and int8 + one float32 scale per channel. */
  floatBytes: number;
  int8Bytes: number;
  /** Largest |w - dequantised w| over all kernels. */
  maxError: number;
}

/** Quantise every kernel of the model per channel to int8 and write the dequantised values back. */
export function quantizeModelWeights(model: tf.LayersModel): QuantizeReport {
  const rep: QuantizeReport = { tensors: 0, weights: 0, floatBytes: 0, int8Bytes: 0, maxError: 0 };
  for (const w of kernelWeights(model)) {
    const shape = w.shape as number[];
    const v = w.read().dataSync() as Float32Array;
    // depthwise kernels [kh, kw, in, mult]: a channel is one input channel (axis 2)
    const axis = /depthwise_kernel/.test(w.originalName) ? 2 : shape.length - 1;
    const qt = quantizePerChannel(v, shape, axis);
    const back = dequantize(qt);
    for (let i = 0; i < v.length; i++) rep.maxError = Math.max(rep.maxError, Math.abs(v[i]! - back[i]!));
    w.write(tf.tensor(back, shape));
    rep.tensors++;
    rep.weights += v.length;
    rep.floatBytes += 4 * v.length;
    rep.int8Bytes += v.length + 4 * qt.scales.length;
  }
  return rep;
}

export interface PruneResult {
  /** Threshold |w| below which weights were zeroed. */
  threshold: number;
  /** Fraction of kernel weights that are zero now. */
  sparsity: number;
  /** 0/1 masks per kernel, to re-apply after fine-tuning steps. */
  masks: Map<tf.LayerVariable, tf.Tensor>;
}

/** Zero the `sparsity` fraction of smallest-magnitude kernel weights across the whole model. */
export function magnitudePrune(model: tf.LayersModel, sparsity: number): PruneResult {
  if (!(sparsity >= 0 && sparsity < 1)) throw new UserError(`prune: sparsity must be in [0, 1), got ${sparsity}`);
  const kernels = kernelWeights(model);
  const all: number[] = [];
  const vals = kernels.map((w) => w.read().dataSync() as Float32Array);
  for (const v of vals) for (const x of v) all.push(Math.abs(x));
  const total = all.length;
  const k = Math.floor(sparsity * total);
  const sorted = Float32Array.from(all).sort();
  const threshold = k > 0 ? sorted[k - 1]! : -Infinity;
  // ties at the threshold: zero exactly k weights, the earliest first
  let toZero = k;
  let zeros = 0;
  const masks = new Map<tf.LayerVariable, tf.Tensor>();
  kernels.forEach((w, j) => {
    const v = vals[j]!;
    const mask = new Float32Array(v.length);
    const out = new Float32Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const a = Math.abs(v[i]!);
      const cut = a < threshold || (a === threshold && toZero > 0 && k > 0);
      if (cut && toZero > 0) { toZero--; zeros++; } else { mask[i] = 1; out[i] = v[i]!; }
    }
    w.write(tf.tensor(out, w.shape as number[]));
    masks.set(w, tf.tensor(mask, w.shape as number[]));
  });
  return { threshold, sparsity: total ? zeros / total : 0, masks };
}

/** Multiply each pruned kernel by its mask again (after an optimizer step). */
export function reapplyMasks(masks: PruneResult['masks']): void {
  for (const [w, m] of masks) w.write(tf.tidy(() => w.read().mul(m)));
}

export interface ChannelPruneResult {
  /** Per conv layer (in model order): its name, channel count, and the channels kept (ascending). */
  layers: { name: string; channels: number; kept: number[] }[];
  /** 0/1 masks for the kernels and biases of the pruned layers, to re-apply after fine-tuning steps. */
  masks: Map<tf.LayerVariable, tf.Tensor>;
}

/**
 * Structured pruning: in each conv2d layer, zero the `fraction` of output channels (rounded down,
 * at least one kept) whose kernel slices have the smallest L1 norm, bias included. The last layer
 * of the model is left whole when it is a conv (its channels are the outputs).
 */
export function channelPrune(model: tf.LayersModel, fraction: number): ChannelPruneResult {
  if (!(fraction >= 0 && fraction < 1)) throw new UserError(`channel prune: fraction must be in [0, 1), got ${fraction}`);
  const convs = model.layers.filter((l, i) => l.getClassName() === 'Conv2D' && i < model.layers.length - 1);
  if (convs.length === 0) throw new UserError('channel prune: the model has no conv2d layer to prune');
  const res: ChannelPruneResult = { layers: [], masks: new Map() };
  for (const layer of convs) {
    const [kernel, bias] = layer.weights as tf.LayerVariable[];
    const shape = kernel!.shape as number[];
    const C = shape[shape.length - 1]!;
    const k = kernel!.read().dataSync() as Float32Array;
    const norms = new Float64Array(C);
    for (let i = 0; i < k.length; i++) norms[i % C]! += Math.abs(k[i]!);
    const drop = Math.min(C - 1, Math.floor(fraction * C));
    const order = Array.from({ length: C }, (_, c) => c).sort((a, b) => norms[a]! - norms[b]! || a - b);
    const dropped = new Set(order.slice(0, drop));
    const kept = order.slice(drop).sort((a, b) => a - b);
    const kmask = new Float32Array(k.length);
    for (let i = 0; i < k.length; i++) kmask[i] = dropped.has(i % C) ? 0 : 1;
    const km = tf.tensor(kmask, shape);
    kernel!.write(tf.tidy(() => kernel!.read().mul(km)));
    res.masks.set(kernel!, km);
    if (bias) {
      const bm = tf.tensor(Float32Array.from({ length: C }, (_, c) => (dropped.has(c) ? 0 : 1)), [C]);
      bias.write(tf.tidy(() => bias.read().mul(bm)));
      res.masks.set(bias, bm);
    }
    res.layers.push({ name: layer.name, channels: C, kept });
  }
  return res;
}

/** Per-layer activation scales for int8 inference: the input's and each layer output's max |a| / 127. */
export interface ActivationScales {
  input: number;
  layers: number[];
}

function sequentialLayers(model: tf.LayersModel, what: string): tf.layers.Layer[] {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  for (let i = 1; i < layers.length; i++) {
    const inbound = (layers[i]!.inboundNodes[0]?.inboundLayers ?? []) as tf.layers.Layer[];
    if (inbound.length !== 1 || inbound[0] !== layers[i - 1]) throw new UserError(`${what}: only plain layer stacks are supported (layer ${layers[i]!.name} does not take the previous layer's output alone)`);
  }
  return layers;
}

/** Run a calibration batch through the model, layer by layer, and record each output's range. */
export function calibrateActivations(model: tf.LayersModel, x: tf.Tensor): ActivationScales {
  const layers = sequentialLayers(model, 'calibrate');
  return tf.tidy(() => {
    const scale = (t: tf.Tensor): number => Math.max(t.abs().max().dataSync()[0]!, 1e-12) / 127;
    const input = scale(x);
    const out: number[] = [];
    let a: tf.Tensor = x;
    for (const l of layers) {
      a = l.apply(a) as tf.Tensor;
      out.push(scale(a));
    }
    return { input, layers: out };
  });
}

/** Round to the int8 grid of `scale` (symmetric, clipped to +-127 steps). */
function fakeQuant(t: tf.Tensor, scale: number): tf.Tensor {
  return t.div(scale).round().clipByValue(-127, 127).mul(scale);
}

/** Inference with the input and every layer output rounded to its calibrated int8 grid. */
export function predictQuantized(model: tf.LayersModel, x: tf.Tensor, scales: ActivationScales): tf.Tensor {
  const layers = sequentialLayers(model, 'quantized predict');
  if (scales.layers.length !== layers.length) throw new UserError(`quantized predict: ${scales.layers.length} activation scales for ${layers.length} layers (calibrate this model first)`);
  return tf.tidy(() => {
    let a = fakeQuant(x, scales.input);
    layers.forEach((l, i) => (a = fakeQuant(l.apply(a) as tf.Tensor, scales.layers[i]!)));
    return a;
  });
}

/**
 * Distillation loss for student logits s, teacher logits t ([batch, classes]) and one-hot labels:
 * alpha T^2 KL(softmax(t/T) || softmax(s/T)) + (1 - alpha) CE(labels, softmax(s)), batch mean.
 * The T^2 keeps the soft-target gradients on the scale of the hard-label ones (Hinton et al.).
 */
export function distillationLoss(student: tf.Tensor2D, teacher: tf.Tensor2D, labels: tf.Tensor2D, temperature: number, alpha: number): tf.Scalar {
  if (!(temperature > 0)) throw new UserError(`distillation: temperature must be > 0, got ${temperature}`);
  if (!(alpha >= 0 && alpha <= 1)) throw new UserError(`distillation: alpha must be in [0, 1], got ${alpha}`);
  if (student.shape.join() !== teacher.shape.join() || student.shape.join() !== labels.shape.join()) {
    throw new UserError(`distillation: student [${student.shape}], teacher [${teacher.shape}] and labels [${labels.shape}] must have the same shape`);
  }
  return tf.tidy(() => {
    const pt = tf.softmax(teacher.div(temperature));
    const logPs = tf.logSoftmax(student.div(temperature));
    const kl = pt.mul(tf.log(pt.add(1e-12)).sub(logPs)).sum(-1).mean();
    const ce = labels.mul(tf.logSoftmax(student)).sum(-1).mean().neg();
    return kl.mul(alpha * temperature * temperature).add(ce.mul(1 - alpha)) as tf.Scalar;
  });
}
