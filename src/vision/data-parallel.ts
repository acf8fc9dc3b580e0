/**
 * Data-parallel and model-parallel training across worker_threads, on the classifier of
 * data-parallel-model.ts (one-shape 32x32 shapes images):
 *
 *   trainSync          synchronous data parallelism: every step the batch is cut into W shards, each
 *                      worker returns the gradient on its shard for the same weights, the main thread
 *                      averages them (weighted by shard size: exactly the full-batch gradient) and
 *                      takes one SGD step; all replicas see the same weights every step
 *   trainAsync         asynchronous data parallelism with a parameter server (Downpour-style): each
 *                      worker pulls the current weights, computes a gradient on its own batch and
 *                      pushes it; the server applies it at once, whatever changed meanwhile; the
 *                      staleness (server updates between pull and push) is recorded
 *   trainModelParallel model parallelism: the conv layers live in worker 0, the head in worker 1;
 *                      activations go forward, their gradient comes back, each worker updates its
 *                      own layers
 *
 * Weights, gradients and activations cross threads as Float32Arrays. Every run is seeded.
 */
import { Worker } from 'node:worker_threads';
import { tf } from '../nets/backend.ts';
import { Rng } from '../util/rng.ts';
import { UserError } from '../util/errors.ts';
import { tsWorkerSource } from '../util/ts-worker.ts';
import { buildDpModel, DP_SIZE, readWeights, Sgd, splitWeights, writeWeights, type Part } from './data-parallel-model.ts';
import type { DpReply, DpRequest, DpWorkerInit } from './data-parallel-worker.ts';

const PER = DP_SIZE * DP_SIZE * 3;

export interface DpData {
  x: Float32Array;
  y: Int32Array;
}

export interface DpOptions {
  /** Worker threads (model parallelism always uses 2). */
  workers: number;
  /** SGD steps for sync and model parallel; gradient pushes in all, for async. */
  steps: number;
  /** Examples per step (per push for async). Sync needs it divisible by `workers`. */
  batch: number;
  lr?: number;
  momentum?: number;
  seed?: number;
  backend?: string;
  onStep?: (step: number, loss: number) => void;
}

export interface DpResult {
  weights: Float32Array[];
  losses: number[];
  seconds: number;
  samples: number;
  /** Async only: server updates between a worker's pull and its push. */
  staleness?: { mean: number; max: number };
}

/** Worker threads speaking the DpRequest / DpReply protocol, one request at a time each. */
class DpPool {
  private constructor(private readonly workers: Worker[], private readonly exited: Promise<void>[]) {}

  static async start(parts: Part[], init: Omit<DpWorkerInit, 'part'>): Promise<DpPool> {
    const code = tsWorkerSource(new URL('./data-parallel-worker.ts', import.meta.url));
    const workers = parts.map((part) => new Worker(code, { eval: true, workerData: { ...init, part } satisfies DpWorkerInit }));
    const exited = workers.map((w) => new Promise<void>((r) => w.once('exit', () => r())));
    const pool = new DpPool(workers, exited);
    try {
      await Promise.all(workers.map((w) => pool.next(w, 'ready')));
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  private next<T extends DpReply['type']>(w: Worker, type: T): Promise<Extract<DpReply, { type: T }>> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: DpReply): void => {
        w.off('exit', onExit);
        w.off('message', onMessage);
        if (m.type === 'error') reject(new Error(`data-parallel worker: ${m.message}`));
        else if (m.type !== type) reject(new Error(`data-parallel worker answered '${m.type}', expected '${type}'`));
        else resolve(m as Extract<DpReply, { type: T }>);
      };
      const onExit = (): void => {
        w.off('message', onMessage);
        reject(new Error('data-parallel worker exited'));
      };
      w.on('message', onMessage);
      w.once('exit', onExit);
    });
  }

  call<T extends DpReply['type']>(i: number, req: DpRequest, expect: T, transfer: ArrayBuffer[] = []): Promise<Extract<DpReply, { type: T }>> {
    const w = this.workers[i]!;
    const reply = this.next(w, expect);
    w.postMessage(req, transfer);
    return reply;
  }

  async close(): Promise<void> {
    for (const w of this.workers) w.postMessage({ type: 'close' } satisfies DpRequest);
    const timer = setTimeout(() => this.workers.forEach((w) => void w.terminate()), 5000);
    await Promise.all(this.exited);
    clearTimeout(timer);
  }
}

function check(o: DpOptions, what: string): void {
  if (!Number.isInteger(o.workers) || o.workers < 1) throw new UserError(`${what}: workers must be an integer >= 1, got ${o.workers}`);
  if (!Number.isInteger(o.steps) || o.steps < 1) throw new UserError(`${what}: steps must be an integer >= 1, got ${o.steps}`);
  if (!Number.isInteger(o.batch) || o.batch < 1) throw new UserError(`${what}: batch must be an integer >= 1, got ${o.batch}`);
}

function checkData(d: DpData, what: string): void {
  if (d.y.length === 0 || d.x.length !== d.y.length * PER) throw new UserError(`${what}: data holds ${d.x.length} floats for ${d.y.length} labels; expected ${PER} floats (a ${DP_SIZE}x${DP_SIZE}x3 image) per label`);
}

/** Examples `idx` of the data, as one image block and labels. */
function gather(d: DpData, idx: readonly number[]): DpData {
  const x = new Float32Array(idx.length * PER);
  const y = new Int32Array(idx.length);
  idx.forEach((k, i) => {
    x.set(d.x.subarray(k * PER, (k + 1) * PER), i * PER);
    y[i] = d.y[k]!;
  });
  return { x, y };
}

/** Batches drawn with replacement from a seeded stream: the same sequence in every mode. */
function batches(d: DpData, batch: number, seed: number): () => number[] {
  const rng = new Rng(`dp-batches:${seed}`);
  return () => Array.from({ length: batch }, () => rng.int(d.y.length));
}

/** The initial weights every mode starts from (the seed's). */
export function initialWeights(seed: number): Float32Array[] {
  const m = buildDpModel(seed);
  const w = readWeights(m);
  m.dispose();
  return w;
}

/** One synchronous SGD step's gradient computed in this thread on the whole batch (the reference the workers must match). */
export function referenceSync(data: DpData, o: Omit<DpOptions, 'workers'>): Float32Array[] {
  const seed = o.seed ?? 1;
  const m = buildDpModel(seed);
  const weights = readWeights(m);
  const sgd = new Sgd(weights, o.lr ?? 0.05, o.momentum ?? 0.9);
  const next = batches(data, o.batch, seed);
  for (let s = 0; s < o.steps; s++) {
    const b = gather(data, next());
    writeWeights(m, weights);
    const grads = tf.tidy(() => {
      const x = tf.tensor4d(b.x, [b.y.length, DP_SIZE, DP_SIZE, 3]);
      const y = tf.oneHot(tf.tensor1d(b.y, 'int32'), 3).toFloat();
      const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
      const r = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, m.apply(x) as tf.Tensor) as tf.Scalar, vars);
      return vars.map((v) => Float32Array.from(r.grads[v.name]!.dataSync() as Float32Array));
    });
    sgd.apply(weights, grads);
  }
  m.dispose();
  return weights;
}

export async function trainSync(data: DpData, o: DpOptions): Promise<DpResult> {
  check(o, 'sync data parallel');
  checkData(data, 'sync data parallel');
  if (o.batch % o.workers !== 0) throw new UserError(`sync data parallel: batch ${o.batch} does not split evenly over ${o.workers} workers`);
  const seed = o.seed ?? 1;
  const pool = await DpPool.start(Array.from({ length: o.workers }, () => 'whole' as const), { seed, backend: o.backend, lr: o.lr ?? 0.05, momentum: o.momentum ?? 0.9 });
  try {
    const weights = initialWeights(seed);
    const sgd = new Sgd(weights, o.lr ?? 0.05, o.momentum ?? 0.9);
    const next = batches(data, o.batch, seed);
    const losses: number[] = [];
    const per = o.batch / o.workers;
    const t0 = performance.now();
    for (let s = 0; s < o.steps; s++) {
      const idx = next();
      const replies = await Promise.all(
        Array.from({ length: o.workers }, (_, k) => {
          const shard = gather(data, idx.slice(k * per, (k + 1) * per));
          return pool.call(k, { type: 'grads', weights, x: shard.x, y: shard.y }, 'grads', [shard.x.buffer as ArrayBuffer, shard.y.buffer as ArrayBuffer]);
        }),
      );
      // Equal shards: the full-batch mean gradient is the mean of the shard means.
      const sum = replies[0]!.grads.map((g) => new Float32Array(g.length));
      for (const r of replies) r.grads.forEach((g, k) => { const t = sum[k]!; for (let i = 0; i < t.length; i++) t[i] = t[i]! + g[i]!; });
      sgd.apply(weights, sum, 1 / o.workers);
      const loss = replies.reduce((a, r) => a + r.loss, 0) / o.workers;
      losses.push(loss);
      o.onStep?.(s + 1, loss);
    }
    return { weights, losses, seconds: (performance.now() - t0) / 1000, samples: o.steps * o.batch };
  } finally {
    await pool.close();
  }
}

export async function trainAsync(data: DpData, o: DpOptions): Promise<DpResult> {
  check(o, 'async data parallel');
  checkData(data, 'async data parallel');
  const seed = o.seed ?? 1;
  const pool = await DpPool.start(Array.from({ length: o.workers }, () => 'whole' as const), { seed, backend: o.backend, lr: o.lr ?? 0.05, momentum: o.momentum ?? 0.9 });
  try {
    const weights = initialWeights(seed);
    const sgd = new Sgd(weights, o.lr ?? 0.05, o.momentum ?? 0.9);
    const next = batches(data, o.batch, seed);
    const losses: number[] = [];
    const stale: number[] = [];
    let version = 0;
    let issued = 0;
    const t0 = performance.now();
    const loop = async (k: number): Promise<void> => {
      while (issued < o.steps) {
        issued++;
        const b = gather(data, next());
        const pulled = version;
        const r = await pool.call(k, { type: 'grads', weights: weights.map((w) => w.slice()), x: b.x, y: b.y }, 'grads', [b.x.buffer as ArrayBuffer, b.y.buffer as ArrayBuffer]);
        stale.push(version - pulled);
        sgd.apply(weights, r.grads);
        version++;
        losses.push(r.loss);
        o.onStep?.(version, r.loss);
      }
    };
    await Promise.all(Array.from({ length: o.workers }, (_, k) => loop(k)));
    return {
      weights, losses, seconds: (performance.now() - t0) / 1000, samples: o.steps * o.batch,
      staleness: { mean: stale.reduce((a, b) => a + b, 0) / stale.length, max: Math.max(...stale) },
    };
  } finally {
    await pool.close();
  }
}

export async function trainModelParallel(data: DpData, o: Omit<DpOptions, 'workers'>): Promise<DpResult> {
  check({ ...o, workers: 2 }, 'model parallel');
  checkData(data, 'model parallel');
  const seed = o.seed ?? 1;
  const pool = await DpPool.start(['features', 'head'], { seed, backend: o.backend, lr: o.lr ?? 0.05, momentum: o.momentum ?? 0.9 });
  try {
    const next = batches(data, o.batch, seed);
    const losses: number[] = [];
    const t0 = performance.now();
    for (let s = 0; s < o.steps; s++) {
      const b = gather(data, next());
      const { a } = await pool.call(0, { type: 'forward', x: b.x }, 'forward', [b.x.buffer as ArrayBuffer]);
      const h = await pool.call(1, { type: 'head', a, y: b.y }, 'head', [a.buffer as ArrayBuffer]);
      await pool.call(0, { type: 'backward', da: h.da }, 'backward', [h.da.buffer as ArrayBuffer]);
      losses.push(h.loss);
      o.onStep?.(s + 1, h.loss);
    }
    const seconds = (performance.now() - t0) / 1000;
    const [f, hd] = await Promise.all([pool.call(0, { type: 'weights' }, 'weights'), pool.call(1, { type: 'weights' }, 'weights')]);
    return { weights: [...f.weights, ...hd.weights], losses, seconds, samples: o.steps * o.batch };
  } finally {
    await pool.close();
  }
}

/** Accuracy and mean cross-entropy of the classifier with `weights` on `data`, in this thread. */
export function dpEvaluate(weights: Float32Array[], data: DpData): { accuracy: number; loss: number } {
  checkData(data, 'evaluate');
  const m = buildDpModel(0);
  writeWeights(m, weights);
  let ok = 0;
  let loss = 0;
  for (let i = 0; i < data.y.length; i += 250) {
    const n = Math.min(250, data.y.length - i);
    const [p, l] = tf.tidy(() => {
      const logits = m.predict(tf.tensor4d(data.x.subarray(i * PER, (i + n) * PER), [n, DP_SIZE, DP_SIZE, 3])) as tf.Tensor;
      const y = tf.oneHot(tf.tensor1d(data.y.subarray(i, i + n), 'int32'), 3).toFloat();
      return [logits.argMax(-1).dataSync(), (tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar).dataSync()[0]!] as const;
    });
    for (let k = 0; k < n; k++) if (p[k] === data.y[i + k]) ok++;
    loss += l * n;
  }
  m.dispose();
  return { accuracy: ok / data.y.length, loss: loss / data.y.length };
}

export { splitWeights };
