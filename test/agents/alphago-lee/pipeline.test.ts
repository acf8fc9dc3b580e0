import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { initBackend, tf } from '../../../src/nets/backend.ts';
import { buildLeePolicyNet, buildLeeValueNet, LEE_POLICY_PLANES } from '../../../src/nets/lee-nets.ts';
import { saveModel } from '../../../src/nets/io.ts';
import { UserError } from '../../../src/util/errors.ts';
import { Rng } from '../../../src/util/rng.ts';
import { GtpEngine } from '../../../src/env/games/go/gtp.ts';
import { existsSync } from 'node:fs';
import {
  ApvMcts, ApvNode, FastNet, RolloutPolicy, genValueData, loadCheckedModel, mixLeafValue, reinforceAdvantages, reinforceStep,
  readValueData, slStep, trainRl, trainRolloutStage, trainSl, trainValue, valueStep,
} from '../../../src/agents/alphago-lee/index.ts';
import { LeePlayer } from '../../../src/players/lee.ts';
import { register } from '../../../src/commands/lee.ts';
import { register as registerGtp } from '../../../src/commands/gtp.ts';
import { position, tmp, writeToyGames } from './helpers.ts';

beforeAll(async () => {
  await initBackend({ quiet: true });
});

const tiny = { board: 9, filters: 4, layers: 3, seed: 1 };

describe('mixing and virtual loss', () => {
  it('V = (1 - lambda) v + lambda z', () => {
    expect(mixLeafValue(0.4, -1, 0.5)).toBeCloseTo(-0.3);
    expect(mixLeafValue(0.4, -1, 0)).toBeCloseTo(0.4);
    expect(mixLeafValue(0.4, -1, 1)).toBeCloseTo(-1);
    expect(mixLeafValue(0.2, 1, 0.25)).toBeCloseTo(0.4);
  });

  it('Q mixes the two statistics; pending simulations count as lost visits', () => {
    const n = new ApvNode(null, 0, 0.5);
    n.nv = 2;
    n.wv = 1; // value mean 0.5
    n.nr = 4;
    n.wr = -2; // rollout mean -0.5
    expect(n.q(0.5, 3)).toBeCloseTo(0);
    expect(n.q(0, 3)).toBeCloseTo(0.5);
    expect(n.q(1, 3)).toBeCloseTo(-0.5);
    n.pending = 1;
    expect(n.q(0, 3)).toBeCloseTo((1 - 3) / (2 + 3));
    expect(n.q(1, 3)).toBeCloseTo((-2 - 3) / (4 + 3));
  });

  it('virtual loss steers selection away from a child with a pending simulation', async () => {
    const policy = await FastNet.create(buildLeePolicyNet({ ...tiny, planes: LEE_POLICY_PLANES }));
    const m = new ApvMcts({ policy, value: null, rollout: new RolloutPolicy() }, { lambda: 1, virtualLoss: 3 });
    const root = new ApvNode(null, -1, 1);
    const a = new ApvNode(root, 0, 0.5);
    const b = new ApvNode(root, 1, 0.5);
    root.children = [a, b];
    a.n = a.nr = 1;
    a.wr = 0.5;
    b.n = b.nr = 1;
    b.wr = 0.4;
    expect(m.select(root)).toBe(a);
    a.pending = 1;
    expect(m.select(root)).toBe(b);
    a.pending = 0;
    expect(m.select(root)).toBe(a);
    await policy.dispose();
  });
});

describe('training steps', () => {
  it('a few SL steps lower the loss on a batch, and hold numTensors flat', () => {
    const model = buildLeePolicyNet({ ...tiny, planes: LEE_POLICY_PLANES });
    const opt = tf.train.adam(0.01);
    const rng = new Rng(2);
    const n = 16;
    const x = Float32Array.from({ length: n * 81 * 48 }, () => (rng.nextDouble() < 0.3 ? 1 : 0));
    const y = Int32Array.from({ length: n }, () => rng.int(81));
    const first = slStep(model, opt, x, y, n);
    const tensors = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 15; i++) last = slStep(model, opt, x, y, n);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(last).toBeLessThan(first - 0.2);
    opt.dispose();
    model.dispose();
  });

  it('REINFORCE raises the probability of a winning move and lowers that of a losing one', () => {
    const x = new Float32Array(81 * 48);
    for (let i = 0; i < 81; i++) x[i * 48 + (i % 3)] = 1;
    for (let i = 0; i < 40; i++) x[i * 48 + 46] = 1; // points 0..39 sensible
    for (const z of [1, -1]) {
      const model = buildLeePolicyNet({ ...tiny, planes: LEE_POLICY_PLANES });
      const opt = tf.train.sgd(0.05);
      const prob = (): number => tf.tidy(() => (model.predict(tf.tensor4d(x, [1, 9, 9, 48])) as tf.Tensor).dataSync()[10]!);
      const p0 = prob();
      const tensors = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) reinforceStep(model, opt, x, Int32Array.from([10]), Float32Array.from([z]), 1, 1);
      expect(tf.memory().numTensors).toBe(tensors);
      if (z > 0) expect(prob()).toBeGreaterThan(p0 * 1.2);
      else expect(prob()).toBeLessThan(p0 / 1.2);
      opt.dispose();
      model.dispose();
    }
  });

  it('REINFORCE differentiates the policy restricted to sensible moves, as the games sample it', () => {
    // Only point 10 is sensible: the sampled policy plays it with probability 1 whatever the net
    // says, so its log-probability is 0 and a step changes nothing.
    const x = new Float32Array(81 * 48);
    for (let i = 0; i < 81; i++) x[i * 48 + (i % 3)] = 1;
    x[10 * 48 + 46] = 1;
    const model = buildLeePolicyNet({ ...tiny, planes: LEE_POLICY_PLANES });
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    const opt = tf.train.sgd(0.05);
    const loss = reinforceStep(model, opt, x, Int32Array.from([10]), Float32Array.from([1]), 1, 1);
    expect(Math.abs(loss)).toBeLessThan(1e-5);
    model.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(before[i]));
    opt.dispose();
    model.dispose();
  });

  it('REINFORCE advantages sum to zero over positions, whatever the game lengths', () => {
    // Game 0 won in 2 learner moves, game 1 lost in 6: a per-game mean (0) would leave -4 in all.
    const adv = reinforceAdvantages([1, -1], [0, 0, 1, 1, 1, 1, 1, 1]);
    expect(adv.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 6);
    expect(adv[0]).toBeCloseTo(1.5, 6);
    expect(adv[2]).toBeCloseTo(-0.5, 6);
  });

  it('value MSE steps lower the loss', () => {
    const model = buildLeeValueNet({ ...tiny, planes: 49, valueHidden: 8 });
    const opt = tf.train.adam(0.01);
    const rng = new Rng(3);
    const n = 16;
    const x = Float32Array.from({ length: n * 81 * 49 }, () => (rng.nextDouble() < 0.3 ? 1 : 0));
    const z = Float32Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1));
    const first = valueStep(model, opt, x, z, n);
    let last = first;
    for (let i = 0; i < 30; i++) last = valueStep(model, opt, x, z, n);
    expect(last).toBeLessThan(first);
    opt.dispose();
    model.dispose();
  });
});

describe('a tiny pipeline end to end', () => {
  it('rollout -> SL -> RL -> value -> APV-MCTS through GTP, each stage resumable', async () => {
    const data = writeToyGames(8, 24, 9);
    const run = tmp('run');
    const log = (): void => undefined;
    const ro = trainRolloutStage({ data: [data], dir: join(run, 'rollout'), epochs: 1, log });
    expect(ro.testPositions).toBeGreaterThan(0);
    expect(existsSync(join(run, 'rollout', 'rollout.json'))).toBe(true);

    const sl1 = await trainSl({ data: [data], dir: join(run, 'sl'), filters: 4, layers: 3, steps: 3, batch: 8, saveEvery: 3, log });
    expect(sl1.step).toBe(3);
    const sl2 = await trainSl({ data: [data], dir: join(run, 'sl'), steps: 5, batch: 8, saveEvery: 100, log });
    expect(sl2.step).toBe(5); // resumed at 3
    expect(sl2.history.map((h) => h.step)).toEqual([3, 5]);

    const rl = await trainRl({ sl: join(run, 'sl'), dir: join(run, 'rl'), iterations: 2, gamesPerIter: 4, poolEvery: 1, evalGames: 4, evalEvery: 2, evalEveryGames: 2, optimizer: 'adam', log });
    expect(rl.iteration).toBe(2);
    expect(rl.pool).toHaveLength(2);
    expect(rl.evaluation!.games).toBe(4);
    // The learning curve against SL: measured at iteration 2 only.
    expect(rl.history.map((h) => h.vsSl === undefined)).toEqual([true, false]);
    expect([0, 0.25, 0.5, 0.75, 1]).toContain(rl.history[1]!.vsSl);

    const n = await genValueData({ sl: join(run, 'sl'), rl: join(run, 'rl'), dir: join(run, 'value'), games: 12, chunk: 8, maxU: 10, log });
    expect(n).toBeGreaterThanOrEqual(12);
    const d = readValueData(join(run, 'value'));
    expect(d.n).toBe(n);
    for (const z of d.z) expect([-1, 0, 1]).toContain(z);
    const vs = await trainValue({ dir: join(run, 'value'), filters: 4, layers: 3, steps: 2, batch: 8, log });
    expect(Number.isFinite(vs.testMse)).toBe(true);

    const player = await LeePlayer.load(run, { lambda: 0.5, expandThreshold: 2, batchSize: 4, seed: 1 });
    const engine = new GtpEngine({ size: 9, player, visits: 16 });
    const reply = await engine.handle('genmove b');
    expect(reply).toMatch(/^= [A-HJ][1-9]\n\n$/);
    expect(await engine.handle('boardsize 19')).toMatch(/^=/);
    expect(await engine.handle('genmove w')).toMatch(/^\? .*9x9/);
    const raw = await LeePlayer.load(run, { raw: true });
    expect((await raw.chooseMove(position(['E5']))).action).toBeLessThan(81);
  }, 60_000);

  it('the expansion threshold delays expansion; the search spends its visits', async () => {
    const policy = await FastNet.create(buildLeePolicyNet({ ...tiny, planes: LEE_POLICY_PLANES }));
    const value = await FastNet.create(buildLeeValueNet({ ...tiny, planes: 49, valueHidden: 8 }));
    const m = new ApvMcts({ policy, value, rollout: new RolloutPolicy() }, { lambda: 0.5, expandThreshold: 3, batchSize: 1, seed: 1 });
    const r = await m.search(position(['E5', 'C3']), { visits: 40 });
    expect(r.simulations).toBe(40);
    const root = m.lastRoot!;
    expect(root.n).toBe(40);
    for (const c of root.children!) {
      expect(c.n).toBe(c.nv); // every visit evaluated by the value net and a rollout
      expect(c.n).toBe(c.nr);
      if (c.n < 3) expect(c.children).toBeNull();
      else expect(c.children).not.toBeNull();
    }
    const m1 = new ApvMcts({ policy, value, rollout: null }, { lambda: 0, expandThreshold: 1, batchSize: 8 });
    await m1.search(position([]), { visits: 16 });
    for (const c of m1.lastRoot!.children!) expect(c.nr).toBe(0); // lambda 0: no rollouts
    expect(() => new ApvMcts({ policy, value: null, rollout: null }, { lambda: 0.5 })).toThrow(UserError);
    await policy.dispose();
    await value.dispose();
  });

  it('bad input is a clear UserError', async () => {
    const empty = tmp('empty');
    await expect(LeePlayer.load(join(empty, 'nope'))).rejects.toThrow(/no such directory/);
    await expect(LeePlayer.load(empty)).rejects.toThrow(/no SL policy net/);
    // A value net where a policy net is expected: wrong shape.
    const wrong = join(empty, 'sl');
    mkdirSync(wrong, { recursive: true });
    await saveModel(buildLeeValueNet({ ...tiny, planes: 49, valueHidden: 8 }), wrong);
    await expect(loadCheckedModel(wrong, 48, 81, 'sl')).rejects.toThrow(/expected input \[null, 9, 9, 48\]/);
    await expect(LeePlayer.load(empty, { raw: true })).rejects.toThrow(UserError);
    const program = new Command().exitOverride();
    register(program);
    await expect(program.parseAsync(['node', 'x', 'lee', 'sl', '--dir', empty], { from: 'node' })).rejects.toThrow(/--data DIR is required/);
    await expect(program.parseAsync(['node', 'x', 'lee', 'gen-data', '--games', '0', '--out', empty], { from: 'node' })).rejects.toThrow(/--games must be/);
    const gtp = new Command().exitOverride();
    registerGtp(gtp);
    await expect(gtp.parseAsync(['node', 'x', 'gtp', '--engine', 'alphago'], { from: 'node' })).rejects.toThrow(/--engine must be mc, az or lee, got 'alphago'/);
    await expect(gtp.parseAsync(['node', 'x', 'gtp', '--engine', 'lee'], { from: 'node' })).rejects.toThrow(/--engine lee needs --model/);
    await expect(gtp.parseAsync(['node', 'x', 'gtp', '--engine', 'lee', '--model', empty, '--lambda', '2'], { from: 'node' })).rejects.toThrow(/--lambda must be/);
  });
});
