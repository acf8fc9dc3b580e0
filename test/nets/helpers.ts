/** Shared helpers for the nets tests. */
import { tf } from '../../src/nets/backend.ts';
import { Rng } from '../../src/util/rng.ts';

/** Give every batch-norm layer non-trivial gamma, beta and moving statistics (seeded). */
export function randomizeBatchNorm(model: tf.LayersModel, seed: number): void {
  const rng = new Rng(seed);
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const C = layer.getWeights()[0]!.shape[0]!;
    const vec = (f: () => number): tf.Tensor => tf.tensor1d(Array.from({ length: C }, f));
    const ws = [vec(() => 0.5 + rng.nextDouble()), vec(() => rng.normal()), vec(() => rng.normal()), vec(() => 0.3 + 2 * rng.nextDouble())];
    layer.setWeights(ws);
    tf.dispose(ws);
  }
}

/** Seeded standard-normal floats. */
export function randomFloats(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}
