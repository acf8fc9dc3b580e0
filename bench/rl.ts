/**
 * Classic RL learning benchmarks against published reference numbers.
 *
 *   npx tsx bench/rl.ts [--runs cliff,frozenlake,taxi,blackjack,cartpole-dqn,cartpole-ppo,
 *                        cartpole-a2c,cartpole-reinforce,acrobot-dqn,mountaincar-dqn,pendulum-ppo]
 *                       [--seeds N] [--backend wasm|cpu] [--eval-every K] [--max-minutes M] [--engine auto|onnxruntime|tfjs]
 *
 * `--runs report` only rewrites rl.md from the saved rows. Default runs: the tabular ones plus DQN and PPO on CartPole. --max-minutes caps each seed's
 * training time (the row then says where it stopped). Each target's row is written to
 * bench/results/rl-rows/<id>.json, and bench/results/rl.md is rewritten with every target: measured,
 * met or not, or "not run".
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../src/nets/backend.ts';
import { make } from '../src/env/registry.ts';
import { writeFileAtomic, writeJsonAtomic } from '../src/util/fs.ts';
import type { AgentEnv } from '../src/agents/common/env-types.ts';
import { discreteIndex, spaceInfo } from '../src/agents/common/env-types.ts';
import { TdControl } from '../src/agents/tabular/td-control.ts';
import { McControl } from '../src/agents/tabular/mc-control.ts';
import { finiteHorizonValue, type TransitionTable } from '../src/agents/tabular/dp.ts';
import { type AlgoName, createAgent, zooPreset } from '../src/agents/common/algorithms.ts';
import { evaluatePolicy } from '../src/agents/common/evaluate.ts';
import { type EngineName, resolveEngine } from '../src/agents/common/engine.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** One JSON file per target, so runs in parallel processes never overwrite each other. */
const ROWS_DIR = join(here, 'results', 'rl-rows');
const RESULTS_MD = join(here, 'results', 'rl.md');

interface Row {
  id: string;
  task: string;
  target: string;
  measured: string;
  met: boolean;
  detail: string;
  date: string;
}

/** Every target of the brief, in report order. */
const TARGETS: { id: string; task: string; target: string }[] = [
  { id: 'cliff-sarsa', task: 'Cliff Walking, SARSA (eps 0.1, alpha 0.5): mean sum of rewards per episode, episodes 100-499', target: '~ -28 (S&B Ex. 6.6; met if within 5)' },
  { id: 'cliff-q', task: 'Cliff Walking, Q-learning (eps 0.1, alpha 0.5): same measure', target: '~ -50 (S&B Ex. 6.6; met if within 8)' },
  { id: 'cliff-q-greedy', task: "Cliff Walking, Q-learning's greedy policy return", target: '-13 (optimal)' },
  { id: 'frozenlake', task: 'FrozenLake-v1 4x4 slippery, Q-learning greedy policy success within 100 steps', target: '>= 0.70 (optimum 0.7442)' },
  { id: 'taxi', task: 'Taxi-v4, Q-learning greedy policy mean return', target: '>= 7.5 (optimum 7.93)' },
  { id: 'blackjack', task: 'Blackjack-v1, first-visit MC control greedy policy mean return', target: 'within 0.01 of -0.0431' },
  { id: 'cartpole-dqn', task: 'CartPole-v1 DQN mean eval return', target: '>= 475 within 50k steps' },
  { id: 'cartpole-ppo', task: 'CartPole-v1 PPO mean eval return', target: '>= 475 within 100k steps' },
  { id: 'cartpole-a2c', task: 'CartPole-v1 A2C mean eval return', target: '>= 475 within 500k steps' },
  { id: 'cartpole-reinforce', task: 'CartPole-v1 REINFORCE mean eval return', target: '>= 475 within 500k steps' },
  { id: 'acrobot-dqn', task: 'Acrobot-v1 DQN mean eval return', target: '>= -100 within 100k steps' },
  { id: 'mountaincar-dqn', task: 'MountainCar-v0 DQN mean eval return', target: '>= -110 within 120k steps' },
  { id: 'pendulum-ppo', task: 'Pendulum-v1 PPO mean eval return', target: '>= -300 within 1M steps' },
];

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}

const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
const sd = (a: number[]): number => Math.sqrt(a.reduce((x, y) => x + (y - mean(a)) ** 2, 0) / a.length);
const fmt = (x: number, d = 2): string => x.toFixed(d);

function loadRows(): Row[] {
  if (!existsSync(ROWS_DIR)) return [];
  return readdirSync(ROWS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(ROWS_DIR, f), 'utf8')) as Row);
}

function writeMarkdown(rows: Row[]): void {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const lines = [
    '# Classic RL benchmarks (bench/rl.ts)',
    '',
    'Machine: 2 shared CPU cores (other jobs were running), Node 20, TensorFlow.js backend as noted per row.',
    'Each row is the latest run of that target; "not run" rows were not run in the time available.',
    '',
    '- Tabular "exact" numbers: the learned greedy policy evaluated exactly by finite-horizon dynamic programming on the',
    "  env's transition table (success / return within the env's time limit), averaged over the initial-state distribution.",
    '- Blackjack-v1 is Gymnasium\'s registration (sab=True); the greedy policy is scored over 1M fresh episodes per seed.',
    '- Deep-RL rows: RL Zoo hyperparameters where they exist; every K steps the deterministic policy plays 10 episodes on',
    '  fresh seeds, and training stops at the first evaluation that meets the target ("steps" = that step count). Training SPS',
    '  counts environment steps per second of wall time spent training (evaluation time excluded, and given on its own);',
    '  "wall to target" includes the evaluations. The training engine (src/agents/common/engine.ts) is named per row. A time',
    '  cap, where used, is stated in the row.',
    '',
    '| Task | Target | Measured | Met | Detail | Run |',
    '|---|---|---|---|---|---|',
  ];
  for (const t of TARGETS) {
    const r = byId.get(t.id);
    lines.push(r ? `| ${t.task} | ${t.target} | ${r.measured} | ${r.met ? 'yes' : 'no'} | ${r.detail} | ${r.date} |` : `| ${t.task} | ${t.target} | not run | - | - | - |`);
  }
  writeFileAtomic(RESULTS_MD, lines.join('\n') + '\n');
}

function record(row: Omit<Row, 'date'>): void {
  writeJsonAtomic(join(ROWS_DIR, `${row.id}.json`), { ...row, date: new Date().toISOString().slice(0, 16).replace('T', ' ') });
  writeMarkdown(loadRows());
  console.log(`${row.id.padEnd(20)} ${row.measured.padEnd(28)} ${row.met ? 'MET ' : 'MISS'}  ${row.detail}`);
}

type ModelEnv = AgentEnv & { unwrapped: { P: TransitionTable; initialStateDistrib: Float64Array } };

/** Exact value of a deterministic tabular policy from the initial state distribution within `horizon` steps. */
function exactPolicyValue(env: ModelEnv, policy: Int32Array, horizon: number): number {
  const V = finiteHorizonValue(env.unwrapped.P, horizon, 1, policy);
  const d = env.unwrapped.initialStateDistrib;
  let v = 0;
  for (let s = 0; s < d.length; s++) v += d[s]! * V[s]!;
  return v;
}
function exactOptimalValue(env: ModelEnv, horizon: number): number {
  const V = finiteHorizonValue(env.unwrapped.P, horizon, 1);
  const d = env.unwrapped.initialStateDistrib;
  let v = 0;
  for (let s = 0; s < d.length; s++) v += d[s]! * V[s]!;
  return v;
}

async function cliff(seeds: number): Promise<void> {
  const res: Record<string, number[]> = { sarsa: [], 'q-learning': [] };
  const greedy: number[] = [];
  for (const algo of ['sarsa', 'q-learning'] as const) {
    for (let seed = 0; seed < seeds; seed++) {
      const agent = new TdControl(algo, make('CliffWalking-v1'), { learningRate: 0.5, epsilon: 0.1, gamma: 1, seed });
      const returns: number[] = [];
      await agent.learn(10_000_000, { onEpisodeEnd: (e) => (returns.push(e.episodicReturn), returns.length < 500) });
      res[algo]!.push(mean(returns.slice(100, 500)));
      if (algo === 'q-learning') greedy.push(evaluatePolicy((o) => agent.predict(o, true), make('CliffWalking-v1', { maxEpisodeSteps: 1000 }), 1).mean);
    }
  }
  const s = mean(res['sarsa']!);
  const q = mean(res['q-learning']!);
  record({ id: 'cliff-sarsa', task: '', target: '', measured: `${fmt(s)} (sd over seeds ${fmt(sd(res['sarsa']!))})`, met: Math.abs(s - -28) <= 5, detail: `${seeds} seeds, 500 episodes each` });
  record({ id: 'cliff-q', task: '', target: '', measured: `${fmt(q)} (sd ${fmt(sd(res['q-learning']!))})`, met: Math.abs(q - -50) <= 8, detail: `${seeds} seeds, 500 episodes each` });
  record({ id: 'cliff-q-greedy', task: '', target: '', measured: `${greedy.filter((g) => g === -13).length}/${seeds} seeds at -13 (mean ${fmt(mean(greedy))})`, met: greedy.every((g) => g === -13), detail: 'greedy policy after 500 episodes' });
}

async function frozenlake(seeds: number): Promise<void> {
  const vals: number[] = [];
  const mc: number[] = [];
  const probe = make('FrozenLake-v1') as unknown as ModelEnv;
  const opt = exactOptimalValue(probe, 100);
  const t0 = performance.now();
  const steps = 1_000_000;
  for (let seed = 0; seed < seeds; seed++) {
    const agent = new TdControl('q-learning', make('FrozenLake-v1'), { learningRate: { linear: [0.1, 0.01] }, epsilon: { linear: [1, 0.01], fraction: 0.5 }, gamma: 0.99, seed });
    await agent.learn(steps);
    vals.push(exactPolicyValue(probe, agent.greedyPolicy(), 100));
    mc.push(evaluatePolicy((o) => agent.predict(o, true), make('FrozenLake-v1'), 10_000, 1000).mean);
  }
  const v = mean(vals);
  record({ id: 'frozenlake', task: '', target: '', measured: `${fmt(v, 4)} exact (min ${fmt(Math.min(...vals), 4)}; MC 10k eps ${fmt(mean(mc), 4)})`, met: Math.min(...vals) >= 0.7, detail: `Q-learning ${steps / 1e6}M steps x ${seeds} seeds, ${fmt((performance.now() - t0) / 1000 / seeds, 1)} s/seed; DP optimum ${fmt(opt, 4)}` });
}

async function taxi(seeds: number): Promise<void> {
  const vals: number[] = [];
  const probe = make('Taxi-v4') as unknown as ModelEnv;
  const opt = exactOptimalValue(probe, 200);
  const t0 = performance.now();
  const steps = 500_000;
  for (let seed = 0; seed < seeds; seed++) {
    const agent = new TdControl('q-learning', make('Taxi-v4'), { learningRate: 0.5, epsilon: { linear: [1, 0.01], fraction: 0.5 }, gamma: 0.99, seed });
    await agent.learn(steps);
    vals.push(exactPolicyValue(probe, agent.greedyPolicy(), 200));
  }
  const v = mean(vals);
  record({ id: 'taxi', task: '', target: '', measured: `${fmt(v, 3)} exact (min ${fmt(Math.min(...vals), 3)})`, met: Math.min(...vals) >= 7.5, detail: `Q-learning ${steps / 1e3}k steps x ${seeds} seeds, ${fmt((performance.now() - t0) / 1000 / seeds, 1)} s/seed; DP optimum (200-step limit) ${fmt(opt, 3)}` });
}

async function blackjack(seeds: number): Promise<void> {
  const vals: number[] = [];
  const t0 = performance.now();
  const steps = 10_000_000;
  const evalEpisodes = 1_000_000;
  for (let seed = 0; seed < seeds; seed++) {
    const agent = new McControl(make('Blackjack-v1'), { epsilon: { linear: [0.3, 0.01] }, gamma: 1, seed });
    await agent.learn(steps);
    const env = make('Blackjack-v1');
    const info = spaceInfo(env.observationSpace);
    const policy = new Int32Array(agent.nS);
    for (let s = 0; s < agent.nS; s++) {
      let best = 0;
      for (let a = 1; a < agent.nA; a++) if (agent.Q[s * agent.nA + a]! > agent.Q[s * agent.nA + best]!) best = a;
      policy[s] = best;
    }
    vals.push(evaluatePolicy((o) => policy[discreteIndex(info, o)]!, env, evalEpisodes, 10_000_000 * (seed + 1)).mean);
  }
  const v = mean(vals);
  const se = 1 / Math.sqrt(evalEpisodes * seeds);
  record({ id: 'blackjack', task: '', target: '', measured: `${fmt(v, 4)} (+- ${fmt(2 * se, 4)} 2 s.e.)`, met: Math.abs(v - -0.0431) <= 0.01, detail: `MC control ${steps / 1e6}M steps x ${seeds} seeds, ${evalEpisodes / 1e6}M eval episodes each, ${fmt((performance.now() - t0) / 1000 / seeds, 1)} s/seed` });
}

let maxMinutes = Infinity;
let engine: EngineName = 'auto';
let engineName = '';

async function deep(id: string, algo: AlgoName, envId: string, budget: number, target: number, seeds: number, evalEvery: number, extra: Record<string, unknown> = {}): Promise<void> {
  const preset = zooPreset(algo, envId);
  const out: { reached: number | null; wall: number | null; best: number; final: number; sps: number; evalSecs: number; steps: number; cut: boolean }[] = [];
  for (let seed = 0; seed < seeds; seed++) {
    const agent = createAgent(algo, algo === 'ppo' || algo === 'a2c' ? () => make(envId) : make(envId), { ...(preset?.options ?? {}), ...extra, seed, engine });
    const t0 = performance.now();
    let next = evalEvery;
    let reached: number | null = null;
    let wall: number | null = null;
    let best = -Infinity;
    let last = -Infinity;
    let cut = false;
    let evalSecs = 0;
    await agent.learn(budget, {
      onIteration: (it) => {
        if ((performance.now() - t0) / 60_000 > maxMinutes) {
          cut = true;
          return false;
        }
        if (it.numTimesteps < next) return;
        next += evalEvery;
        const te = performance.now();
        const e = evaluatePolicy((o) => agent.predict(o, true), make(envId), 10, 1_000_000 + it.numTimesteps).mean;
        evalSecs += (performance.now() - te) / 1000;
        last = e;
        best = Math.max(best, e);
        console.log(`  ${id} seed ${seed} step ${it.numTimesteps} eval ${fmt(e, 1)} (${fmt((performance.now() - t0) / 1000, 0)} s)`);
        if (e >= target) {
          reached = it.numTimesteps;
          wall = (performance.now() - t0) / 1000;
          return false;
        }
      },
    });
    const secs = (performance.now() - t0) / 1000;
    out.push({ reached, wall, best, final: last, sps: agent.numTimesteps / (secs - evalSecs), evalSecs, steps: agent.numTimesteps, cut });
    agent.dispose();
  }
  const hit = out.filter((o) => o.reached !== null);
  const cutNote = out.some((o) => o.cut) ? ` (time cap ${maxMinutes} min/seed: stopped at steps ${out.map((o) => o.steps).join(', ')})` : '';
  const measured = (hit.length > 0 ? `${hit.length}/${seeds} seeds reached; steps ${hit.map((o) => o.reached).join(', ')}` : `not reached; best eval ${out.map((o) => fmt(o.best, 1)).join(', ')}`) + cutNote;
  record({
    id,
    task: '',
    target: '',
    measured,
    met: hit.length === seeds,
    detail: `${algo} ${preset ? 'RL Zoo preset' : 'defaults'}${Object.keys(extra).length ? ' + ' + JSON.stringify(extra) : ''}, ${engineName} engine, eval 10 eps every ${evalEvery / 1000}k; training SPS ${out.map((o) => fmt(o.sps, 0)).join(', ')}; evaluation ${out.map((o) => `${fmt(o.evalSecs, 1)} s`).join(', ')}; wall to target (with evaluation) ${out.map((o) => (o.wall === null ? '-' : `${fmt(o.wall, 0)} s`)).join(', ')}; best eval ${out.map((o) => fmt(o.best, 1)).join(', ')}`,
  });
}

async function main(): Promise<void> {
  const runs = arg('runs', 'cliff,frozenlake,taxi,blackjack,cartpole-dqn,cartpole-ppo').split(',');
  const seeds = Number(arg('seeds', '3'));
  const evalEvery = Number(arg('eval-every', '5000'));
  maxMinutes = Number(arg('max-minutes', 'Infinity'));
  engine = arg('engine', 'auto') as EngineName;
  engineName = resolveEngine(engine, 'bench');
  const backend = await initBackend({ backend: arg('backend', 'wasm'), quiet: true });
  console.log(`backend ${backend}, engine ${engineName}, seeds ${seeds}, runs ${runs.join(',')}`);
  for (const r of runs) {
    const t0 = performance.now();
    if (r === 'report') writeMarkdown(loadRows());
    else if (r === 'cliff') await cliff(Math.max(seeds, 10));
    else if (r === 'frozenlake') await frozenlake(seeds);
    else if (r === 'taxi') await taxi(seeds);
    else if (r === 'blackjack') await blackjack(seeds);
    else if (r === 'cartpole-dqn') await deep(r, 'dqn', 'CartPole-v1', 50_000, 475, seeds, evalEvery);
    else if (r === 'cartpole-ppo') await deep(r, 'ppo', 'CartPole-v1', 100_000, 475, seeds, evalEvery);
    else if (r === 'cartpole-a2c') await deep(r, 'a2c', 'CartPole-v1', 500_000, 475, seeds, evalEvery * 4);
    else if (r === 'cartpole-reinforce') await deep(r, 'reinforce', 'CartPole-v1', 500_000, 475, seeds, evalEvery * 4, { episodesPerUpdate: 4 });
    else if (r === 'acrobot-dqn') await deep(r, 'dqn', 'Acrobot-v1', 100_000, -100, seeds, evalEvery);
    else if (r === 'mountaincar-dqn') await deep(r, 'dqn', 'MountainCar-v0', 120_000, -110, seeds, evalEvery);
    else if (r === 'pendulum-ppo') await deep(r, 'ppo', 'Pendulum-v1', 1_000_000, -300, seeds, evalEvery * 4);
    else throw new Error(`unknown run '${r}' (expected one of: ${TARGETS.map((t) => t.id.replace(/-(sarsa|q|q-greedy)$/, '')).join(', ')})`);
    console.log(`${r}: ${fmt((performance.now() - t0) / 1000, 1)} s`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
