/**
 * Stage 4: the value network (Silver et al. 2016, "Reinforcement learning of value networks").
 * Data, one position per game to avoid correlated positions: for each game draw U uniformly in
 * 1..maxU; the SL policy plays moves 1..U-1, move U is uniformly random among the sensible moves,
 * then the RL policy plays both sides to the end; the position after move U is kept with the
 * outcome z for the player to move there. The Lee value net (49 planes: the 48 policy planes plus
 * "the player to move is Black") regresses z by mean squared error; positions (= games) are split
 * into train and test sets.
 *
 * Checkpoints: <dir>/data/chunk-NNNNN.bin (positions; a rerun tops the data up to `games`) and the
 * net in <dir>/ with state.json (a rerun resumes at the saved step).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../../nets/backend.ts';
import { buildLeeValueNet, LEE_POLICY_PLANES, LEE_VALUE_PLANES } from '../../nets/lee-nets.ts';
import { LEE_PLANES } from '../../env/games/go/features.ts';
import type { GoState } from '../../env/games/go/rules.ts';
import { writeFileAtomic } from '../../util/fs.ts';
import { UserError } from '../../util/errors.ts';
import { Rng } from '../../util/rng.ts';
import { symmetryTables } from './data.ts';
import { BOARD, FastNet, hasModel, loadCheckedModel, readState, saveCheckpoint } from './nets.ts';
import { playGames } from './play.ts';

/** 49 value-net planes from the 48 policy planes of the player to move. */
export function valuePlanes(policyPlanes: Float32Array, blackToMove: boolean, out = new Float32Array(BOARD * BOARD * LEE_VALUE_PLANES)): Float32Array {
  const nn = BOARD * BOARD;
  for (let a = 0; a < nn; a++) {
    for (let k = 0; k < LEE_PLANES; k++) out[a * LEE_VALUE_PLANES + k] = policyPlanes[a * LEE_PLANES + k]!;
    out[a * LEE_VALUE_PLANES + LEE_PLANES] = blackToMove ? 1 : 0;
  }
  return out;
}

export interface ValueData {
  n: number;
  /** n * 81 * 49 bytes. */
  features: Uint8Array;
  /** Outcome for the player to move, +1 / -1 (0 for a draw). */
  z: Float32Array;
}

const PER = BOARD * BOARD * LEE_VALUE_PLANES;

export function readValueData(dir: string): ValueData {
  const d = join(dir, 'data');
  const files = existsSync(d) ? readdirSync(d).filter((f) => /^chunk-\d{5}\.bin$/.test(f)).sort() : [];
  const bufs = files.map((f) => readFileSync(join(d, f)));
  for (const [i, b] of bufs.entries()) if (b.length % (PER + 1) !== 0) throw new UserError(`value: ${join(d, files[i]!)} is truncated or not a value-data chunk`);
  const n = bufs.reduce((s, b) => s + b.length / (PER + 1), 0);
  const features = new Uint8Array(n * PER);
  const z = new Float32Array(n);
  let k = 0;
  for (const b of bufs) {
    const m = b.length / (PER + 1);
    features.set(b.subarray(0, m * PER), k * PER);
    for (let i = 0; i < m; i++) z[k + i] = (b[m * PER + i]! << 24) >> 24;
    k += m;
  }
  return { n, features, z };
}

export interface ValueDataOptions {
  sl: string;
  rl: string;
  dir: string;
  games: number;
  maxU?: number;
  chunk?: number;
  seed?: number;
  log?: (line: string) => void;
}

/** Generate (or top up) the value data; returns the number of positions on disk. */
export async function genValueData(o: ValueDataOptions): Promise<number> {
  const log = o.log ?? ((l: string) => console.log(l));
  const seed = o.seed ?? 1;
  const maxU = o.maxU ?? 60;
  const chunk = o.chunk ?? 256;
  mkdirSync(join(o.dir, 'data'), { recursive: true });
  const sl = await FastNet.create(await loadCheckedModel(o.sl, LEE_POLICY_PLANES, BOARD * BOARD, 'value (SL net)'));
  const rl = await FastNet.create(await loadCheckedModel(o.rl, LEE_POLICY_PLANES, BOARD * BOARD, 'value (RL net)'));
  let have = readValueData(o.dir).n;
  let chunkNo = readdirSync(join(o.dir, 'data')).filter((f) => /^chunk-\d{5}\.bin$/.test(f)).length;
  const t0 = Date.now();
  while (have < o.games) {
    const rng = new Rng(seed * 7919 + chunkNo);
    const U = Array.from({ length: chunk }, () => 1 + rng.int(maxU));
    const kept = new Map<number, { f: Float32Array; color: 0 | 1 }>();
    const res = await playGames({
      games: chunk, policies: [sl, rl], seed: seed * 1009 + chunkNo,
      chooser: (g, m) => (m < U[g]! - 1 ? 0 : m === U[g]! - 1 ? 'random' : 1),
      onMove: (g, s: GoState, f) => {
        if (s.history().length === U[g] && !kept.has(g)) kept.set(g, { f: valuePlanes(f, s.nextColor() === 0), color: s.nextColor() });
      },
    });
    const games = [...kept.keys()].sort((a, b) => a - b);
    const buf = new Uint8Array(games.length * (PER + 1));
    games.forEach((g, i) => {
      const k = kept.get(g)!;
      for (let j = 0; j < PER; j++) buf[i * PER + j] = k.f[j]!;
      const w = res[g]!.winner;
      buf[games.length * PER + i] = (w === -1 ? 0 : w === k.color ? 1 : -1) & 0xff;
    });
    writeFileAtomic(join(o.dir, 'data', `chunk-${String(chunkNo).padStart(5, '0')}.bin`), buf);
    chunkNo++;
    have += games.length;
    log(`value: ${have}/${o.games} positions (one per game), ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  for (const n of [sl, rl]) {
    await n.dispose();
    n.model.dispose();
  }
  return have;
}

export interface ValueTrainOptions {
  dir: string;
  filters?: number;
  layers?: number;
  batch?: number;
  steps?: number;
  minutes?: number;
  lr?: number;
  seed?: number;
  testFraction?: number;
  saveEvery?: number;
  log?: (line: string) => void;
}

export interface ValueState {
  step: number;
  filters: number;
  layers: number;
  trainPositions: number;
  testPositions: number;
  trainMse: number;
  testMse: number;
  seconds: number;
  history: Array<{ step: number; trainMse: number; testMse: number }>;
}

/** One MSE step; returns the loss; leaves no tensors. */
export function valueStep(model: tf.LayersModel, opt: tf.Optimizer, x: Float32Array, z: Float32Array, n: number): number {
  const loss = tf.tidy(() => {
    const xt = tf.tensor4d(x, [n, BOARD, BOARD, LEE_VALUE_PLANES]);
    const zt = tf.tensor2d(z, [n, 1]);
    return opt.minimize(() => tf.mean(tf.square(tf.sub(model.apply(xt, { training: true }) as tf.Tensor, zt))) as tf.Scalar, true)!;
  });
  const v = loss.dataSync()[0]!;
  loss.dispose();
  return v;
}

async function mse(net: FastNet, d: ValueData, idx: Int32Array): Promise<number> {
  let s = 0;
  const B = 256;
  for (let i = 0; i < idx.length; i += B) {
    const m = Math.min(B, idx.length - i);
    const x = new Float32Array(m * PER);
    for (let j = 0; j < m; j++) for (let k = 0; k < PER; k++) x[j * PER + k] = d.features[idx[i + j]! * PER + k]!;
    const v = await net.run(x, m);
    for (let j = 0; j < m; j++) s += (v[j]! - d.z[idx[i + j]!]!) ** 2;
  }
  return idx.length ? s / idx.length : 0;
}

export async function trainValue(o: ValueTrainOptions): Promise<ValueState> {
  const log = o.log ?? ((l: string) => console.log(l));
  const seed = o.seed ?? 1;
  const batch = o.batch ?? 64;
  const steps = o.steps ?? 1500;
  const data = readValueData(o.dir);
  if (data.n < 10) throw new UserError(`value: only ${data.n} positions in ${join(o.dir, 'data')}; generate data first (tengen lee value --games N)`);
  // Split positions (one per game, so by game) with a seeded shuffle.
  const order = Int32Array.from({ length: data.n }, (_, i) => i);
  const srng = new Rng(seed + 5);
  for (let i = order.length - 1; i > 0; i--) {
    const j = srng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const nTest = Math.max(1, Math.round(data.n * (o.testFraction ?? 0.1)));
  const testIdx = order.slice(0, nTest);
  const trainIdx = order.slice(nTest);
  const prev = readState<ValueState>(o.dir);
  let model: tf.LayersModel;
  let state: ValueState;
  if (prev && hasModel(o.dir)) {
    model = await loadCheckedModel(o.dir, LEE_VALUE_PLANES, 1, 'value');
    state = prev;
    log(`value: resuming at step ${state.step}`);
  } else {
    const filters = o.filters ?? 32;
    const layers = o.layers ?? 6;
    model = buildLeeValueNet({ board: BOARD, planes: LEE_VALUE_PLANES, filters, layers, valueHidden: 64, seed });
    state = { step: 0, filters, layers, trainPositions: trainIdx.length, testPositions: testIdx.length, trainMse: 0, testMse: 0, seconds: 0, history: [] };
  }
  const opt = tf.train.adam(o.lr ?? 5e-4);
  const perms = symmetryTables(BOARD);
  const x = new Float32Array(batch * PER);
  const zb = new Float32Array(batch);
  const saveEvery = o.saveEvery ?? 250;
  const t0 = Date.now();
  const startSeconds = state.seconds;
  const save = async (): Promise<void> => {
    const net = await FastNet.create(model);
    state.trainMse = await mse(net, data, trainIdx);
    state.testMse = await mse(net, data, testIdx);
    await net.dispose();
    state.seconds = startSeconds + (Date.now() - t0) / 1000;
    state.history.push({ step: state.step, trainMse: state.trainMse, testMse: state.testMse });
    await saveCheckpoint(model, o.dir, state as unknown as Record<string, unknown>);
    log(`value: step ${state.step}/${steps} train MSE ${state.trainMse.toFixed(3)} test MSE ${state.testMse.toFixed(3)}`);
  };
  let dirty = false;
  while (state.step < steps) {
    if (o.minutes !== undefined && (Date.now() - t0) / 60000 >= o.minutes) {
      log(`value: time limit (${o.minutes} min) reached at step ${state.step}`);
      break;
    }
    const rng = new Rng(seed * 1_000_003 + state.step);
    for (let i = 0; i < batch; i++) {
      const src = trainIdx[rng.int(trainIdx.length)]!;
      const perm = perms[rng.int(8)]!;
      for (let a = 0; a < BOARD * BOARD; a++) {
        const to = i * PER + perm[a]! * LEE_VALUE_PLANES;
        const from = src * PER + a * LEE_VALUE_PLANES;
        for (let k = 0; k < LEE_VALUE_PLANES; k++) x[to + k] = data.features[from + k]!;
      }
      zb[i] = data.z[src]!;
    }
    valueStep(model, opt, x, zb, batch);
    state.step++;
    dirty = true;
    if (state.step % saveEvery === 0) {
      await save();
      dirty = false;
    }
  }
  if (dirty || state.history.length === 0) await save();
  opt.dispose();
  model.dispose();
  return state;
}
