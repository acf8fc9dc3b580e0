import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../src/nets/backend.ts';
import { FlatOptimizer, type FlatOptimizerKind } from '../../../src/nets/train/optimizer.ts';
import { ParamLayout } from '../../../src/nets/train/layers.ts';
import { Optimizer } from '../../../src/agents/common/optim.ts';
import { Rng } from '../../../src/util/rng.ts';

beforeAll(async () => void (await initBackend({ backend: 'cpu', quiet: true })));

const shapes = [[7, 5], [5], [5, 3], [3]];
const layout = new ParamLayout(shapes);
const rng = new Rng(3);
const init = Float32Array.from({ length: layout.size }, () => rng.normal());
/** Five steps of gradients, large enough that clipping to norm 1 kicks in on some. */
const gradSteps = Array.from({ length: 5 }, (_, t) => Float32Array.from({ length: layout.size }, () => rng.normal() * (t % 2 ? 0.05 : 1)));

/** The tfjs optimizer the flat one replaces, run on the same parameters and gradients. */
function reference(kind: FlatOptimizerKind, lr: number, clip: number | undefined): Float32Array {
  const vars = layout.views(init.slice()).map((v, i) => tf.variable(tf.tensor(v, shapes[i]!)));
  if (kind === 'adam' || kind === 'rmsprop') {
    const opt = new Optimizer(vars, kind, kind === 'rmsprop' ? { alpha: 0.99, eps: 1e-5 } : {});
    for (const g of gradSteps) tf.tidy(() => void opt.step(layout.views(g).map((v, i) => tf.tensor(v, shapes[i]!)), lr, clip));
    opt.dispose();
  } else {
    // tf.train's optimizers have no clipping: compare without.
    const opt = kind === 'momentum' ? tf.train.momentum(lr, 0.9) : tf.train.adam(lr);
    for (const g of gradSteps) tf.tidy(() => opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(layout.views(g)[i]!, shapes[i]!) }))));
    opt.dispose();
  }
  const out = new Float32Array(layout.size);
  vars.forEach((v, i) => out.set(v.dataSync() as Float32Array, layout.offsets[i]));
  vars.forEach((v) => v.dispose());
  return out;
}

function run(kind: FlatOptimizerKind, lr: number, clip: number | undefined, noWasm: boolean): FlatOptimizer {
  const opt = new FlatOptimizer(layout.size, kind, kind === 'rmsprop' ? { beta2: 0.99, eps: 1e-5, noWasm } : { noWasm });
  opt.params.set(init);
  for (const g of gradSteps) {
    opt.grads.set(g);
    opt.step(lr, clip);
  }
  return opt;
}

describe('FlatOptimizer: one fused pass over a flat buffer', () => {
  const cases: [FlatOptimizerKind, number | undefined][] = [['adam', 1], ['rmsprop', 1], ['adam', undefined], ['momentum', undefined], ['adam-tf', undefined]];
  for (const [kind, clip] of cases) {
    it(`${kind}${clip ? ' with global-norm clipping' : ''}: the SIMD kernel and the JS loop match the tfjs optimizer`, () => {
      const want = reference(kind, 0.01, clip);
      const simd = run(kind, 0.01, clip, false);
      const js = run(kind, 0.01, clip, true);
      expect(simd.simd).toBe(true);
      expect(js.simd).toBe(false);
      let moved = 0;
      for (let i = 0; i < layout.size; i++) {
        moved = Math.max(moved, Math.abs(want[i]! - init[i]!));
        expect(simd.params[i]!).toBeCloseTo(want[i]!, 5);
        expect(js.params[i]!).toBeCloseTo(want[i]!, 5);
      }
      expect(moved).toBeGreaterThan(1e-3); // the comparison is not between unchanged weights
    });
  }

  it('returns the gradient norm before clipping and keeps its state per tensor for checkpoints', () => {
    const opt = new FlatOptimizer(layout.size, 'adam');
    opt.grads.set(gradSteps[0]!);
    let sq = 0;
    for (const g of gradSteps[0]!) sq += g * g;
    expect(opt.step(0.01, 0.5)).toBeCloseTo(Math.sqrt(sq), 4);
    const st = opt.getState(layout);
    expect(st.slots.map((s) => s.length)).toEqual([...layout.sizes, ...layout.sizes]);
    const again = new FlatOptimizer(layout.size, 'adam');
    again.setState(layout, st);
    expect(again.t).toBe(1);
    expect(Array.from(again.m)).toEqual(Array.from(opt.m));
    expect(() => again.setState(layout, { t: 1, slots: st.slots.slice(1) })).toThrow(/8 slots|expected 8/);
  });
});
