/**
 * Classic-RL training speed against Stable-Baselines3 (issue 28): PPO, DQN and A2C on CartPole-v1
 * with the RL Zoo presets, training steps per second of wall time spent in `learn` (no evaluation
 * inside it), for each training engine of src/agents/common/engine.ts, interleaved seed by seed in
 * one process (the machine is shared, so before and after see the same load). After each run the
 * deterministic policy plays 10 fresh episodes, timed separately, to show the learned returns are
 * in the same range on both engines.
 *
 *   npx tsx bench/rl-speed.ts [--seeds 5] [--algos a2c,ppo,dqn] [--engines onnxruntime,tfjs] [--backend wasm] [--out FILE]
 *
 * 'tfjs' is the implementation before issue 28 (on the wasm backend, `tengen train`'s default);
 * 'onnxruntime' the new one. SB3 cannot run here (PyPI is unreachable): its column is the figure
 * issue 28 measured on this machine (SB3 2.0, PyTorch, 1 thread), quoted as the reference.
 * Writes bench/results/rl-speed.md (or --out FILE).
 */
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../src/nets/backend.ts';
import { make } from '../src/env/registry.ts';
import { type AlgoName, createAgent, usesFactory, zooPreset } from '../src/agents/common/algorithms.ts';
import { evaluatePolicy } from '../src/agents/common/evaluate.ts';
import type { AgentEnv } from '../src/agents/common/env-types.ts';
import { ENGINES, type ResolvedEngine, resolveEngine } from '../src/agents/common/engine.ts';
import { writeFileAtomic } from '../src/util/fs.ts';

/** Issue 28's side-by-side measurement: task, steps, SB3's training steps/s (the reference). */
const TASKS: { algo: AlgoName; steps: number; sb3: number }[] = [
  { algo: 'a2c', steps: 50_000, sb3: 14_012 },
  { algo: 'ppo', steps: 50_000, sb3: 6_046 },
  { algo: 'dqn', steps: 20_000, sb3: 1_462 },
];
const TARGET_FACTOR = 1.5;

const args = process.argv.slice(2);
function opt(name: string, dflt: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : dflt;
}
const seeds = Number(opt('seeds', '5'));
if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`--seeds must be a positive integer, got '${opt('seeds', '')}'`);
const algos = opt('algos', 'a2c,ppo,dqn').split(',');
for (const a of algos) if (!TASKS.some((t) => t.algo === a)) throw new Error(`--algos: unknown '${a}' (expected a2c, ppo, dqn)`);
const engines = opt('engines', 'onnxruntime,tfjs').split(',') as ResolvedEngine[];
for (const e of engines) if (!(ENGINES as readonly string[]).includes(e) || e === ('auto' as string)) throw new Error(`--engines: unknown '${e}' (expected onnxruntime, tfjs)`);
for (const e of engines) resolveEngine(e, 'bench'); // a clear error now if onnxruntime does not load
const backend = await initBackend({ backend: opt('backend', 'wasm'), quiet: true });

interface Run {
  sps: number;
  trainSecs: number;
  evalSecs: number;
  finalReturn: number;
}
const runs = new Map<string, Run[]>();

const t0 = performance.now();
for (let seed = 0; seed < seeds; seed++) {
  for (const task of TASKS.filter((t) => algos.includes(t.algo))) {
    // Alternate which engine goes first, so neither always runs in the other's wake.
    const order = seed % 2 === 0 ? engines : [...engines].reverse();
    for (const engine of order) {
      const preset = zooPreset(task.algo, 'CartPole-v1');
      const env = usesFactory(task.algo) ? () => make('CartPole-v1') as unknown as AgentEnv : (make('CartPole-v1') as unknown as AgentEnv);
      const agent = createAgent(task.algo, env, { ...(preset?.options ?? {}), seed, engine });
      const s = performance.now();
      await agent.learn(task.steps);
      const trainSecs = (performance.now() - s) / 1000;
      const e = performance.now();
      const finalReturn = evaluatePolicy((o) => agent.predict(o, true), make('CartPole-v1') as unknown as AgentEnv, 10, 1_000_000 + seed).mean;
      const evalSecs = (performance.now() - e) / 1000;
      agent.dispose();
      const run = { sps: agent.numTimesteps / trainSecs, trainSecs, evalSecs, finalReturn };
      const key = `${task.algo}|${engine}`;
      runs.set(key, [...(runs.get(key) ?? []), run]);
      console.log(`seed ${seed} ${task.algo.padEnd(4)} ${engine.padEnd(12)} ${run.sps.toFixed(0).padStart(6)} steps/s  train ${trainSecs.toFixed(1)} s  eval ${evalSecs.toFixed(1)} s  return ${finalReturn.toFixed(1)}`);
    }
  }
}

const median = (a: number[]): number => {
  const s = a.slice().sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
const range = (a: number[]): string => `${Math.min(...a).toFixed(0)}-${Math.max(...a).toFixed(0)}`;

const rows: string[] = [];
const detail: string[] = [];
for (const task of TASKS.filter((t) => algos.includes(t.algo))) {
  const target = task.sb3 * TARGET_FACTOR;
  const get = (e: ResolvedEngine): Run[] => runs.get(`${task.algo}|${e}`) ?? [];
  const after = get('onnxruntime');
  const before = get('tfjs');
  const spsAfter = after.length ? median(after.map((r) => r.sps)) : NaN;
  const spsBefore = before.length ? median(before.map((r) => r.sps)) : NaN;
  rows.push(
    `| ${task.algo.toUpperCase()} CartPole-v1, ${task.steps / 1000}k steps | ${fmt(task.sb3)} | ${fmt(target)} | ${before.length ? fmt(spsBefore) : '-'} | ${after.length ? fmt(spsAfter) : '-'} | ${after.length ? (spsAfter / task.sb3).toFixed(2) : '-'} | ${after.length ? (spsAfter >= target ? 'yes' : 'no') : '-'} | ${before.length ? range(before.map((r) => r.finalReturn)) : '-'} | ${after.length ? range(after.map((r) => r.finalReturn)) : '-'} |`,
  );
  for (const e of engines) {
    const rs = get(e);
    detail.push(`| ${task.algo.toUpperCase()} | ${e} | ${rs.map((r) => fmt(r.sps)).join(', ')} | ${rs.map((r) => r.trainSecs.toFixed(1)).join(', ')} | ${rs.map((r) => r.evalSecs.toFixed(2)).join(', ')} | ${rs.map((r) => r.finalReturn.toFixed(1)).join(', ')} |`);
  }
}

const md = [
  '# Classic-RL training speed against Stable-Baselines3 (bench/rl-speed.ts)',
  '',
  `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}; load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')}`,
  `(the machine is shared: other engineers' jobs ran throughout). ${seeds} seed(s) per cell, engines interleaved seed by seed in one process; tfjs backend: ${backend}.`,
  '',
  'Steps/s = environment steps / wall seconds inside `learn` (acting, environment stepping and training; no evaluation), median over seeds.',
  '"Before" is the tfjs engine (the implementation before issue 28, kept as the fallback engine); "after" the onnxruntime engine.',
  'SB3 column: the figure issue 28 measured on this machine (SB3 2.0 on PyTorch, 1 thread, RL Zoo settings); SB3 cannot run here',
  '(PyPI is unreachable), so it is quoted as the reference, not re-measured. Target = 1.5 x SB3. Return = mean of 10 deterministic',
  'evaluation episodes after training (fresh seeds), range over seeds.',
  '',
  '| task | SB3 steps/s (reference) | target | tengen before (tfjs) | tengen after (onnxruntime) | after / SB3 | target met | return before | return after |',
  '|---|---:|---:|---:|---:|---:|---|---|---|',
  ...rows,
  '',
  'Per seed:',
  '',
  '| algo | engine | steps/s | train s | eval s | final return |',
  '|---|---|---|---|---|---|',
  ...detail,
  '',
  `Time used: ${((performance.now() - t0) / 1000).toFixed(0)} s. Reproduce: \`npx tsx bench/rl-speed.ts --seeds ${seeds}${algos.length < 3 ? ` --algos ${algos.join(',')}` : ''}\``,
  '',
].join('\n');
writeFileAtomic(opt('out', join(dirname(fileURLToPath(import.meta.url)), 'results', 'rl-speed.md')), md);
console.log(md);
