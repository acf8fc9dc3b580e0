/**
 * Data-parallel training across worker threads: synchronous steps equal single-thread SGD on the
 * whole batch, the parameter server trains with stale gradients, model parallelism equals the
 * unsplit net's step, and bad settings are refused.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/nets/backend.ts';
import { dpDataset } from '../../src/vision/data-parallel-model.ts';
import { dpEvaluate, initialWeights, referenceSync, trainAsync, trainModelParallel, trainSync } from '../../src/vision/data-parallel.ts';
import { UserError } from '../../src/util/errors.ts';

const data = dpDataset(3, 64);
const maxDiff = (a: Float32Array[], b: Float32Array[]): number => {
  let d = 0;
  a.forEach((w, k) => w.forEach((v, i) => (d = Math.max(d, Math.abs(v - b[k]![i]!)))));
  return d;
};

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

describe('data-parallel training', () => {
  it('synchronous: 2 workers on half-batches end where one thread on the whole batch does, and the weights moved', async () => {
    const o = { steps: 2, batch: 16, lr: 0.05, seed: 5, backend: 'wasm' };
    const ref = referenceSync(data, o);
    const r = await trainSync(data, { ...o, workers: 2 });
    expect(r.losses).toHaveLength(2);
    expect(maxDiff(r.weights, ref)).toBeLessThan(1e-4);
    expect(maxDiff(r.weights, initialWeights(5))).toBeGreaterThan(1e-3);
  }, 60_000);

  it('asynchronous: the parameter server applies every push, records staleness, and the loss falls', async () => {
    // Eight examples, drawn again and again: enough to see the loss fall within a few dozen stale pushes.
    const small = dpDataset(4, 8);
    const r = await trainAsync(small, { workers: 2, steps: 100, batch: 16, lr: 0.02, seed: 2, backend: 'wasm' });
    expect(r.losses).toHaveLength(100);
    expect(r.staleness!.mean).toBeGreaterThanOrEqual(0);
    expect(r.staleness!.max).toBeGreaterThanOrEqual(1); // two workers in flight: some pushes are late
    // The pushed losses are noisy (each is one stale batch); the set's loss at the end is not.
    expect(dpEvaluate(r.weights, small).loss).toBeLessThan(0.8 * dpEvaluate(initialWeights(2), small).loss);
  }, 60_000);

  it('model parallel: conv layers in one worker, head in the other, is the same SGD as the unsplit net', async () => {
    const o = { steps: 3, batch: 16, lr: 0.05, seed: 7, backend: 'wasm' };
    const ref = referenceSync(data, o);
    const r = await trainModelParallel(data, o);
    expect(r.losses).toHaveLength(3);
    expect(maxDiff(r.weights, ref)).toBeLessThan(1e-4);
  }, 60_000);

  it('refuses bad settings and data with a clear error', async () => {
    await expect(trainSync(data, { workers: 0, steps: 1, batch: 4 })).rejects.toThrow(UserError);
    await expect(trainSync(data, { workers: 0, steps: 1, batch: 4 })).rejects.toThrow(/workers must be an integer >= 1, got 0/);
    await expect(trainSync(data, { workers: 3, steps: 1, batch: 16 })).rejects.toThrow(/batch 16 does not split evenly over 3 workers/);
    await expect(trainAsync({ x: new Float32Array(10), y: new Int32Array(1) }, { workers: 1, steps: 1, batch: 1 })).rejects.toThrow(/expected 3072 floats/);
    await expect(trainModelParallel(data, { steps: 0, batch: 4 })).rejects.toThrow(/steps must be an integer >= 1/);
  });
});
