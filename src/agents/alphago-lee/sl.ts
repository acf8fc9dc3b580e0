/**
 * Stage 2: the SL policy network (Silver et al. 2016, "Supervised learning of policy networks"):
 * the Lee policy net (src/nets/lee-nets.ts) on the 48 feature planes, trained to maximise the
 * likelihood of the expert move, mini-batches with a random one of the 8 board symmetries per
 * position. The paper used plain SGD (alpha 0.003, halved every 80M steps) for 340M steps on 50
 * GPUs; at this scale Adam converges in minutes, so it is the default (--optimizer sgd is there).
 *
 * Checkpoint <dir>/ (model.json, weights.bin, state.json) every `saveEvery` steps and at the end;
 * a rerun resumes at the saved step (the optimizer's moments restart).
 */
import { mkdirSync } from 'node:fs';
import { tf } from '../../nets/backend.ts';
import { buildLeePolicyNet, LEE_POLICY_PLANES } from '../../nets/lee-nets.ts';
import { UserError } from '../../util/errors.ts';
import { Rng } from '../../util/rng.ts';
import { buildPositions, fillBatch, loadExpertGames, splitByGame, symmetryTables, type PositionSet } from './data.ts';
import { BOARD, FastNet, hasModel, loadCheckedModel, policyAccuracy, readState, saveCheckpoint } from './nets.ts';

export interface SlOptions {
  data: string[];
  dir: string;
  filters?: number;
  layers?: number;
  batch?: number;
  steps?: number;
  minutes?: number;
  lr?: number;
  optimizer?: 'adam' | 'sgd';
  seed?: number;
  testFraction?: number;
  saveEvery?: number;
  log?: (line: string) => void;
}

export interface SlState {
  step: number;
  filters: number;
  layers: number;
  trainLoss: number;
  testAccuracy: number;
  trainAccuracy: number;
  trainPositions: number;
  testPositions: number;
  seconds: number;
  history: Array<{ step: number; loss: number; testAccuracy: number }>;
}

/** Cross-entropy of probabilities `p` against integer labels. */
export function policyLoss(p: tf.Tensor, y: tf.Tensor1D, n: number): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(y, n), tf.log(tf.add(p, 1e-7))), -1))) as tf.Scalar);
}

/** One optimisation step on a batch; returns the loss. Leaves no tensors behind. */
export function slStep(model: tf.LayersModel, opt: tf.Optimizer, x: Float32Array, y: Int32Array, n: number): number {
  const outputs = model.outputs[0]!.shape[1] as number;
  const planes = model.inputs[0]!.shape[3] as number;
  const loss = tf.tidy(() => {
    const xt = tf.tensor4d(x, [n, BOARD, BOARD, planes]);
    const yt = tf.tensor1d(y, 'int32');
    return opt.minimize(() => policyLoss(model.apply(xt, { training: true }) as tf.Tensor, yt, outputs), true)!;
  });
  const v = loss.dataSync()[0]!;
  loss.dispose();
  return v;
}

export async function trainSl(o: SlOptions): Promise<SlState> {
  const log = o.log ?? ((l: string) => console.log(l));
  const seed = o.seed ?? 1;
  const batch = o.batch ?? 64;
  const steps = o.steps ?? 2000;
  if (!Number.isInteger(steps) || steps < 1) throw new UserError(`sl: steps must be a positive integer, got ${steps}`);
  mkdirSync(o.dir, { recursive: true });
  const games = loadExpertGames(o.data, { warn: log });
  const { train, test } = splitByGame(games, o.testFraction ?? 0.1, seed);
  const t0 = Date.now();
  const trainSet = buildPositions(train, BOARD);
  const testSet = buildPositions(test, BOARD);
  log(`sl: ${train.length} train games (${trainSet.n} positions), ${test.length} test games (${testSet.n} positions); features in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (trainSet.n === 0) throw new UserError('sl: no training positions in the data');
  const prev = readState<SlState>(o.dir);
  let model: tf.LayersModel;
  let state: SlState;
  if (prev && hasModel(o.dir)) {
    model = await loadCheckedModel(o.dir, LEE_POLICY_PLANES, BOARD * BOARD, 'sl');
    state = prev;
    log(`sl: resuming at step ${state.step}`);
  } else {
    const filters = o.filters ?? 32;
    const layers = o.layers ?? 6;
    model = buildLeePolicyNet({ board: BOARD, planes: LEE_POLICY_PLANES, filters, layers, seed });
    state = { step: 0, filters, layers, trainLoss: 0, testAccuracy: 0, trainAccuracy: 0, trainPositions: trainSet.n, testPositions: testSet.n, seconds: 0, history: [] };
  }
  const opt = (o.optimizer ?? 'adam') === 'adam' ? tf.train.adam(o.lr ?? 1e-3) : tf.train.momentum(o.lr ?? 0.01, 0.9);
  const perms = symmetryTables(BOARD);
  const per = BOARD * BOARD * LEE_POLICY_PLANES;
  const x = new Float32Array(batch * per);
  const y = new Int32Array(batch);
  const idx = new Int32Array(batch);
  const syms = new Int32Array(batch);
  const saveEvery = o.saveEvery ?? 250;
  const tStart = Date.now();
  let lossSum = 0;
  let lossN = 0;
  const evaluate = async (): Promise<void> => {
    const net = await FastNet.create(model);
    state.testAccuracy = await policyAccuracy(net, testSet.features, testSet.actions);
    const sub = subset(trainSet, Math.min(trainSet.n, 3000), seed);
    state.trainAccuracy = await policyAccuracy(net, sub.features, sub.actions);
    await net.dispose();
  };
  const save = async (): Promise<void> => {
    await evaluate();
    state.trainLoss = lossN ? lossSum / lossN : state.trainLoss;
    state.history.push({ step: state.step, loss: state.trainLoss, testAccuracy: state.testAccuracy });
    await saveCheckpoint(model, o.dir, state as unknown as Record<string, unknown>);
    log(`sl: step ${state.step}/${steps} loss ${state.trainLoss.toFixed(3)} test accuracy ${(100 * state.testAccuracy).toFixed(1)}% train accuracy ${(100 * state.trainAccuracy).toFixed(1)}%`);
    lossSum = 0;
    lossN = 0;
  };
  const startSeconds = state.seconds;
  while (state.step < steps) {
    if (o.minutes !== undefined && (Date.now() - tStart) / 60000 >= o.minutes) {
      log(`sl: time limit (${o.minutes} min) reached at step ${state.step}`);
      break;
    }
    const rng = new Rng(seed * 1_000_003 + state.step);
    for (let i = 0; i < batch; i++) {
      idx[i] = rng.int(trainSet.n);
      syms[i] = rng.int(8);
    }
    fillBatch(trainSet, idx, x, y, perms, syms);
    lossSum += slStep(model, opt, x, y, batch);
    lossN++;
    state.step++;
    if (state.step % saveEvery === 0) {
      state.seconds = startSeconds + (Date.now() - tStart) / 1000;
      await save();
    }
  }
  state.seconds = startSeconds + (Date.now() - tStart) / 1000;
  if (lossN > 0 || state.history.length === 0) await save();
  opt.dispose();
  model.dispose();
  return state;
}

function subset(set: PositionSet, n: number, seed: number): { features: Uint8Array; actions: Int32Array } {
  const rng = new Rng(seed + 17);
  const per = set.size * set.size * set.planes;
  const features = new Uint8Array(n * per);
  const actions = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const j = n === set.n ? i : rng.int(set.n);
    features.set(set.features.subarray(j * per, (j + 1) * per), i * per);
    actions[i] = set.actions[j]!;
  }
  return { features, actions };
}
