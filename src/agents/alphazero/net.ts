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
import { buildResNet, type ResNetConfig } from '../../nets/resnet.ts';
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
  /** resnet: the policy head (src/nets/resnet.ts); absent in nets saved before it existed: 'dense'. */
  policyHead?: PolicyHead;
}

export type PolicyHead = 'dense' | 'conv';

export function netSpecFor(game: Game, arch: ArchName, blocks: number, filters: number, policyHead: PolicyHead = 'dense'): NetSpec {
  const spec: NetSpec = { arch, blocks, filters, inputShape: [...game.observationShape] as [number, number, number], numActions: game.numActions };
  if (arch === 'resnet') spec.policyHead = policyHead;
  return spec;
}

/** A net in words for messages ('resnet 4x48 conv-head', 'mlp 3x64'): a NetSpec, or an AZConfig's net settings. */
export function describeSpec(s: Pick<NetSpec, 'arch' | 'blocks' | 'filters' | 'policyHead'>): string {
  return `${s.arch} ${s.blocks}x${s.filters}${s.arch === 'resnet' ? ` ${s.policyHead ?? 'dense'}-head` : ''}`;
}

/** Build a fresh model; the same spec and seed give the same initial weights. */
export function buildNet(spec: NetSpec, seed: number): tf.LayersModel {
  if (spec.arch === 'resnet') {
    const config: ResNetConfig = {
      blocks: spec.blocks, filters: spec.filters, inputShape: spec.inputShape, numActions: spec.numActions, seed,
      valueHidden: Math.min(256, Math.max(32, spec.filters * 2)), policyHead: spec.policyHead ?? 'dense',
    };
    try {
      return buildResNet(config);
    } catch (e) {
      // buildResNet's config check says what is wrong (e.g. a conv head for a game whose actions are not points)
      if (e instanceof RangeError) throw new UserError(`net: ${e.message}`);
      throw e;
    }
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

const BLOB_FORMAT = 'tengen-net-1';

/** A weight blob as bytes: [u32 LE header length][header JSON {format, shapes}][pad to 4][float32 LE weights]. */
export function encodeWeightBlob(blob: WeightBlob): Buffer {
  const header = Buffer.from(JSON.stringify({ format: BLOB_FORMAT, shapes: blob.shapes }), 'utf8');
  const pad = (4 - ((4 + header.length) % 4)) % 4;
  const out = Buffer.alloc(4 + header.length + pad + blob.data.length * 4, 0x20);
  out.writeUInt32LE(header.length, 0);
  header.copy(out, 4);
  Buffer.from(blob.data.buffer, blob.data.byteOffset, blob.data.byteLength).copy(out, 4 + header.length + pad);
  return out;
}

/** Read encodeWeightBlob's bytes, checking their layout; `fail(reason)` makes the error thrown. */
export function decodeWeightBlob(bytes: Uint8Array, fail: (reason: string) => Error): WeightBlob {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 4) throw fail('truncated');
  const hlen = b.readUInt32LE(0);
  if (4 + hlen > b.length) throw fail('header runs past the end');
  let h: { format?: unknown; shapes?: unknown };
  try {
    h = JSON.parse(b.toString('utf8', 4, 4 + hlen)) as typeof h;
  } catch (e) {
    throw fail(`not valid JSON (${(e as Error).message})`);
  }
  if (h.format !== BLOB_FORMAT) throw fail(`format ${JSON.stringify(h.format)}, expected '${BLOB_FORMAT}'`);
  const shapes = h.shapes;
  if (!Array.isArray(shapes) || !shapes.every((s) => Array.isArray(s) && s.every((d) => Number.isInteger(d) && d >= 0))) throw fail('shapes must be arrays of sizes');
  const total = (shapes as number[][]).reduce((n, s) => n + s.reduce((a, c) => a * c, 1), 0);
  const pad = (4 - ((4 + hlen) % 4)) % 4;
  const start = 4 + hlen + pad;
  if (b.length - start !== total * 4) throw fail(`holds ${(b.length - start) / 4} floats, its shapes need ${total}`);
  const data = new Float32Array(total);
  new Uint8Array(data.buffer).set(b.subarray(start));
  return { shapes: shapes as number[][], data };
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
