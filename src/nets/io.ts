/**
 * Save and load models as a directory holding model.json + weights.bin, the layout that
 * tfjs-node's file:// handler writes (and tf.loadLayersModel('file://...') reads): model.json has
 * modelTopology, format 'layers-model', generatedBy, convertedBy and a weightsManifest whose one
 * group lists paths ['weights.bin'] and the weight specs; weights.bin is the weights' raw bytes in
 * manifest order. Pure tfjs (a custom IOHandler), so it works on every backend.
 *
 * Custom nets that are not tf.LayersModels save a plain name -> tensor map the same way
 * (format 'tengen-weights', modelTopology null). Extra JSON (metadata, optimizer settings, RNG
 * state, ...) goes alongside as <name>.json.
 *
 * Atomicity. A model is two files that must match, so writing them one after the other (even
 * each atomically) can leave new weights beside an old model.json when a run is killed between
 * the two. Instead the whole directory is written under a temporary name next to it (each file
 * fsync'ed), then swapped in with renames: `dir` -> `.dir.old-<id>`, temp -> `dir`, then the old
 * copy is removed. A kill before the first rename leaves the old directory untouched; a kill
 * between the two renames leaves the old model under `.dir.old-<id>`, which loadModel /
 * loadWeights fall back to (and the next save cleans up); after the second rename the new model
 * is complete. So at every moment the previous or the new model is loadable.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { ensureBackend, tf } from './backend.ts';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs.ts';
import { UserError } from '../util/errors.ts';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
const WEIGHTS_MAP_FORMAT = 'tengen-weights';
const GENERATED_BY = `TensorFlow.js tfjs-layers v${tf.version_layers} (tengen)`;

export interface SaveOptions {
  /** Extra JSON documents written beside the model as <key>.json (key: letters, digits, _ and -). */
  extra?: Record<string, unknown>;
  /** Also save the optimizer's weights (tfjs-layers' includeOptimizer). */
  includeOptimizer?: boolean;
  /** Stored in model.json's userDefinedMetadata. */
  metadata?: Record<string, unknown>;
}

const EXTRA_NAME = /^[A-Za-z0-9_-]+$/;

function checkExtraName(name: string): void {
  if (!EXTRA_NAME.test(name) || name === 'model') {
    throw new UserError(`extra document name '${name}' is not allowed; expected letters, digits, '_' or '-' (and not 'model')`);
  }
}

/** Bytes a weight spec needs in weights.bin, or null when it cannot be known (strings). */
function specBytes(spec: tf.io.WeightsManifestEntry): number | null {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  switch (dtype) {
    case 'float32':
    case 'int32':
      return size * 4;
    case 'bool':
    case 'uint8':
      return size;
    case 'uint16':
    case 'float16':
      return size * 2;
    default:
      return null;
  }
}

// ----------------------------------------------------------------------------------------------
// Writing

function siblings(dir: string, kind: 'tmp' | 'old'): string[] {
  const parent = dirname(dir);
  const prefix = `.${basename(dir)}.${kind}-`;
  if (!existsSync(parent)) return [];
  return readdirSync(parent)
    .filter((n) => n.startsWith(prefix))
    .map((n) => join(parent, n));
}

/** Write the files of one model into a fresh temp dir, then swap it in (see the header). */
function writeDirAtomic(dir: string, files: Record<string, string | Uint8Array>): void {
  const target = resolve(dir);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  if (existsSync(target) && !statSync(target).isDirectory()) {
    throw new UserError(`cannot save a model to ${target}: it exists and is not a directory`);
  }
  // Leftovers of a killed save: old temp dirs are incomplete; an old copy is only needed while
  // the target is missing.
  for (const t of siblings(target, 'tmp')) rmSync(t, { recursive: true, force: true });
  if (existsSync(target)) for (const o of siblings(target, 'old')) rmSync(o, { recursive: true, force: true });

  const id = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const tmp = join(parent, `.${basename(target)}.tmp-${id}`);
  mkdirSync(tmp);
  try {
    // model.json last, so even a temp dir is never a model.json without its weights.
    const names = Object.keys(files).sort((a, b) => (a === MODEL_FILE ? 1 : b === MODEL_FILE ? -1 : a.localeCompare(b)));
    for (const name of names) writeFileAtomic(join(tmp, name), files[name]!);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  if (existsSync(target)) {
    const old = join(parent, `.${basename(target)}.old-${id}`);
    renameSync(target, old);
    renameSync(tmp, target);
    rmSync(old, { recursive: true, force: true });
  } else {
    for (const o of siblings(target, 'old')) rmSync(o, { recursive: true, force: true });
    renameSync(tmp, target);
  }
}

function extraFiles(extra: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(extra ?? {})) {
    checkExtraName(name);
    out[`${name}.json`] = JSON.stringify(value, null, 2) + '\n';
  }
  return out;
}

function weightsBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  return new Uint8Array(tf.io.CompositeArrayBuffer.join(data));
}

/** Save a tf.LayersModel to `dir` (model.json + weights.bin [+ extra .json files]), atomically. */
export async function saveModel(model: tf.LayersModel, dir: string, opts: SaveOptions = {}): Promise<void> {
  await ensureBackend();
  const extras = extraFiles(opts.extra);
  const handler = tf.io.withSaveHandler(async (artifacts: tf.io.ModelArtifacts) => {
    const modelJson: Record<string, unknown> = {
      modelTopology: artifacts.modelTopology,
      format: artifacts.format ?? 'layers-model',
      generatedBy: artifacts.generatedBy ?? GENERATED_BY,
      convertedBy: artifacts.convertedBy ?? null,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
    };
    if (artifacts.trainingConfig != null) modelJson['trainingConfig'] = artifacts.trainingConfig;
    const meta = { ...(artifacts.userDefinedMetadata ?? {}), ...(opts.metadata ?? {}) };
    if (Object.keys(meta).length > 0) modelJson['userDefinedMetadata'] = meta;
    writeDirAtomic(dir, { ...extras, [WEIGHTS_FILE]: weightsBytes(artifacts.weightData), [MODEL_FILE]: JSON.stringify(modelJson) });
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  });
  await model.save(handler, { includeOptimizer: opts.includeOptimizer ?? false });
}

/** IEEE 754 half-precision bits of a float32 (round to nearest even; overflow to infinity). */
function toFloat16Bits(f32: Float32Array): Uint16Array {
  const bits = new Uint32Array(f32.buffer, f32.byteOffset, f32.length);
  const out = new Uint16Array(f32.length);
  for (let i = 0; i < bits.length; i++) {
    const x = bits[i]!;
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    const mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant !== 0 ? 0x200 : 0); // inf or NaN
      continue;
    }
    const e = exp - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
    } else if (e <= 0) {
      if (e < -10) {
        out[i] = sign; // below half's smallest subnormal
        continue;
      }
      const m = mant | 0x800000;
      const shift = 14 - e;
      let h = m >>> shift;
      const rem = m & ((1 << shift) - 1);
      const half = 1 << (shift - 1);
      if (rem > half || (rem === half && (h & 1) === 1)) h++;
      out[i] = sign | h;
    } else {
      let h = (e << 10) | (mant >>> 13);
      const rem = mant & 0x1fff;
      if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h++; // may carry into the exponent, which is right
      out[i] = sign | h;
    }
  }
  return out;
}

/** Weights as float16 bytes with tfjs' quantization specs (float32 tensors only; others stay as they are). */
async function encodeFloat16(weights: Record<string, tf.Tensor>): Promise<{ data: Uint8Array; specs: tf.io.WeightsManifestEntry[] }> {
  const parts: Uint8Array[] = [];
  const specs: tf.io.WeightsManifestEntry[] = [];
  for (const [name, t] of Object.entries(weights)) {
    if (t.dtype === 'float32') {
      const half = toFloat16Bits((await t.data()) as Float32Array);
      parts.push(new Uint8Array(half.buffer));
      specs.push({ name, shape: t.shape, dtype: 'float32', quantization: { dtype: 'float16' } });
    } else {
      const enc = await tf.io.encodeWeights({ [name]: t });
      parts.push(new Uint8Array(enc.data));
      specs.push(...enc.specs);
    }
  }
  const data = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    data.set(p, off);
    off += p.byteLength;
  }
  return { data, specs };
}

/**
 * Save a plain name -> tensor map (a custom net's weights) in the same layout, atomically.
 * precision 'float16' stores float32 tensors as half floats (tfjs' float16 weight quantization).
 */
export async function saveWeights(weights: Record<string, tf.Tensor>, dir: string, opts: Omit<SaveOptions, 'includeOptimizer'> & { precision?: 'float32' | 'float16' } = {}): Promise<void> {
  await ensureBackend();
  const extras = extraFiles(opts.extra);
  const { data, specs } = opts.precision === 'float16' ? await encodeFloat16(weights) : await tf.io.encodeWeights(weights);
  const modelJson: Record<string, unknown> = {
    modelTopology: null,
    format: WEIGHTS_MAP_FORMAT,
    generatedBy: GENERATED_BY,
    convertedBy: null,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs }],
  };
  if (opts.metadata) modelJson['userDefinedMetadata'] = opts.metadata;
  writeDirAtomic(dir, { ...extras, [WEIGHTS_FILE]: new Uint8Array(data), [MODEL_FILE]: JSON.stringify(modelJson) });
}

/** Write (or replace) one extra JSON document beside a saved model, atomically. */
export function writeExtra(dir: string, name: string, value: unknown): void {
  checkExtraName(name);
  writeJsonAtomic(join(resolveModelDir(dir), `${name}.json`), value);
}

// ----------------------------------------------------------------------------------------------
// Reading

/** The directory to read: `dir`, or the old copy a save killed mid-swap left beside it. */
function resolveModelDir(dir: string): string {
  const target = resolve(dir);
  if (existsSync(target)) return target;
  const old = siblings(target, 'old').filter((o) => existsSync(join(o, MODEL_FILE)));
  if (old.length > 0) return old.sort().at(-1)!;
  throw new UserError(`model directory ${target} does not exist`);
}

interface ModelJsonFile {
  modelTopology: unknown;
  format?: string;
  weightsManifest: tf.io.WeightsManifestConfig;
  [k: string]: unknown;
}

function readModelJson(dir: string): ModelJsonFile {
  const path = join(dir, MODEL_FILE);
  if (!existsSync(path)) throw new UserError(`${path} is missing; expected a model saved by tengen or tfjs-node (model.json + weights.bin)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`${path} is not valid JSON (${e instanceof Error ? e.message : String(e)}); expected a tfjs model.json`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UserError(`${path} is not a JSON object; expected a tfjs model.json with modelTopology and weightsManifest`);
  }
  const obj = parsed as Record<string, unknown>;
  const manifest = obj['weightsManifest'];
  const okManifest =
    Array.isArray(manifest) &&
    manifest.every(
      (g) => typeof g === 'object' && g !== null && Array.isArray((g as Record<string, unknown>)['paths']) && Array.isArray((g as Record<string, unknown>)['weights']),
    );
  if (!okManifest) throw new UserError(`${path} has no valid weightsManifest; expected a list of {paths, weights} groups`);
  // The weight files are the model directory's own: a path that leaves it (../../etc/passwd, /dev/zero) is refused.
  for (const g of manifest as { paths: unknown[] }[]) {
    for (const p of g.paths) {
      if (typeof p !== 'string' || p === '' || isAbsolute(p) || p.split(/[\\/]/).some((part) => part === '..' || part === '')) {
        throw new UserError(`${path}: weightsManifest path ${JSON.stringify(p)} is not a file name inside ${dir}; expected a relative name such as '${WEIGHTS_FILE}'`);
      }
    }
  }
  if (!('modelTopology' in obj)) throw new UserError(`${path} has no modelTopology field`);
  return obj as unknown as ModelJsonFile;
}

/**
 * Refuse float32 weights that are NaN or infinite (a net that was broken in training, or a
 * tampered file): they load without complaint and only show up, far away, as a search or a
 * policy that returns NaN. Names the file and the weight.
 */
function checkFinite(group: tf.io.WeightsManifestConfig[number], parts: readonly Uint8Array[], dir: string): void {
  const bytes = parts.length === 1 ? parts[0]! : concatBytes(parts);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  for (const w of group.weights) {
    const n = w.shape.reduce((a: number, b: number) => a * b, 1);
    if (w.dtype === 'float32' && w.quantization === undefined) {
      for (let i = 0; i < n && off + 4 * i + 4 <= bytes.byteLength; i++) {
        if (!Number.isFinite(view.getFloat32(off + 4 * i, true))) {
          const file = group.paths.length === 1 ? join(dir, group.paths[0]!) : `the weight files of ${dir}`;
          throw new UserError(`${file}: weight '${w.name}' holds a non-finite value (NaN or infinity); this net cannot be used (retrain it, or load an earlier checkpoint)`);
        }
      }
    }
    const b = specBytes(w);
    if (b === null) return;
    off += b;
  }
}

/** Read the weight files a manifest names, checking each exists and the total size. */
function readWeightData(dir: string, manifest: tf.io.WeightsManifestConfig): [tf.io.WeightsManifestEntry[], ArrayBuffer] {
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const group of manifest) {
    let needed: number | null = 0;
    for (const s of group.weights) {
      specs.push(s);
      const b = specBytes(s);
      needed = needed === null || b === null ? null : needed + b;
    }
    let have = 0;
    const groupParts: Uint8Array[] = [];
    for (const p of group.paths) {
      const path = join(dir, p);
      if (!existsSync(path)) {
        throw new UserError(`${path} is missing; ${MODEL_FILE}'s manifest needs it${needed !== null ? ` (${needed} bytes of weights in all)` : ''}`);
      }
      const st = statSync(path);
      if (!st.isFile()) throw new UserError(`${path} is not a regular file; ${MODEL_FILE}'s manifest needs a weights file there`);
      if (needed !== null && st.size > needed) throw new UserError(`${path} has ${st.size} bytes, the manifest needs ${needed}`);
      const buf = readFileSync(path);
      groupParts.push(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
      have += buf.byteLength;
    }
    if (needed !== null && have !== needed) {
      const what = group.paths.length === 1 ? join(dir, group.paths[0]!) : `the files ${group.paths.join(', ')} in ${dir}`;
      throw new UserError(`${what} has ${have} bytes, the manifest needs ${needed}${have < needed ? ' (truncated?)' : ''}`);
    }
    parts.push(...groupParts);
    checkFinite(group, groupParts, dir);
  }
  return [specs, concatBytes(parts).buffer as ArrayBuffer];
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}

/** An IOHandler that reads a model directory (for tf.loadLayersModel / tf.loadGraphModel). */
export function dirLoadHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const d = resolveModelDir(dir);
      const json = readModelJson(d);
      return tf.io.getModelArtifactsForJSON(json as unknown as tf.io.ModelJSON, async (manifest) => readWeightData(d, manifest));
    },
  };
}

/** Load a tf.LayersModel saved by saveModel (or by tfjs-node's file:// handler). */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  await ensureBackend();
  const d = resolveModelDir(dir);
  const json = readModelJson(d);
  if (json.format === WEIGHTS_MAP_FORMAT || json.modelTopology === null) {
    throw new UserError(`${join(d, MODEL_FILE)} holds a plain weights map, not a layers model; load it with loadWeights`);
  }
  return tf.loadLayersModel(dirLoadHandler(d));
}

/** Load a name -> tensor map saved by saveWeights (or the weights of any saved model). */
export function loadWeights(dir: string): Record<string, tf.Tensor> {
  const d = resolveModelDir(dir);
  const json = readModelJson(d);
  const [specs, data] = readWeightData(d, json.weightsManifest);
  return tf.io.decodeWeights(data, specs);
}

/** Read an extra JSON document saved beside a model; undefined when there is none. */
export function readExtra(dir: string, name: string): unknown {
  checkExtraName(name);
  const path = join(resolveModelDir(dir), `${name}.json`);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`${path} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** The metadata stored in model.json's userDefinedMetadata (empty object when none). */
export function readMetadata(dir: string): Record<string, unknown> {
  const json = readModelJson(resolveModelDir(dir));
  const m = json['userDefinedMetadata'];
  return typeof m === 'object' && m !== null ? (m as Record<string, unknown>) : {};
}
