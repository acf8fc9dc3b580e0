/**
 * A Keras-style summary of any tf.LayersModel: one row per layer (name, type, output shape, params,
 * multiply-adds) and the exact parameter counts, counted as Keras counts them:
 *   Trainable params      the weights a gradient step updates (kernels, biases, BN gamma and beta)
 *   Non-trainable params  the rest (BN moving mean and moving variance, frozen layers)
 *   Total params          both
 *
 * Multiply-adds (MACs) are counted per example (batch 1) for the layers that dominate the cost:
 * Conv1D/2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D and Dense (including a Dense applied
 * to a sequence, per position). One MAC = one multiply plus one add; FLOPs ~= 2 x MACs. Biases,
 * batch norm, activations and pooling are not counted (a few percent at most for these nets).
 */
import { tf } from './backend.ts';

export interface LayerRow {
  name: string;
  type: string;
  /** Output shape with `null` for the batch dimension, as Keras prints it. */
  outputShape: (number | null)[] | (number | null)[][];
  params: number;
  trainableParams: number;
  nonTrainableParams: number;
  macs: number;
  /** Names of the layers feeding this one (functional models). */
  inputs: string[];
}

export interface ModelSummary {
  name: string;
  rows: LayerRow[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** Multiply-adds for one example. */
  macs: number;
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

type Dims = (number | null)[];

function shapeOf(layer: tf.layers.Layer, which: 'input' | 'output'): Dims[] {
  const node = layer.inboundNodes[0];
  let s: tf.Shape | tf.Shape[] | undefined;
  if (node) s = which === 'input' ? node.inputShapes : node.outputShapes;
  else if (which === 'output') s = layer.outputShape;
  if (!s || s.length === 0) return [[]];
  return Array.isArray(s[0]) ? (s as Dims[]) : [s as Dims];
}

const known = (shape: Dims, from = 1): number => sizeOf(shape.slice(from).map((d) => d ?? 1));
const dims = (shape: tf.Shape): number[] => shape.map((d) => d ?? 1);

/** Multiply-adds of one layer for one example (0 for layers without a weight product). */
export function layerMacs(layer: tf.layers.Layer): number {
  const cls = layer.getClassName();
  const cfg = layer.getConfig();
  if (cls === 'Sequential' || cls === 'Functional' || cls === 'Model') {
    return summarizeModel(layer as unknown as tf.LayersModel).macs;
  }
  const weights = layer.weights;
  const kernel = weights.find((w) => /kernel$/.test(w.originalName) || /kernel$/.test(w.name));
  const depthwise = weights.find((w) => /depthwise_kernel$/.test(w.originalName) || /depthwise_kernel$/.test(w.name));
  const pointwise = weights.find((w) => /pointwise_kernel$/.test(w.originalName) || /pointwise_kernel$/.test(w.name));
  const out = shapeOf(layer, 'output')[0]!;
  const inp = cls === 'InputLayer' ? out : shapeOf(layer, 'input')[0]!;
  switch (cls) {
    case 'Conv1D':
    case 'Conv2D':
    case 'Conv3D': {
      // every output element: a dot product over kernel window x input channels
      if (!kernel) return 0;
      const k = kernel.shape; // [...window, inC, outC]
      return known(out) * (sizeOf(dims(k)) / k[k.length - 1]!);
    }
    case 'Conv2DTranspose': {
      // every input element scatters into a kernel window x output channels
      if (!kernel) return 0;
      return known(inp) * sizeOf(dims(kernel.shape.slice(0, 2))) * (cfg['filters'] as number);
    }
    case 'DepthwiseConv2D': {
      const k = (depthwise ?? kernel)?.shape;
      if (!k) return 0;
      return known(out) * k[0]! * k[1]!;
    }
    case 'SeparableConv1D':
    case 'SeparableConv2D': {
      if (!depthwise || !pointwise) return 0;
      const d = depthwise.shape;
      const spatial = known(out) / (cfg['filters'] as number);
      const dw = spatial * sizeOf(dims(d)); // window x inC x depthMultiplier per output position
      const pw = spatial * sizeOf(dims(pointwise.shape));
      return dw + pw;
    }
    case 'Dense': {
      if (!kernel) return 0;
      // a Dense on [batch, ...leading, in] runs once per leading position
      const leading = known(inp.slice(0, -1));
      return leading * sizeOf(dims(kernel.shape));
    }
    default:
      return 0;
  }
}

function layerRow(layer: tf.layers.Layer): LayerRow {
  const trainable = layer.trainable ? layer.trainableWeights.reduce((a, w) => a + sizeOf(dims(w.shape)), 0) : 0;
  const all = layer.weights.reduce((a, w) => a + sizeOf(dims(w.shape)), 0);
  const inputs: string[] = [];
  for (const node of layer.inboundNodes) for (const l of node.inboundLayers) if (!inputs.includes(l.name)) inputs.push(l.name);
  const outs = shapeOf(layer, 'output');
  return {
    name: layer.name,
    type: layer.getClassName(),
    outputShape: outs.length === 1 ? outs[0]! : outs,
    params: all,
    trainableParams: trainable,
    nonTrainableParams: all - trainable,
    macs: layerMacs(layer),
    inputs,
  };
}

/** Summarise any tf.LayersModel (functional or sequential). */
export function summarizeModel(model: tf.LayersModel): ModelSummary {
  const rows = model.layers.map(layerRow);
  const sum = (k: 'params' | 'trainableParams' | 'nonTrainableParams' | 'macs'): number => rows.reduce((a, r) => a + r[k], 0);
  return {
    name: model.name,
    rows,
    totalParams: sum('params'),
    trainableParams: sum('trainableParams'),
    nonTrainableParams: sum('nonTrainableParams'),
    macs: sum('macs'),
  };
}

const fmtInt = (n: number): string => n.toLocaleString('en-US');
const fmtShape = (s: LayerRow['outputShape']): string => {
  const one = (x: (number | null)[]): string => `(${x.map((d) => (d === null ? 'None' : String(d))).join(', ')})`;
  return Array.isArray(s[0]) ? (s as (number | null)[][]).map(one).join(' ') : one(s as (number | null)[]);
};

/** Human-readable MAC count: 1.23 G, 45.6 M, 789 K. */
export function formatMacs(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} K`;
  return String(n);
}

/**
 * The printed summary: a table and the lines `Total params: N`, `Trainable params: N`,
 * `Non-trainable params: N` (N a plain integer, no separators, so scripts can parse it) and
 * `Multiply-adds per example: N (...)`.
 */
export function formatSummary(s: ModelSummary, opts: { connections?: boolean } = {}): string {
  const head = ['Layer (type)', 'Output Shape', 'Param #', 'MACs'];
  if (opts.connections) head.push('Connected to');
  const body = s.rows.map((r) => {
    const cells = [`${r.name} (${r.type})`, fmtShape(r.outputShape), fmtInt(r.params), r.macs ? fmtInt(r.macs) : '0'];
    if (opts.connections) cells.push(r.inputs.join(', '));
    return cells;
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i >= 2 && i <= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const rule = (ch: string): string => ch.repeat(widths.reduce((a, w) => a + w, 0) + 2 * (widths.length - 1));
  return [
    `Model: "${s.name}"`,
    rule('_'),
    line(head),
    rule('='),
    ...body.map(line),
    rule('='),
    `Total params: ${s.totalParams}`,
    `Trainable params: ${s.trainableParams}`,
    `Non-trainable params: ${s.nonTrainableParams}`,
    `Multiply-adds per example: ${s.macs} (${formatMacs(s.macs)}MACs, ~${formatMacs(2 * s.macs)}FLOPs)`,
    rule('_'),
  ].join('\n');
}
