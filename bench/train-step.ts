/**
 * AlphaZero training speed: samples per second of the pipeline's own Trainer (one SGD-momentum step
 * on (z - v)^2 - pi.log p + c||theta||^2, batch 256) for each game's default residual net, on the
 * Trainer's two engines in interleaved rounds of one process (the machine is shared):
 *
 *   tfjs         tf.variableGrads on the tfjs wasm backend (the implementation before issue 28)
 *   onnxruntime  one onnxruntime call per step on the training graph of src/nets/train/model-graph.ts
 *
 * beside the net's inference speed (onnxruntime, batch 256, the self-play evaluator), both also as
 * achieved GFLOP/s: inference 2 x MACs per position, training 3 x that per sample (forward, input
 * gradients, weight gradients), MACs from src/nets/summary.ts.
 *
 *   npx tsx bench/train-step.ts [--rounds 3] [--steps 6] [--nets connect4,go9,go19]
 *
 * Writes bench/results/train-step.md.
 */
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../src/nets/backend.ts';
import { makeGame } from '../src/agents/alphazero/games.ts';
import { defaultConfig } from '../src/agents/alphazero/config.ts';
import { buildNet, netSpecFor, describeSpec, type PolicyHead } from '../src/agents/alphazero/net.ts';
import { Trainer } from '../src/agents/alphazero/trainer.ts';
import { summarizeModel } from '../src/nets/summary.ts';
import { OnnxEvaluator } from '../src/nets/onnx-evaluator.ts';
import { writeFileAtomic } from '../src/util/fs.ts';
import { Rng } from '../src/util/rng.ts';

const args = process.argv.slice(2);
const flag = (name: string, def: number): number => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} expects a positive integer, got '${args[i + 1]}'`);
  return v;
};
const ROUNDS = flag('rounds', 3);
const STEPS = flag('steps', 6);
const BATCH = 256;
const NETS: Record<string, [string, Record<string, number>]> = { connect4: ['connect4', {}], go9: ['go', { size: 9 }], go19: ['go', { size: 19 }] };
const nets = (args.includes('--nets') ? args[args.indexOf('--nets') + 1]! : 'connect4,go9,go19').split(',');
for (const n of nets) if (!NETS[n]) throw new Error(`--nets: unknown '${n}' (expected ${Object.keys(NETS).join(', ')})`);
const ENGINES = ['tfjs', 'onnxruntime'] as const;

const backend = await initBackend({ backend: 'wasm', quiet: true });

interface Case {
  label: string;
  macs: number;
  trainers: Record<(typeof ENGINES)[number], Trainer>;
  evaluator: OnnxEvaluator;
  batch: { obs: Float32Array; pi: Float32Array; z: Float32Array; n: number };
}

const cases: Case[] = [];
for (const key of nets) {
  const [name, params] = NETS[key]!;
  const d = defaultConfig(name);
  const game = makeGame(name, params);
  const spec = netSpecFor(game, 'resnet', d.blocks, d.filters, d.policyHead as PolicyHead);
  const opts = { optimizer: d.optimizer, lrSchedule: d.lrSchedule, momentum: d.momentum, l2: d.l2 };
  const trainers = { tfjs: new Trainer(buildNet(spec, 1), { ...opts, engine: 'tfjs' }), onnxruntime: new Trainer(buildNet(spec, 1), { ...opts, engine: 'onnxruntime' }) };
  const rng = new Rng(1);
  const per = spec.inputShape.reduce((a, b) => a * b, 1);
  const obs = Float32Array.from({ length: BATCH * per }, () => (rng.next() < 0.3 ? 1 : 0));
  const pi = new Float32Array(BATCH * spec.numActions).fill(1 / spec.numActions);
  const z = Float32Array.from({ length: BATCH }, () => (rng.next() < 0.5 ? 1 : -1));
  const size = 'size' in params ? ` ${params['size']}x${params['size']}` : '';
  const evaluator = await OnnxEvaluator.create(game, trainers.onnxruntime.model);
  cases.push({ label: `${name}${size}, ${describeSpec(spec)}, input ${spec.inputShape.join('x')}`, macs: summarizeModel(trainers.tfjs.model).macs, trainers, evaluator, batch: { obs, pi, z, n: BATCH } });
}

const results = new Map<string, number[]>();
const note = (key: string, v: number): void => void results.set(key, [...(results.get(key) ?? []), v]);
const t0 = performance.now();
for (let round = 0; round < ROUNDS; round++) {
  for (const c of cases) {
    const order = round % 2 === 0 ? ENGINES : [...ENGINES].reverse();
    for (const e of order) {
      const tr = c.trainers[e];
      tr.trainStep(c.batch); // warm-up (the first onnxruntime call also compiles the graph)
      const s = performance.now();
      for (let i = 0; i < STEPS; i++) tr.trainStep(c.batch);
      const sps = (STEPS * BATCH) / ((performance.now() - s) / 1000);
      note(`${c.label}|${e}`, sps);
      console.log(`round ${round + 1} ${c.label} ${e}: ${sps.toFixed(0)} samples/s (${((6 * c.macs * sps) / 1e9).toFixed(1)} GFLOP/s)`);
    }
    await c.evaluator.predictBatch(c.batch.obs, BATCH);
    const s = performance.now();
    let calls = 0;
    while (performance.now() - s < 1000) {
      await c.evaluator.predictBatch(c.batch.obs, BATCH);
      calls++;
    }
    const pps = (calls * BATCH) / ((performance.now() - s) / 1000);
    note(`${c.label}|inference`, pps);
    console.log(`round ${round + 1} ${c.label} inference: ${pps.toFixed(0)} positions/s (${((2 * c.macs * pps) / 1e9).toFixed(1)} GFLOP/s)`);
  }
}

const best = (k: string): number => Math.max(...(results.get(k) ?? [NaN]));
const median = (k: string): number => {
  const a = (results.get(k) ?? [NaN]).slice().sort((x, y) => x - y);
  return a[Math.floor(a.length / 2)]!;
};
const gf = (flopsPerItem: number, perSec: number): string => ((flopsPerItem * perSec) / 1e9).toFixed(1);
const rows = cases.map((c) => {
  const b = best(`${c.label}|tfjs`);
  const a = best(`${c.label}|onnxruntime`);
  const inf = best(`${c.label}|inference`);
  return `| ${c.label} | ${(c.macs / 1e6).toFixed(1)} M | ${b.toFixed(0)} (${median(`${c.label}|tfjs`).toFixed(0)}) | ${a.toFixed(0)} (${median(`${c.label}|onnxruntime`).toFixed(0)}) | ${(a / b).toFixed(2)}x | ${gf(6 * c.macs, b)} | ${gf(6 * c.macs, a)} | ${inf.toFixed(0)} | ${gf(2 * c.macs, inf)} |`;
});
const md = [
  '# AlphaZero training speed: the Trainer\'s engines (bench/train-step.ts)',
  '',
  `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, one thread each (tfjs backend: ${backend}, SIMD; onnxruntime 1 intra-op thread).`,
  `Load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (the machine is shared with other engineers' jobs). ${ROUNDS} interleaved rounds of ${STEPS} steps per cell, batch ${BATCH},`,
  "the pipeline's Trainer on each game's default net and optimizer (SGD + momentum 0.9 on the AlphaZero loss, L2 1e-4). Cells: best round (median round).",
  'GFLOP/s: training 6 x MACs per sample (forward, input and weight gradients), inference 2 x MACs per position (onnxruntime, batch 256).',
  '',
  '| net | MACs/position | samples/s, tfjs (before) | samples/s, onnxruntime (after) | speed-up | GFLOP/s before | GFLOP/s after | inference positions/s | inference GFLOP/s |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows,
  '',
  `Time used: ${((performance.now() - t0) / 1000).toFixed(0)} s. Reproduce: \`npx tsx bench/train-step.ts --rounds ${ROUNDS} --steps ${STEPS}${nets.length < 3 ? ` --nets ${nets.join(',')}` : ''}\``,
  '',
  'Earlier (same script, before the onnxruntime engine existed): replacing the wasm package\'s Tile kernel (batch norm\'s gradient) by block copies',
  '(src/nets/wasm/tile.ts) made the tfjs steps 1.44-1.46x faster on every board size; the tfjs column includes that.',
  '',
].join('\n');
writeFileAtomic(join(dirname(fileURLToPath(import.meta.url)), 'results', 'train-step.md'), md);
console.log(md);
for (const c of cases) {
  c.trainers.tfjs.dispose();
  c.trainers.onnxruntime.dispose();
  await c.evaluator.dispose();
}
