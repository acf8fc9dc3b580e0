/**
 * Net plumbing shared by the stages: checkpoints (model + a state.json of the stage's progress,
 * written atomically), shape checks with clear errors, and fast batched inference (onnxruntime on
 * an in-memory ONNX export where it loads; tfjs predict otherwise).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../util/errors.ts';
import { tf } from '../../nets/backend.ts';
import { loadModel, saveModel, readExtra } from '../../nets/io.ts';
import { toOnnxBytes } from '../../nets/onnx-export.ts';
import { loadOnnxRuntime } from '../../nets/onnx-evaluator.ts';
import type { InferenceSession } from 'onnxruntime-node';

export const BOARD = 9;

/** A saved net exists in dir (model.json). */
export function hasModel(dir: string): boolean {
  return existsSync(join(dir, 'model.json'));
}

/** Load a net and check its input planes and output size; a wrong shape is a UserError. */
export async function loadCheckedModel(dir: string, planes: number, outputs: number, what: string): Promise<tf.LayersModel> {
  if (!hasModel(dir)) throw new UserError(`${what}: no net in ${dir} (expected ${join(dir, 'model.json')})`);
  const m = await loadModel(dir);
  const inS = m.inputs[0]!.shape;
  const outS = m.outputs[0]!.shape;
  if (inS.length !== 4 || inS[1] !== BOARD || inS[2] !== BOARD || inS[3] !== planes || outS[outS.length - 1] !== outputs) {
    m.dispose();
    throw new UserError(`${what}: the net in ${dir} has input [${inS.join(', ')}] and output [${outS.join(', ')}]; expected input [null, ${BOARD}, ${BOARD}, ${planes}] and ${outputs} outputs`);
  }
  return m;
}

export async function saveCheckpoint(model: tf.LayersModel, dir: string, state: Record<string, unknown>): Promise<void> {
  await saveModel(model, dir, { extra: { state } });
}

export function readState<T>(dir: string): T | undefined {
  if (!hasModel(dir)) return undefined;
  return readExtra(dir, 'state') as T | undefined;
}

/** Batched forward pass of a one-output net; onnxruntime when usable, else tfjs. */
export class FastNet {
  private session: InferenceSession | null = null;
  private ort: typeof import('onnxruntime-node') | null = null;
  private outName = '';
  readonly planes: number;
  readonly outputs: number;
  kind: 'onnxruntime' | 'tfjs' = 'tfjs';

  private constructor(readonly model: tf.LayersModel, private readonly prefer: 'auto' | 'tfjs') {
    this.planes = model.inputs[0]!.shape[3] as number;
    this.outputs = model.outputs[0]!.shape[model.outputs[0]!.shape.length - 1] as number;
  }

  static async create(model: tf.LayersModel, prefer: 'auto' | 'tfjs' = 'auto'): Promise<FastNet> {
    const f = new FastNet(model, prefer);
    await f.refresh();
    return f;
  }

  /** Rebuild the session from the model's current weights (after training steps). */
  async refresh(): Promise<void> {
    if (this.prefer === 'tfjs') return;
    try {
      this.ort ??= await loadOnnxRuntime();
      const bytes = toOnnxBytes(this.model);
      const s = await this.ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
      const old = this.session;
      this.session = s;
      this.outName = s.outputNames[0]!;
      this.kind = 'onnxruntime';
      if (old) await old.release();
    } catch {
      this.session = null;
      this.kind = 'tfjs';
    }
  }

  /** x: n * 9 * 9 * planes floats; returns n * outputs floats. */
  async run(x: Float32Array, n: number): Promise<Float32Array> {
    if (n === 0) return new Float32Array(0);
    if (this.session && this.ort) {
      const out = await this.session.run({ [this.session.inputNames[0]!]: new this.ort.Tensor('float32', x, [n, BOARD, BOARD, this.planes]) });
      return Float32Array.from(out[this.outName]!.data as Float32Array);
    }
    const t = tf.tidy(() => this.model.predict(tf.tensor4d(x, [n, BOARD, BOARD, this.planes])) as tf.Tensor);
    const d = (await t.data()) as Float32Array;
    t.dispose();
    return d;
  }

  async dispose(): Promise<void> {
    if (this.session) await this.session.release();
    this.session = null;
  }
}

/** Top-1 accuracy of a policy net over byte features (batched, identity symmetry). */
export async function policyAccuracy(net: FastNet, features: Uint8Array, actions: Int32Array, batch = 256): Promise<number> {
  const per = BOARD * BOARD * net.planes;
  const n = actions.length;
  let hits = 0;
  for (let i = 0; i < n; i += batch) {
    const m = Math.min(batch, n - i);
    const x = new Float32Array(m * per);
    for (let j = 0; j < m * per; j++) x[j] = features[i * per + j]!;
    const p = await net.run(x, m);
    for (let j = 0; j < m; j++) {
      let arg = 0;
      for (let a = 1; a < net.outputs; a++) if (p[j * net.outputs + a]! > p[j * net.outputs + arg]!) arg = a;
      if (arg === actions[i + j]) hits++;
    }
  }
  return n ? hits / n : 0;
}
