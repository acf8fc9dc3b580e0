/**
 * The one on-disk format of tengen's models. Every model is a directory written by ./io.ts
 * (model.json + weights.bin, swapped in atomically), the layout tfjs-node's file:// handler writes;
 * model.json's userDefinedMetadata.tengen says what it holds:
 *
 *   { "kind": "transformer", "formatVersion": 1, "config": { ...the constructor's options } }
 *
 * Models built as tf.LayersModels (MobileNet, DenseNet, the detector, U-Net) keep their Keras
 * topology in model.json, so tf.loadLayersModel reads them too: their builders tag the model with the
 * header (tagLayersModel), and saveModel / loadModel of ./io.ts carry it through. Models written in raw
 * tf ops (recurrent cells, Seq2Seq, Transformer, WaveNet) and word2vec store a name -> tensor map
 * (format 'tengen-weights', modelTopology null) with stable weight names (`enc0/self/wq`, ...), so a
 * file does not depend on how many models the saving process had built. Anything else a model
 * needs (vocabularies) goes beside model.json as <name>.json.
 *
 * Saving with precision 'float16' stores the weights as IEEE half floats (tfjs' own weight
 * quantisation, which every tfjs loader expands back to float32): half the bytes, for shipped files.
 */
import { tf, ensureBackend } from './backend.ts';
import { loadModel, loadWeights, readExtra, readMetadata, saveWeights } from './io.ts';
import { UserError } from '../util/errors.ts';

export const SAVED_FORMAT_VERSION = 1;

export interface SavedHeader {
  /** What the directory holds: 'transformer', 'seq2seq', 'lstm', 'mobilenet', ... */
  kind: string;
  formatVersion: number;
  /** The options the model was built with (enough to build it again). */
  config: Record<string, unknown>;
}

export interface SaveNamedOptions {
  /** Extra JSON documents written beside model.json as <name>.json. */
  extra?: Record<string, unknown>;
  /** 'float32' (default, exact) or 'float16' (half the bytes; about 3 significant digits). */
  precision?: 'float32' | 'float16';
}

function header(kind: string, config: object): { tengen: SavedHeader } {
  return { tengen: { kind, formatVersion: SAVED_FORMAT_VERSION, config: { ...config } } };
}

/** The header of a saved model directory (throws naming the directory if it is not a tengen model of `kind`). */
export function readHeader(dir: string, kind?: string | readonly string[]): SavedHeader {
  const meta = readMetadata(dir)['tengen'] as Partial<SavedHeader> | undefined;
  if (meta === undefined || typeof meta !== 'object' || typeof meta.kind !== 'string' || typeof meta.config !== 'object' || meta.config === null) {
    throw new UserError(`${dir} is not a model saved by tengen's save() (model.json has no userDefinedMetadata.tengen {kind, config})`);
  }
  if (meta.formatVersion !== SAVED_FORMAT_VERSION) {
    throw new UserError(`${dir} was saved in tengen model format ${meta.formatVersion}; this version reads format ${SAVED_FORMAT_VERSION}`);
  }
  const kinds = kind === undefined ? undefined : typeof kind === 'string' ? [kind] : kind;
  if (kinds !== undefined && !kinds.includes(meta.kind)) throw new UserError(`${dir} holds a ${meta.kind} model, expected ${kinds.join(' or ')}`);
  return meta as SavedHeader;
}

/** Save named weights (a raw-op model) with its header. */
export async function saveNamedWeights(dir: string, kind: string, config: object, weights: Record<string, tf.Tensor>, opts: SaveNamedOptions = {}): Promise<void> {
  await saveWeights(weights, dir, { metadata: header(kind, config), extra: opts.extra, precision: opts.precision });
}

/**
 * Read a raw-op model saved by saveNamedWeights: its header, its weights (name -> tensor; the
 * caller assigns and disposes them, see assignNamed) and its extra documents. Starts the tensor
 * backend if nothing has yet.
 */
export async function loadNamedWeights(dir: string, kind: string): Promise<{ config: Record<string, unknown>; weights: Record<string, tf.Tensor>; extra: (name: string) => unknown }> {
  await ensureBackend();
  const { config } = readHeader(dir, kind);
  return { config, weights: loadWeights(dir), extra: (name) => readExtra(dir, name) };
}

/** Copy loaded tensors into a model's variables by name (every name and shape must match), disposing the loaded ones. */
export function assignNamed(variables: Record<string, tf.Variable>, loaded: Record<string, tf.Tensor>, what: string): void {
  try {
    const missing = Object.keys(variables).filter((n) => !(n in loaded));
    const unknown = Object.keys(loaded).filter((n) => !(n in variables));
    if (missing.length > 0 || unknown.length > 0) {
      const parts = [missing.length > 0 ? `missing ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` (+${missing.length - 3})` : ''}` : '', unknown.length > 0 ? `unexpected ${unknown.slice(0, 3).join(', ')}` : ''];
      throw new UserError(`${what}: the saved weights do not match the model (${parts.filter(Boolean).join('; ')})`);
    }
    for (const [name, v] of Object.entries(variables)) {
      const t = loaded[name]!;
      if (!tf.util.arraysEqual(v.shape, t.shape)) throw new UserError(`${what}: weight ${name} has shape [${t.shape}] in the file, the model needs [${v.shape}]`);
      v.assign(t.dtype === v.dtype ? t : t.cast(v.dtype));
    }
  } finally {
    tf.dispose(Object.values(loaded));
  }
}

/**
 * Build a model and copy saved weights into it (assignNamed). On any failure the loaded tensors
 * and the half-built model are disposed before the error goes on, so a bad file leaks nothing.
 */
export function restore<M extends { dispose(): void }>(weights: Record<string, tf.Tensor>, what: string, build: () => M, variablesOf: (model: M) => Record<string, tf.Variable>): M {
  let model: M;
  try {
    model = build();
  } catch (e) {
    tf.dispose(Object.values(weights));
    throw e;
  }
  try {
    assignNamed(variablesOf(model), weights, what);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/**
 * Mark a tf.LayersModel built by one of tengen's builders with its header, so saveModel (./io.ts)
 * writes it into model.json and loadModel's model carries it back (getUserDefinedMetadata).
 */
export function tagLayersModel<M extends tf.LayersModel>(model: M, kind: string, config: object): M {
  model.setUserDefinedMetadata({ ...(model.getUserDefinedMetadata() ?? {}), ...header(kind, JSON.parse(JSON.stringify(config)) as object) });
  return model;
}

/** Load a tf.LayersModel saved by saveModel, checking its kind; starts the tensor backend if needed. */
export async function loadLayers(dir: string, kind?: string | readonly string[]): Promise<{ model: tf.LayersModel; kind: string; config: Record<string, unknown> }> {
  await ensureBackend();
  const h = readHeader(dir, kind);
  return { model: await loadModel(dir), kind: h.kind, config: h.config };
}

/** Names of `prefix/name` variables without the per-process prefix, as a name -> variable map. */
export function stripPrefix(variables: readonly tf.Variable[]): Record<string, tf.Variable> {
  const out: Record<string, tf.Variable> = {};
  for (const v of variables) {
    const name = v.name.slice(v.name.indexOf('/') + 1);
    if (name in out) throw new Error(`two variables named ${name}`);
    out[name] = v;
  }
  return out;
}
