import { beforeAll, describe, expect, it } from 'vitest';
import { tf, initBackend } from '../../src/nets/backend.ts';
import { buildResNet, buildResNetForGame } from '../../src/nets/resnet.ts';
import { buildLeePolicyNet } from '../../src/nets/lee-nets.ts';
import { NetEvaluator, maskedPolicy } from '../../src/nets/evaluator.ts';
import { listGames, makeGame } from '../../src/env/games/index.ts';
import { Rng } from '../../src/util/rng.ts';
import type { Game, State } from '../../src/env/games/game.ts';
import { randomizeBatchNorm } from './helpers.ts';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
});

function randomPositions(game: Game, count: number, seed: number, maxMoves = 10): State[] {
  const rng = new Rng(seed);
  const out: State[] = [];
  while (out.length < count) {
    const s = game.newInitialState();
    const moves = rng.int(maxMoves + 1);
    for (let i = 0; i < moves && !s.isTerminal(); i++) {
      const legal = s.legalActions();
      s.applyAction(legal[rng.int(legal.length)]!);
    }
    if (!s.isTerminal()) out.push(s);
  }
  return out;
}

describe('residual net shapes', () => {
  it.each(listGames().filter((g) => g !== 'go'))('fits the observation shape and action count of %s', async (name) => {
    const game = makeGame(name);
    const model = buildResNetForGame(game, { blocks: 2, filters: 4, seed: 1 });
    expect(model.inputs[0]!.shape).toEqual([null, ...game.observationShape]);
    expect(model.outputs.map((o) => o.shape)).toEqual([[null, game.numActions], [null, 1]]);
    const ev = new NetEvaluator(game, model);
    const states = randomPositions(game, 3, 2);
    const { policy, value } = await ev.evaluate(states);
    expect(policy.map((p) => p.length)).toEqual([game.numActions, game.numActions, game.numActions]);
    expect(value.length).toBe(3);
    model.dispose();
  });

  it('rejects a net built for another game, and bad configs', () => {
    const model = buildResNet({ blocks: 1, filters: 2, inputShape: [3, 3, 3], numActions: 9 });
    expect(() => new NetEvaluator(makeGame('connect4'), model)).toThrow(/does not fit game 'connect4': net takes 3x3x3 planes and gives 9 actions/);
    expect(() => buildResNet({ blocks: 0, filters: 2, inputShape: [3, 3, 3], numActions: 9 })).toThrow(/blocks must be an integer >= 1, got 0/);
    expect(() => buildResNet({ blocks: 2, filters: 2, inputShape: [3, 3, 0], numActions: 9 })).toThrow(/inputShape\[2\]/);
    model.dispose();
  });

  it('puts the L2 penalty c on every conv and dense kernel when asked, and none by default', () => {
    const withL2 = buildResNet({ blocks: 2, filters: 2, inputShape: [3, 3, 2], numActions: 9, l2: 1e-4 });
    const kernels = withL2.layers.filter((l) => ['Conv2D', 'Dense'].includes(l.getClassName()));
    expect(kernels).toHaveLength(1 + 2 + 2 + 3);
    for (const l of kernels) expect(JSON.stringify(l.getConfig()['kernelRegularizer'])).toMatch(/"l2":0\.0001/);
    const none = buildResNet({ blocks: 2, filters: 2, inputShape: [3, 3, 2], numActions: 9 });
    for (const l of none.layers) expect(l.getConfig()['kernelRegularizer'] ?? null).toBeNull();
    withL2.dispose();
    none.dispose();
  });

  it('gives the same initial weights for the same seed', () => {
    const a = buildResNet({ blocks: 2, filters: 4, inputShape: [3, 3, 2], numActions: 9, seed: 5 });
    const b = buildResNet({ blocks: 2, filters: 4, inputShape: [3, 3, 2], numActions: 9, seed: 5 });
    const c = buildResNet({ blocks: 2, filters: 4, inputShape: [3, 3, 2], numActions: 9, seed: 6 });
    const w = (m: tf.LayersModel) => m.getWeights().map((t) => Array.from(t.dataSync()));
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(c));
    [a, b, c].forEach((m) => m.dispose());
  });
});

describe('NetEvaluator', () => {
  const game = makeGame('connect4');

  it('masks illegal actions, renormalises the softmax, and reads the value for the player to move', async () => {
    const model = buildResNetForGame(game, { blocks: 2, filters: 8, seed: 3 });
    randomizeBatchNorm(model, 4);
    const ev = new NetEvaluator(game, model);
    // fill column 3 (6 moves alternate players, no win) so action 3 is illegal
    const full = game.newInitialState();
    for (let i = 0; i < 6; i++) full.applyAction(3);
    const states = [full, ...randomPositions(game, 6, 5)];
    const { policy, value } = await ev.evaluate(states);
    expect(full.legalMask()[3]).toBe(0);
    for (let i = 0; i < states.length; i++) {
      const mask = states[i]!.legalMask();
      const p = policy[i]!;
      let sum = 0;
      for (let a = 0; a < game.numActions; a++) {
        if (!mask[a]) expect(p[a]).toBe(0);
        else expect(p[a]).toBeGreaterThan(0);
        sum += p[a]!;
      }
      expect(sum).toBeCloseTo(1, 5);
      expect(Math.abs(value[i]!)).toBeLessThanOrEqual(1);
      // same as the net's raw logits on the mover's observation, softmaxed over the legal actions only
      const s = states[i]!;
      const raw = await ev.predictBatch(s.observation(s.currentPlayer() as 0 | 1), 1);
      const legal = s.legalActions();
      const z = legal.reduce((acc, a) => acc + Math.exp(raw.policy[a]!), 0);
      for (const a of legal) expect(p[a]).toBeCloseTo(Math.exp(raw.policy[a]!) / z, 5);
      expect(value[i]).toBeCloseTo(raw.value[0]!, 6);
    }
    model.dispose();
  });

  it('treats a softmax policy output as probabilities (AlphaGo Lee policy net)', async () => {
    const x = tf.input({ shape: [...game.observationShape] });
    const h = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
    const model = tf.model({
      inputs: x,
      outputs: [
        tf.layers.dense({ units: game.numActions, activation: 'softmax' }).apply(h) as tf.SymbolicTensor,
        tf.layers.dense({ units: 1, activation: 'tanh' }).apply(h) as tf.SymbolicTensor,
      ],
    });
    const ev = new NetEvaluator(game, model);
    expect(ev.shapes.policyIsProbabilities).toBe(true);
    const s = randomPositions(game, 1, 8)[0]!;
    const raw = await ev.predictBatch(s.observation(s.currentPlayer() as 0 | 1), 1);
    const { policy } = await ev.evaluate([s]);
    const legal = s.legalActions();
    const z = legal.reduce((acc, a) => acc + raw.policy[a]!, 0);
    for (const a of legal) expect(policy[0]![a]).toBeCloseTo(raw.policy[a]! / z, 5);
    model.dispose();
    const lee = buildLeePolicyNet({ board: 3, planes: 2, filters: 2, layers: 3 });
    expect(lee.outputs[0]!.sourceLayer.getConfig()['activation']).toBe('softmax');
    lee.dispose();
  });

  it('falls back to uniform over legal actions when the net gives them no mass', () => {
    const mask = Uint8Array.from([1, 0, 1, 0]);
    expect(Array.from(maskedPolicy(Float32Array.from([0, 1, 0, 1]), 0, 4, mask, true))).toEqual([0.5, 0, 0.5, 0]);
    expect(Array.from(maskedPolicy(Float32Array.from([-Infinity, 5, -Infinity, 1]), 0, 4, mask, false))).toEqual([0.5, 0, 0.5, 0]);
  });

  it('splits big batches and refuses terminal states and bad raw batches', async () => {
    const model = buildResNetForGame(game, { blocks: 1, filters: 4, seed: 9 });
    const states = randomPositions(game, 7, 10);
    const whole = await new NetEvaluator(game, model).evaluate(states);
    const split = await new NetEvaluator(game, model, { maxBatch: 3 }).evaluate(states);
    expect(Array.from(split.value)).toEqual(Array.from(whole.value));
    split.policy.forEach((p, i) => p.forEach((x, a) => expect(x).toBeCloseTo(whole.policy[i]![a]!, 6)));
    const over = makeGame('tictactoe').newInitialState();
    for (const a of [0, 3, 1, 4, 2]) over.applyAction(a);
    const tttModel = buildResNetForGame(makeGame('tictactoe'), { blocks: 1, filters: 2 });
    await expect(new NetEvaluator(makeGame('tictactoe'), tttModel).evaluate([over])).rejects.toThrow(/state 0 is terminal/);
    await expect(new NetEvaluator(game, model).predictBatch(new Float32Array(5), 1)).rejects.toThrow(/expected 1 x 6x7x3 = 126 floats, got 5/);
    model.dispose();
    tttModel.dispose();
  });

  it('holds tf.memory().numTensors flat over many evaluate calls', async () => {
    const model = buildResNetForGame(game, { blocks: 2, filters: 4, seed: 11 });
    const ev = new NetEvaluator(game, model);
    const states = randomPositions(game, 4, 12);
    await ev.evaluate(states); // warm-up
    const before = tf.memory().numTensors;
    for (let i = 0; i < 40; i++) await ev.evaluate(states);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
