/**
 * Stage 3: the RL policy network (Silver et al. 2016, "Reinforcement learning of policy networks").
 * Initialised from the SL net; each iteration plays `gamesPerIter` games of the current net against
 * an opponent drawn uniformly from a pool of its earlier snapshots (the SL net is the first), half
 * as Black, and takes one REINFORCE step per chunk of positions:
 *     loss = -(1 / games) * sum_t (z_t - b) * log p(a_t | s_t)
 * with z_t = +1 / -1 the game's outcome for the learner and b the mean outcome over the batch's
 * positions (a constant baseline; the paper's first pass used none). A constant baseline adds no bias
 * (the score function has mean zero under the policy that sampled the moves, which is why the
 * log-probability is that of the sensible-move policy the games use); weighting the mean by positions
 * makes the advantages sum to zero over the positions trained on.
 * Plain SGD with the paper's step 0.001 and mini-batches of 128 games by default (Adam as an option;
 * its moments restart on resume). bench/results/alphago-lee.md has the curve: 83% against SL after
 * 163 iterations on 9x9.
 * With `evalEvery`, every that many iterations the learner plays `evalEveryGames` games against the
 * SL net (not trained on), the curve in state.history.
 * A snapshot joins the pool every `poolEvery` iterations (paper: 500). Checkpoint: <dir>/ (the net
 * and state.json) and <dir>/pool/iter-N/ nets; a rerun resumes at the saved iteration.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../../nets/backend.ts';
import { LEE_POLICY_PLANES } from '../../nets/lee-nets.ts';
import { saveModel } from '../../nets/io.ts';
import { UserError } from '../../util/errors.ts';
import { Rng } from '../../util/rng.ts';
import { wilson } from '../../util/elo.ts';
import { BOARD, FastNet, hasModel, loadCheckedModel, readState, saveCheckpoint } from './nets.ts';
import { playGames, policyMatch, SENSIBLE_PLANE } from './play.ts';

export interface RlOptions {
  /** The SL net's directory (the starting point and the first pool member). */
  sl: string;
  dir: string;
  iterations?: number;
  gamesPerIter?: number;
  lr?: number;
  poolEvery?: number;
  minutes?: number;
  seed?: number;
  /** Games for the final RL-vs-SL evaluation (0 skips it). */
  evalGames?: number;
  /** 'sgd' (the paper) or 'adam'. */
  optimizer?: 'sgd' | 'adam';
  /** Measure the learner against the SL net every this many iterations (0: never). */
  evalEvery?: number;
  /** Games of each such measurement. */
  evalEveryGames?: number;
  log?: (line: string) => void;
}

export interface RlState {
  iteration: number;
  pool: string[];
  seconds: number;
  history: Array<{ iteration: number; winRate: number; positions: number; vsSl?: number }>;
  evaluation?: { games: number; wins: number; losses: number; draws: number; winRate: number; wilson: [number, number] };
}

/**
 * One REINFORCE step over positions (features as floats, actions, advantages). Leaves no tensors.
 * The log-probability is that of the policy the games were played with: the net's softmax restricted
 * to the sensible moves (feature plane 46) and renormalised, as `pickMove` samples it.
 */
export function reinforceStep(model: tf.LayersModel, opt: tf.Optimizer, x: Float32Array, actions: Int32Array, adv: Float32Array, n: number, scale: number): number {
  const outputs = model.outputs[0]!.shape[1] as number;
  const planes = model.inputs[0]!.shape[3] as number;
  const loss = tf.tidy(() => {
    const xt = tf.tensor4d(x, [n, BOARD, BOARD, planes]);
    const at = tf.oneHot(tf.tensor1d(actions, 'int32'), outputs);
    const zt = tf.tensor1d(adv);
    const mask = planes > SENSIBLE_PLANE && outputs === BOARD * BOARD
      ? tf.reshape(tf.slice(xt, [0, 0, 0, SENSIBLE_PLANE], [n, BOARD, BOARD, 1]), [n, outputs])
      : tf.onesLike(at);
    return opt.minimize(() => {
      const p = model.apply(xt, { training: true }) as tf.Tensor;
      const chosen = tf.sum(tf.mul(at, p), -1);
      const sensible = tf.sum(tf.mul(tf.maximum(mask, at), p), -1);
      const logp = tf.sub(tf.log(tf.add(chosen, 1e-7)), tf.log(tf.add(sensible, 1e-7)));
      return tf.mul(tf.neg(tf.sum(tf.mul(zt, logp))), scale) as tf.Scalar;
    }, true)!;
  });
  const v = loss.dataSync()[0]!;
  loss.dispose();
  return v;
}

/**
 * Advantages z - b of the learner's positions: z the outcome of the position's game, b the mean of
 * z over all positions, so the advantages sum to zero over the batch (see the header).
 */
export function reinforceAdvantages(zByGame: readonly number[], gameOf: readonly number[]): Float32Array {
  const n = gameOf.length;
  let b = 0;
  for (let i = 0; i < n; i++) b += zByGame[gameOf[i]!]!;
  b = n ? b / n : 0;
  const adv = new Float32Array(n);
  for (let i = 0; i < n; i++) adv[i] = zByGame[gameOf[i]!]! - b;
  return adv;
}

export async function trainRl(o: RlOptions): Promise<RlState> {
  const log = o.log ?? ((l: string) => console.log(l));
  const seed = o.seed ?? 1;
  const iterations = o.iterations ?? 50;
  const gamesPerIter = o.gamesPerIter ?? 128;
  const poolEvery = o.poolEvery ?? 5;
  if (gamesPerIter < 2 || gamesPerIter % 2 !== 0) throw new UserError(`rl: games per iteration must be an even number >= 2, got ${gamesPerIter}`);
  mkdirSync(o.dir, { recursive: true });
  const slModel = await loadCheckedModel(o.sl, LEE_POLICY_PLANES, BOARD * BOARD, 'rl (SL net)');
  const prev = readState<RlState>(o.dir);
  let model: tf.LayersModel;
  let state: RlState;
  if (prev && hasModel(o.dir)) {
    model = await loadCheckedModel(o.dir, LEE_POLICY_PLANES, BOARD * BOARD, 'rl');
    state = prev;
    log(`rl: resuming at iteration ${state.iteration}`);
  } else {
    model = await loadCheckedModel(o.sl, LEE_POLICY_PLANES, BOARD * BOARD, 'rl (SL net)');
    state = { iteration: 0, pool: [], seconds: 0, history: [] };
  }
  const learner = await FastNet.create(model);
  const slNet = await FastNet.create(slModel);
  const poolNets: FastNet[] = [slNet];
  for (const p of state.pool) {
    if (existsSync(join(p, 'model.json'))) poolNets.push(await FastNet.create(await loadCheckedModel(p, LEE_POLICY_PLANES, BOARD * BOARD, 'rl pool')));
  }
  const opt = o.optimizer === 'adam' ? tf.train.adam(o.lr ?? 1e-5) : tf.train.sgd(o.lr ?? 1e-3);
  const evalEvery = o.evalEvery ?? 0;
  const evalEveryGames = o.evalEveryGames ?? 64;
  const per = BOARD * BOARD * LEE_POLICY_PLANES;
  const t0 = Date.now();
  const startSeconds = state.seconds;
  while (state.iteration < iterations) {
    if (o.minutes !== undefined && (Date.now() - t0) / 60000 >= o.minutes) {
      log(`rl: time limit (${o.minutes} min) reached at iteration ${state.iteration}`);
      break;
    }
    const rng = new Rng(seed * 7919 + state.iteration);
    const opp = poolNets[rng.int(poolNets.length)]!;
    const feats: Float32Array[] = [];
    const acts: number[] = [];
    const gameOf: number[] = [];
    const res = await playGames({
      games: gamesPerIter, policies: [learner, opp], seed: seed * 31 + state.iteration,
      chooser: (g, _m, color) => ((g % 2 === 0) === (color === 0) ? 0 : 1),
      onMove: (g, _s, f, a, who) => {
        if (who !== 0) return;
        feats.push(f);
        acts.push(a);
        gameOf.push(g);
      },
    });
    const z: number[] = res.map((r, g) => (r.winner === -1 ? 0 : r.winner === (g % 2 === 0 ? 0 : 1) ? 1 : -1));
    const n = acts.length;
    const advantages = reinforceAdvantages(z, gameOf);
    const chunk = 512;
    for (let i = 0; i < n; i += chunk) {
      const m = Math.min(chunk, n - i);
      const x = new Float32Array(m * per);
      const a = new Int32Array(m);
      const adv = new Float32Array(m);
      for (let j = 0; j < m; j++) {
        x.set(feats[i + j]!, j * per);
        a[j] = acts[i + j]!;
        adv[j] = advantages[i + j]!;
      }
      reinforceStep(model, opt, x, a, adv, m, 1 / gamesPerIter);
    }
    await learner.refresh();
    state.iteration++;
    const winRate = z.reduce((s, v) => s + (v + 1) / 2, 0) / z.length;
    const h: RlState['history'][number] = { iteration: state.iteration, winRate, positions: n };
    if (evalEvery > 0 && state.iteration % evalEvery === 0) {
      h.vsSl = (await policyMatch(learner, slNet, evalEveryGames, seed * 17 + state.iteration)).winRate;
    }
    state.history.push(h);
    if (state.iteration % poolEvery === 0) {
      const p = join(o.dir, 'pool', `iter-${String(state.iteration).padStart(5, '0')}`);
      await saveModel(model, p);
      state.pool.push(p);
      poolNets.push(await FastNet.create(await loadCheckedModel(p, LEE_POLICY_PLANES, BOARD * BOARD, 'rl pool')));
    }
    state.seconds = startSeconds + (Date.now() - t0) / 1000;
    await saveCheckpoint(model, o.dir, state as unknown as Record<string, unknown>);
    const vs = h.vsSl === undefined ? '' : `; ${(100 * h.vsSl).toFixed(1)}% against SL over ${evalEveryGames} games`;
    log(`rl: iteration ${state.iteration}/${iterations}: ${(100 * winRate).toFixed(0)}% wins against a pool net (of ${poolNets.length}), ${n} positions${vs}`);
  }
  const evalGames = o.evalGames ?? 200;
  if (evalGames > 0) {
    const r = await policyMatch(learner, slNet, evalGames, seed + 999);
    state.evaluation = { games: evalGames, ...r, wilson: wilson(r.wins + r.draws / 2, evalGames) };
    await saveCheckpoint(model, o.dir, state as unknown as Record<string, unknown>);
    log(`rl: RL vs SL ${r.wins}-${r.losses}-${r.draws}, win rate ${(100 * r.winRate).toFixed(1)}% over ${evalGames} games`);
  }
  for (const net of poolNets) {
    await net.dispose();
    net.model.dispose();
  }
  await learner.dispose();
  opt.dispose();
  model.dispose();
  return state;
}
