/**
 * The AlphaZero Trainer's onnxruntime engine takes the same steps as its tfjs engine (the original
 * implementation): same losses, same updated weights and batch-norm statistics, and optimizer
 * state that moves between the two.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/nets/backend.ts';
import { Trainer, type TrainerOptions } from '../../../src/agents/alphazero/trainer.ts';
import { buildNet, getWeightBlob, setWeightBlob, type NetSpec } from '../../../src/agents/alphazero/net.ts';
import { nativeRuntime } from '../../../src/nets/train/ort.ts';
import { Rng } from '../../../src/util/rng.ts';

beforeAll(async () => void (await initBackend({ backend: 'cpu', quiet: true })));

function batch(spec: NetSpec, n: number, seed: number): { obs: Float32Array; pi: Float32Array; z: Float32Array; n: number } {
  const rng = new Rng(seed);
  const per = spec.inputShape.reduce((a, b) => a * b, 1);
  const obs = Float32Array.from({ length: n * per }, () => (rng.next() < 0.4 ? 1 : 0));
  const pi = new Float32Array(n * spec.numActions);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let a = 0; a < spec.numActions; a++) s += pi[i * spec.numActions + a] = rng.next();
    for (let a = 0; a < spec.numActions; a++) pi[i * spec.numActions + a]! /= s;
  }
  return { obs, pi, z: Float32Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : -1)), n };
}

function expectWeightsClose(a: Float32Array, b: Float32Array, tol: number): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  expect(worst).toBeLessThan(tol);
}

describe.skipIf(!nativeRuntime())('AlphaZero Trainer: onnxruntime engine equals tfjs engine', () => {
  const nets: [string, NetSpec][] = [
    ['resnet, conv policy head with a pass logit (Go-like)', { arch: 'resnet', blocks: 3, filters: 8, inputShape: [5, 5, 4], numActions: 26, policyHead: 'conv' }],
    ['resnet, dense policy head (Connect Four-like)', { arch: 'resnet', blocks: 2, filters: 8, inputShape: [4, 5, 3], numActions: 5, policyHead: 'dense' }],
    ['mlp', { arch: 'mlp', blocks: 2, filters: 16, inputShape: [3, 3, 3], numActions: 9 }],
  ];
  const optimizers: TrainerOptions[] = [
    { optimizer: 'sgd', lrSchedule: [{ step: 0, lr: 0.05 }], momentum: 0.9, l2: 1e-3 },
    { optimizer: 'adam', lrSchedule: [{ step: 0, lr: 3e-3 }], momentum: 0.9, l2: 1e-4 },
  ];
  for (const [what, spec] of nets) {
    for (const opts of optimizers) {
      it(`${what}, ${opts.optimizer}: losses, weights, batch-norm statistics and optimizer state`, async () => {
        const ort = new Trainer(buildNet(spec, 3), { ...opts, engine: 'onnxruntime' });
        const tfj = new Trainer(buildNet(spec, 3), { ...opts, engine: 'tfjs' });
        expect(ort.engine).toBe('onnxruntime');
        const start = getWeightBlob(tfj.model).data;
        for (let step = 0; step < 3; step++) {
          const b = batch(spec, 12, step);
          const so = ort.trainStep(b);
          const st = tfj.trainStep(b);
          for (const k of ['loss', 'valueLoss', 'policyLoss', 'l2Loss', 'policyEntropy'] as const) expect(so[k]).toBeCloseTo(st[k], 4);
        }
        const after = getWeightBlob(tfj.model).data;
        let moved = 0;
        for (let i = 0; i < after.length; i++) moved = Math.max(moved, Math.abs(after[i]! - start[i]!));
        expect(moved).toBeGreaterThan(1e-3);
        // model.getWeights() includes the batch-norm moving means and variances.
        expectWeightsClose(getWeightBlob(ort.model).data, after, 1e-4);
        const so = await ort.getState();
        const st = await tfj.getState();
        // Names as tf.train's optimizers give them (variable names; a second model's carry a _1 suffix).
        const unsuffixed = (n: string): string => n.replace(/_\d+(?=\/)/g, '');
        expect(so.map((s) => [unsuffixed(s.name), s.shape])).toEqual(st.map((s) => [unsuffixed(s.name), s.shape]));
        so.forEach((s, i) => expectWeightsClose(s.data, st[i]!.data, 1e-3));
        // Optimizer state saved by one engine continues on the other.
        const resumed = new Trainer(buildNet(spec, 9), { ...opts, engine: 'tfjs' });
        setWeightBlob(resumed.model, getWeightBlob(ort.model));
        await resumed.setState(so, ort.step);
        const b = batch(spec, 12, 99);
        expect(resumed.trainStep(b).loss).toBeCloseTo(ort.trainStep(b).loss, 4);
        expectWeightsClose(getWeightBlob(resumed.model).data, getWeightBlob(ort.model).data, 1e-4);
        for (const t of [ort, tfj, resumed]) t.dispose();
      });
    }
  }

  it('reads the weights again when something else wrote to the model (a warm start)', () => {
    const spec = nets[0]![1];
    const opts = optimizers[0]!;
    const ort = new Trainer(buildNet(spec, 3), { ...opts, engine: 'onnxruntime' });
    const tfj = new Trainer(buildNet(spec, 3), { ...opts, engine: 'tfjs' });
    const other = getWeightBlob(buildNet(spec, 5));
    setWeightBlob(ort.model, other);
    setWeightBlob(tfj.model, other);
    const b = batch(spec, 12, 1);
    expect(ort.trainStep(b).loss).toBeCloseTo(tfj.trainStep(b).loss, 4);
    expectWeightsClose(getWeightBlob(ort.model).data, getWeightBlob(tfj.model).data, 1e-4);
    ort.dispose();
    tfj.dispose();
  });
});
