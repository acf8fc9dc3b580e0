/**
 * The pipeline's policy-value net: which architecture, built how, and its weights as plain bytes
 * (for broadcasting to self-play workers, which rebuild the model themselves). Nets are saved with
 * src/nets/io.ts (model.json + weights.bin), the spec in the model's metadata.
 *
 * 'resnet' is the AlphaGo Zero residual net of src/nets/resnet.ts. 'mlp' is a small fully connected
 * tower with the same two outputs ([policy logits, tanh value]) for tiny boards such as
 * tic-tac-toe, where a conv tower costs far more CPU time than it earns. The L2 term is added by
 * the trainer, so models are built without kernel regularisers.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../../nets/backend.ts';
import { buildResNet } from '../../nets/resnet.ts';
import type { Game } from '../../env/games/game.ts';
import { loadModel, MODEL_FILE, readMetadata, saveModel } from '../../nets/io.ts';
import { policyValueShapes } from '../../nets/policy-value.ts';
import { UserError } from '../../util/errors.ts';

export type ArchName = 'resnet' | 'mlp';

export interface NetSpec {
  arch: ArchName;
  /** resnet: paper-style blocks (stem + blocks-1 residual blocks); mlp: hidden layers. */
  blocks: number;
  /** resnet: filters; mlp: hidden units. */
  filters: number;
  inputShape: [number, number, number];
  numActions: number;
}

export function netSpecFor(game: Game, arch: ArchName, blocks: number, filters: number): NetSpec {
  return { arch, blocks, filters, inputShape: [...game.observationShape] as [number, number, number], numActions: game.numActions };
}

/** Build a fresh model; the same spec and seed give the same initial weights. */
export function buildNet(spec: NetSpec, seed: number): tf.LayersModel {
  if (spec.arch === 'resnet') {
    return buildResNet({ blocks: spec.blocks, filters: spec.filters, inputShape: spec.inputShape, numActions: spec.numActions, seed, valueHidden: Math.min(256, Math.max(32, spec.filters * 2)) });
  }
  if (spec.arch !== 'mlp') throw new Error(`unknown net arch '${String(spec.arch)}'; expected 'resnet' or 'mlp'`);
  let k = 0;
  const init = (): ReturnType<typeof tf.initializers.heNormal> => tf.initializers.heNormal({ seed: seed * 7919 + k++ });
  const input = tf.input({ shape: [...spec.inputShape], name: 'planes' });
  let x = tf.layers.flatten({ name: 'flatten' }).apply(input) as tf.SymbolicTensor;
  for (let i = 0; i < spec.blocks; i++) {
    x = tf.layers.dense({ units: spec.filters, activation: 'relu', kernelInitializer: init(), name: `hidden${i + 1}` }).apply(x) as tf.SymbolicTensor;
  }
  const p = tf.layers.dense({ units: spec.numActions, kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 7919 + k++ }), name: 'policy' }).apply(x) as tf.SymbolicTensor;
  const v = tf.layers.dense({ units: 1, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 7919 + k++ }), name: 'value' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: [p, v], name: `mlp_${spec.blocks}x${spec.filters}` });
}

/** All weights (trainable and BN statistics) of a model, in model order. */
export interface WeightBlob {
  shapes: number[][];
  /** Float32 data of every weight, back to back. */
  data: Float32Array;
}

export function getWeightBlob(model: tf.LayersModel): WeightBlob {
  const ws = model.getWeights();
  const shapes = ws.map((w) => [...w.shape]);
  const total = ws.reduce((s, w) => s + w.size, 0);
  const data = new Float32Array(total);
  let off = 0;
  for (const w of ws) {
    data.set(w.dataSync() as Float32Array, off);
    off += w.size;
  }
  return { shapes, data };
}

export function setWeightBlob(model: tf.LayersModel, blob: WeightBlob): void {
  const current = model.getWeights();
  if (current.length !== blob.shapes.length) throw new Error(`weights do not fit the model: ${blob.shapes.length} tensors for ${current.length}`);
  let off = 0;
  const ts = blob.shapes.map((shape, i) => {
    const want = current[i]!.shape;
    if (shape.length !== want.length || shape.some((d, j) => d !== want[j])) {
      throw new Error(`weights do not fit the model: tensor ${i} has shape [${shape.join(',')}], model wants [${want.join(',')}]`);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(blob.data.subarray(off, off + size), shape);
    off += size;
    return t;
  });
  if (off !== blob.data.length) throw new Error(`weights do not fit the model: ${blob.data.length - off} floats left over`);
  model.setWeights(ts);
  ts.forEach((t) => t.dispose());
}

/** Save a net with src/nets/io.ts (model.json + weights.bin, atomic); the spec goes in its metadata. */
export async function saveNet(dir: string, spec: NetSpec, model: tf.LayersModel, extra: Record<string, unknown> = {}): Promise<void> {
  await saveModel(model, dir, { metadata: { tengenAzNet: spec, ...extra } });
}

export interface LoadedNet {
  spec: NetSpec;
  model: tf.LayersModel;
  meta: Record<string, unknown>;
}

/** Load a net saved by saveNet (or any policy-value model dir from io.ts). Clear errors when it does not fit. */
export async function loadNet(dir: string): Promise<LoadedNet> {
  let model: tf.LayersModel;
  let meta: Record<string, unknown>;
  try {
    model = await loadModel(dir);
    meta = readMetadata(dir);
  } catch (e) {
    throw new UserError(`cannot load a model from ${dir}: ${(e as Error).message.split('\n')[0]}`);
  }
  let shapes;
  try {
    shapes = policyValueShapes(model);
  } catch (e) {
    model.dispose();
    throw new UserError(`${dir} is not a policy-value net: ${(e as Error).message}`);
  }
  const saved = meta['tengenAzNet'] as NetSpec | undefined;
  const spec: NetSpec = saved ?? { arch: 'resnet', blocks: 0, filters: 0, inputShape: shapes.inputShape, numActions: shapes.numActions };
  return { spec, model, meta };
}

/**
 * The net directory a user means by `dir`: a net directory itself (net.json), a run directory
 * (its checkpoint's best net), or a checkpoint directory (its best net). Null when none fits.
 */
export function findNetDir(dir: string): string | null {
  const candidates = [dir, join(dir, 'checkpoint', 'best'), join(dir, 'checkpoint.old', 'best'), join(dir, 'best')];
  for (const d of candidates) if (existsSync(join(d, MODEL_FILE))) return d;
  return null;
}
