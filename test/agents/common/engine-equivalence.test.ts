/**
 * The onnxruntime engine computes what the tfjs engine (the original implementation) computes:
 * same forward passes, same loss, same updated weights after training steps, on fixed inputs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/nets/backend.ts';
import { Box, Discrete } from '../../../src/env/spaces.ts';
import { ActorCritic, type LossSpec, type OptimizerSpec, type TrainBatch } from '../../../src/agents/common/actor-critic.ts';
import { initMlpWeights } from '../../../src/agents/common/mlp.ts';
import { TfQNet } from '../../../src/agents/dqn/q-net.ts';
import { OrtQNet } from '../../../src/agents/dqn/q-net-ort.ts';
import { nativeRuntime } from '../../../src/nets/train/ort.ts';
import { Rng } from '../../../src/util/rng.ts';

beforeAll(async () => void (await initBackend({ backend: 'cpu', quiet: true })));

/** Both lists of arrays agree within `tol` relative to the largest magnitude (float32 rounding of different summation orders). */
function expectAllClose(a: Float32Array[], b: Float32Array[], tol = 1e-4): void {
  expect(a.map((x) => x.length)).toEqual(b.map((x) => x.length));
  a.forEach((x, i) => {
    const y = b[i]!;
    let scale = 0;
    for (const v of y) scale = Math.max(scale, Math.abs(v));
    for (let j = 0; j < x.length; j++) expect(Math.abs(x[j]! - y[j]!)).toBeLessThanOrEqual(tol * Math.max(1, scale));
  });
}

function maxChange(before: Float32Array[], after: Float32Array[]): number {
  let m = 0;
  before.forEach((x, i) => x.forEach((v, j) => (m = Math.max(m, Math.abs(v - after[i]![j]!)))));
  return m;
}

describe.skipIf(!nativeRuntime())('training engines: onnxruntime equals tfjs', () => {
  const cases: { name: string; continuous: boolean; loss: LossSpec; opt: OptimizerSpec }[] = [
    { name: 'PPO, categorical, Adam, value clipping', continuous: false, loss: { kind: 'ppo', clip: 0.2, clipVf: 0.5, entCoef: 0.1, vfCoef: 0.5 }, opt: { kind: 'adam', eps: 1e-5 } },
    { name: 'PPO, Gaussian, Adam', continuous: true, loss: { kind: 'ppo', clip: 0.1, clipVf: 0, entCoef: 0, vfCoef: 0.5 }, opt: { kind: 'adam', eps: 1e-5 } },
    { name: 'A2C, categorical, RMSprop', continuous: false, loss: { kind: 'pg', entCoef: 0.01, vfCoef: 0.25 }, opt: { kind: 'rmsprop', alpha: 0.99, eps: 1e-5 } },
    { name: 'REINFORCE, Gaussian, Adam', continuous: true, loss: { kind: 'pg', entCoef: 0.05, vfCoef: 0.5 }, opt: { kind: 'adam' } },
  ];
  for (const c of cases) {
    it(`actor-critic step: ${c.name}`, () => {
      const D = 5;
      const A = c.continuous ? 2 : 3;
      const obs = new Box(-1, 1, [D]);
      const act = c.continuous ? new Box(-2, 2, [A]) : new Discrete(A);
      const make = (engine: 'onnxruntime' | 'tfjs') => new ActorCritic(obs, act, [16, 16], 'tanh', new Rng('ac-init'), -0.3, 'test', engine, c.opt);
      const ort = make('onnxruntime');
      const tfj = make('tfjs');
      const before = tfj.readAll();
      expectAllClose(ort.readAll(), before, 0); // same seeded initial weights
      const rng = new Rng(11);
      const n = 40;
      const x = Float32Array.from({ length: n * D }, () => rng.normal());
      // Forward passes agree.
      const fo = ort.net.forward(x, n, true);
      const ft = tfj.net.forward(x, n, true);
      expectAllClose([fo.out, fo.values], [ft.out, ft.values]);
      const actions = c.continuous ? Float32Array.from({ length: n * A }, () => rng.normal()) : Float32Array.from({ length: n }, () => rng.int(A));
      const batch: TrainBatch = {
        n,
        x,
        actions,
        advantages: Float32Array.from({ length: n }, () => rng.normal()),
        returns: Float32Array.from({ length: n }, () => rng.normal()),
        oldLogProbs: Float32Array.from({ length: n }, () => -1 + 0.3 * rng.normal()),
        oldValues: Float32Array.from({ length: n }, () => rng.normal()),
      };
      for (let step = 0; step < 3; step++) {
        const so = ort.train(batch, c.loss, 3e-3, 0.5);
        const st = tfj.train(batch, c.loss, 3e-3, 0.5);
        const keys: (keyof typeof so)[] = ['policyLoss', 'valueLoss', 'entropyLoss', ...(c.loss.kind === 'ppo' ? (['approxKl', 'clipFraction'] as const) : [])];
        for (const k of keys) expect(so[k]).toBeCloseTo(st[k], 4);
      }
      expect(maxChange(before, tfj.readAll())).toBeGreaterThan(1e-3);
      expectAllClose(ort.readAll(), tfj.readAll());
      expectAllClose(ort.net.getOptimizerState().slots, tfj.net.getOptimizerState().slots, 1e-3);
      ort.dispose();
      tfj.dispose();
    });
  }

  for (const doubleQ of [false, true]) {
    it(`DQN step (Huber TD loss, Adam, clipping${doubleQ ? ', Double DQN' : ''}) and target updates`, () => {
      const sizes = [4, 32, 32, 3];
      const init = initMlpWeights(sizes, new Rng('q'), 'torch');
      const target = initMlpWeights(sizes, new Rng('t'), 'torch');
      const config = { sizes, gamma: 0.99, doubleQ, maxGradNorm: 1 };
      const ort = new OrtQNet(config, init, target);
      const tfj = new TfQNet(config, init, target);
      const rng = new Rng(5);
      const B = 32;
      const batch = {
        obs: Float32Array.from({ length: B * 4 }, () => rng.normal()),
        nextObs: Float32Array.from({ length: B * 4 }, () => rng.normal()),
        actions: Int32Array.from({ length: B }, () => rng.int(3)),
        rewards: Float32Array.from({ length: B }, () => rng.normal() * 2),
        dones: Float32Array.from({ length: B }, () => (rng.next() < 0.2 ? 1 : 0)),
      };
      for (let step = 0; step < 3; step++) expect(ort.train(batch, 1e-2)).toBeCloseTo(tfj.train(batch, 1e-2), 4);
      expect(maxChange(init, tfj.readOnline())).toBeGreaterThan(1e-3);
      expectAllClose(ort.readOnline(), tfj.readOnline());
      expectAllClose(Array.of(ort.qValues(batch.obs, B)), Array.of(tfj.qValues(batch.obs, B)));
      for (const tau of [0.1, 1]) {
        ort.updateTarget(tau);
        tfj.updateTarget(tau);
        expectAllClose(ort.readTarget(), tfj.readTarget(), 1e-5);
      }
      ort.dispose();
      tfj.dispose();
    });
  }
});
