/**
 * The training step of a tf.layers policy-value model (src/nets/policy-value.ts: outputs [policy
 * logits, value]) as one Graph: forward pass in training mode (batch norm on batch statistics), the
 * AlphaGo Zero loss
 *
 *   l = mean((z - v)^2) - mean(sum(pi * log softmax(logits))) + c * sum over kernels of ||W||^2
 *
 * (the Trainer's, src/agents/alphazero/trainer.ts) and its gradient with respect to every trainable
 * weight, in model.trainableWeights order. Batch norm's batch means and variances are outputs too,
 * for the moving averages the layers keep.
 *
 * Activations stay channels-last and two-dimensional, [batch * rows * cols, channels], so
 * convolutions are im2col + GEMM (./conv.ts), batch norm reduces over rows, 1x1 convolutions are
 * plain GEMMs and Flatten is a reshape in tfjs's own order: no transposes anywhere. Supported
 * layers: InputLayer, Conv2D (stride 1, odd square kernel, 'same'), BatchNormalization (last axis),
 * Activation / ReLU (relu, tanh, linear), Add, Flatten, Dense, GlobalAveragePooling2D, Concatenate
 * (last axis). Anything else throws UnsupportedModelError naming the layer (the Trainer then uses tfjs).
 */
import type { tf } from '../backend.ts';
import { Graph, type Val } from './graph.ts';
import { grad } from './autodiff.ts';
import { conv2d } from './conv.ts';

export class UnsupportedModelError extends Error {}

/** A value while walking the model: a matrix, and the image size when its rows are the positions of images. */
interface Node2D {
  v: Val;
  image?: { h: number; w: number };
}

export interface BatchNormStat {
  /** Index of the layer's moving_mean / moving_variance in model.weights. */
  meanWeight: number;
  varianceWeight: number;
  /** Output names of the batch mean and variance ([1, C] each). */
  mean: string;
  variance: string;
  channels: number;
  momentum: number;
}

export interface ModelTrainGraph {
  graph: Graph;
  /** Input name and shape of each trainable weight, in model.trainableWeights order ('p0', 'p1', ...). */
  params: { input: string; shape: number[] }[];
  batchNorm: BatchNormStat[];
  /** Output names: loss parts and gradients ('g0', ... like params). */
  outputs: { loss: string; valueLoss: string; policyLoss: string; l2Loss: string; policyEntropy: string };
}

type LayerVariable = tf.LayerVariable;

/** Floats of saved im2col columns (all layers together) above which they are recomputed: 512 MB. */
const COLS_BUDGET = 128 * 1024 * 1024;

/** Build the training graph of `model` for batches of `batch` samples, L2 coefficient `l2`. */
export function policyValueTrainGraph(model: tf.LayersModel, batch: number, l2: number): ModelTrainGraph {
  if (model.inputs.length !== 1 || model.outputs.length !== 2) throw new UnsupportedModelError('the model must have one input and two outputs (policy logits, value)');
  const g = new Graph();
  const N = batch;
  const trainable = model.trainableWeights as LayerVariable[];
  const params = trainable.map((w, i) => ({ input: `p${i}`, shape: w.shape.map((d) => d ?? 1) }));
  const paramVals = params.map((p) => g.input(p.input, p.shape));
  const weightOf = (lv: LayerVariable): Val => {
    const i = trainable.indexOf(lv);
    if (i < 0) throw new UnsupportedModelError(`weight ${lv.name} is not trainable`);
    return paramVals[i]!;
  };
  const allWeights = model.weights as LayerVariable[];
  const values = new Map<number, Node2D>();
  const batchNorm: BatchNormStat[] = [];
  // Keeping every convolution's im2col columns for the backward pass costs k*k activations per
  // layer; past COLS_BUDGET floats (big boards, wide nets, big batches) they are gathered again instead.
  let colsFloats = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'Conv2D') continue;
    const inShape = layer.inboundNodes[0]?.inputTensors[0]?.shape ?? [];
    const k = (layer.getConfig()['kernelSize'] as number[] | number | undefined) ?? 1;
    const kk = Array.isArray(k) ? k[0]! * k[1]! : k * k;
    if (kk > 1) colsFloats += N * (inShape.slice(1) as number[]).reduce((a, b) => a * b, 1) * kk;
  }
  const recompute = colsFloats > COLS_BUDGET;

  const activation = (x: Val, act: string, where: string): Val => {
    if (act === 'linear') return x;
    if (act === 'relu') return g.relu(x);
    if (act === 'tanh') return g.tanh(x);
    throw new UnsupportedModelError(`activation '${act}' of layer '${where}'`);
  };

  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const cfg = layer.getConfig();
    const node = layer.inboundNodes[0];
    if (!node || layer.inboundNodes.length !== 1) throw new UnsupportedModelError(`layer '${layer.name}' is used ${layer.inboundNodes.length} times`);
    const out = node.outputTensors[0]!;
    const set = (n: Node2D): void => void values.set(out.id, n);
    if (cls === 'InputLayer') {
      const shape = out.shape.slice(1) as number[];
      if (shape.length !== 3) throw new UnsupportedModelError(`input shape [${shape.join(',')}] is not [rows, cols, planes]`);
      const [h, w, c] = shape as [number, number, number];
      set({ v: g.reshape(g.input('planes', [N, h, w, c]), [N * h * w, c]), image: { h, w } });
      continue;
    }
    const ins = node.inputTensors.map((t) => {
      const v = values.get(t.id);
      if (!v) throw new UnsupportedModelError(`input of layer '${layer.name}' comes from a layer that was not built`);
      return v;
    });
    const x = ins[0]!;
    const w = (name: string): LayerVariable | undefined => (layer.weights as LayerVariable[]).find((lv) => lv.originalName.split('/').pop()!.replace(/_\d+$/, '') === name);
    switch (cls) {
      case 'Conv2D': {
        const k = w('kernel')!;
        const [kh, kw] = k.shape as number[];
        const strides = [cfg['strides']].flat() as number[];
        const dil = [cfg['dilationRate']].flat() as number[];
        if (!x.image || kh !== kw || kh! % 2 !== 1 || cfg['padding'] !== 'same' || strides.some((s) => s !== 1) || dil.some((d) => d !== 1) || cfg['dataFormat'] === 'channelsFirst') {
          throw new UnsupportedModelError(`Conv2D '${layer.name}' (only stride 1, odd square kernels, 'same' padding, channels last)`);
        }
        const b = w('bias');
        const y = conv2d(g, x.v, weightOf(k), b ? weightOf(b) : undefined, { n: N, h: x.image.h, w: x.image.w, k: kh! }, recompute);
        set({ v: activation(y, (cfg['activation'] as string | undefined) ?? 'linear', layer.name), image: x.image });
        break;
      }
      case 'BatchNormalization': {
        const axis = cfg['axis'] as number;
        if (axis !== -1 && axis !== (out.shape.length as number) - 1) throw new UnsupportedModelError(`BatchNormalization '${layer.name}' on axis ${axis} (only the channel axis)`);
        const gamma = w('gamma');
        const beta = w('beta');
        if (!gamma || !beta) throw new UnsupportedModelError(`BatchNormalization '${layer.name}' without scale or center`);
        const eps = cfg['epsilon'] as number;
        const mean = g.reduceMean(x.v, [0], true);
        const xc = g.sub(x.v, mean);
        const variance = g.reduceMean(g.mul(xc, xc), [0], true);
        // tfjs's batchNorm: beta + (x - mean) * gamma / sqrt(var + eps)
        const y = g.add(g.mul(xc, g.div(weightOf(gamma), g.sqrt(g.add(variance, eps)))), weightOf(beta));
        const i = batchNorm.length;
        g.output(`bn${i}_mean`, mean);
        g.output(`bn${i}_var`, variance);
        const mm = allWeights.findIndex((lv) => lv.originalName.startsWith(`${layer.name}/moving_mean`));
        const mv = allWeights.findIndex((lv) => lv.originalName.startsWith(`${layer.name}/moving_variance`));
        if (mm < 0 || mv < 0) throw new UnsupportedModelError(`BatchNormalization '${layer.name}' has no moving statistics`);
        batchNorm.push({ meanWeight: mm, varianceWeight: mv, mean: `bn${i}_mean`, variance: `bn${i}_var`, channels: gamma.shape[0]!, momentum: cfg['momentum'] as number });
        set({ v: y, image: x.image });
        break;
      }
      case 'Activation':
        set({ ...x, v: activation(x.v, cfg['activation'] as string, layer.name) });
        break;
      case 'ReLU':
        if (cfg['maxValue'] !== null && cfg['maxValue'] !== undefined) throw new UnsupportedModelError(`ReLU '${layer.name}' with maxValue`);
        set({ ...x, v: g.relu(x.v) });
        break;
      case 'Add':
        set({ ...x, v: ins.slice(1).reduce((acc, y) => g.add(acc, y.v), x.v) });
        break;
      case 'Flatten': {
        const f = x.image ? (x.v.shape[1] as number) * x.image.h * x.image.w : (x.v.shape[1] as number);
        set({ v: g.reshape(x.v, [N, f]) });
        break;
      }
      case 'GlobalAveragePooling2D': {
        if (!x.image) throw new UnsupportedModelError(`GlobalAveragePooling2D '${layer.name}' on a flat input`);
        const c = x.v.shape[1] as number;
        set({ v: g.reduceMean(g.reshape(x.v, [N, x.image.h * x.image.w, c]), [1]) });
        break;
      }
      case 'Dense': {
        if (x.image) throw new UnsupportedModelError(`Dense '${layer.name}' on an image (flatten first)`);
        const b = w('bias');
        const y = g.gemm(x.v, weightOf(w('kernel')!), b ? weightOf(b) : undefined);
        set({ v: activation(y, (cfg['activation'] as string | undefined) ?? 'linear', layer.name) });
        break;
      }
      case 'Concatenate': {
        const axis = cfg['axis'] as number;
        if (axis !== -1 && axis !== (out.shape.length as number) - 1) throw new UnsupportedModelError(`Concatenate '${layer.name}' on axis ${axis} (only the last axis)`);
        if (ins.some((y) => (y.image === undefined) !== (x.image === undefined))) throw new UnsupportedModelError(`Concatenate '${layer.name}' mixes images and flat values`);
        set({ ...x, v: g.concat(ins.map((y) => y.v), 1) });
        break;
      }
      default:
        throw new UnsupportedModelError(`layer '${layer.name}' of type ${cls}`);
    }
  }

  const outOf = (t: tf.SymbolicTensor): Val => {
    const v = values.get(t.id);
    if (!v || v.image) throw new UnsupportedModelError(`output '${t.sourceLayer.name}' is not a flat [batch, n] value`);
    return v.v;
  };
  const logits = outOf(model.outputs[0]!);
  const value = outOf(model.outputs[1]!);
  const A = logits.shape[1] as number;
  const pi = g.input('pi', [N, A]);
  const z = g.input('z', [N]);
  const logp = g.logSoftmax(logits);
  const dz = g.sub(z, g.reshape(value, [N]));
  const valueLoss = g.reduceMean(g.mul(dz, dz));
  const policyLoss = g.neg(g.reduceMean(g.reduceSum(g.mul(pi, logp), [1])));
  const entropy = g.neg(g.reduceMean(g.reduceSum(g.mul(g.exp(logp), logp), [1])));
  let sq: Val | null = null;
  trainable.forEach((lv, i) => {
    if (!/kernel/.test(lv.name)) return;
    const p = paramVals[i]!;
    const s = g.reduceSum(g.mul(p, p));
    sq = sq ? g.add(sq, s) : s;
  });
  const l2Loss = g.mul(sq ?? g.constant(0), l2);
  const loss = g.add(g.add(valueLoss, policyLoss), l2Loss);
  grad(g, loss, paramVals).forEach((d, i) => g.output(`g${i}`, d));
  g.output('loss', loss);
  g.output('value_loss', valueLoss);
  g.output('policy_loss', policyLoss);
  g.output('l2_loss', l2Loss);
  g.output('policy_entropy', entropy);
  return { graph: g, params, batchNorm, outputs: { loss: 'loss', valueLoss: 'value_loss', policyLoss: 'policy_loss', l2Loss: 'l2_loss', policyEntropy: 'policy_entropy' } };
}
