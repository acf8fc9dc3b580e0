/**
 * AlphaZero training speed on wasm: samples per second of the pipeline's own Trainer (one SGD step
 * on (z - v)^2 - pi.log p + c||theta||^2, batch 256) for each game's default residual net, with the
 * wasm package's Tile kernel and with ours (src/nets/wasm/tile.ts), in interleaved rounds of the
 * same process. Batch norm's gradient tiles a channel vector over the whole activation several
 * times per layer, which is where the two differ.
 *
 *   npx tsx bench/train-step.ts [--rounds 3] [--steps 8]
 *
 * Writes bench/results/train-step.md.
 */
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf, initBackend } from '../src/nets/backend.ts';
import { packageTileKernel, tileKernels } from '../src/nets/wasm/tile.ts';
import { makeGame } from '../src/agents/alphazero/games.ts';
import { defaultConfig } from '../src/agents/alphazero/config.ts';
import { buildNet, netSpecFor, describeSpec, type PolicyHead } from '../src/agents/alphazero/net.ts';
import { Trainer } from '../src/agents/alphazero/trainer.ts';
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
const STEPS = flag('steps', 8);
const BATCH = 256;

await initBackend({ backend: 'wasm' });
const pkg = packageTileKernel();
const ours = tileKernels()[0];
if (!pkg || !ours) throw new Error('the wasm Tile kernels were not captured (is the backend wasm?)');
const useTile = (k: tf.KernelConfig): void => {
  tf.unregisterKernel('Tile', 'wasm');
  tf.registerKernel(k);
};

interface Case {
  label: string;
  trainer: Trainer;
  batch: { obs: Float32Array; pi: Float32Array; z: Float32Array; n: number };
}

const cases: Case[] = [];
for (const [name, params] of [['connect4', {}], ['go', { size: 9 }], ['go', { size: 19 }]] as const) {
  const d = defaultConfig(name);
  const game = makeGame(name, params);
  const spec = netSpecFor(game, 'resnet', d.blocks, d.filters, d.policyHead as PolicyHead);
  const trainer = new Trainer(buildNet(spec, 1), { optimizer: d.optimizer, lrSchedule: d.lrSchedule, momentum: d.momentum, l2: d.l2 });
  const rng = new Rng(1);
  const per = spec.inputShape.reduce((a, b) => a * b, 1);
  const obs = Float32Array.from({ length: BATCH * per }, () => (rng.next() < 0.3 ? 1 : 0));
  const pi = new Float32Array(BATCH * spec.numActions).fill(1 / spec.numActions);
  const z = Float32Array.from({ length: BATCH }, () => (rng.next() < 0.5 ? 1 : -1));
  const size = 'size' in params ? ` ${params.size}x${params.size}` : '';
  cases.push({ label: `${name}${size}, ${describeSpec(spec)}, input ${spec.inputShape.join('x')}`, trainer, batch: { obs, pi, z, n: BATCH } });
}

const best = new Map<string, number>();
const t0 = performance.now();
for (let round = 0; round < ROUNDS; round++) {
  for (const c of cases) {
    for (const [which, k] of [['package', pkg], ['ours', ours]] as const) {
      useTile(k);
      c.trainer.trainStep(c.batch); // warm-up (first calls compile nothing on wasm, but allocate)
      const s = performance.now();
      for (let i = 0; i < STEPS; i++) c.trainer.trainStep(c.batch);
      const sps = (STEPS * BATCH) / ((performance.now() - s) / 1000);
      const key = `${c.label}|${which}`;
      best.set(key, Math.max(best.get(key) ?? 0, sps));
      console.log(`round ${round + 1} ${c.label} Tile=${which}: ${sps.toFixed(0)} samples/s`);
    }
  }
}
useTile(ours);

const rows = cases.map((c) => {
  const a = best.get(`${c.label}|package`)!;
  const b = best.get(`${c.label}|ours`)!;
  return `| ${c.label} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(b / a).toFixed(2)}x |`;
});
const md = [
  '# AlphaZero training speed on wasm: the Tile kernel (bench/train-step.ts)',
  '',
  `Measured ${new Date().toISOString()} on ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, one thread (tfjs wasm, SIMD).`,
  `Load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}. Best of ${ROUNDS} interleaved rounds of ${STEPS} steps per cell; batch ${BATCH};`,
  'the pipeline\'s Trainer on each game\'s default net and optimizer (SGD + momentum, the AlphaZero loss with L2).',
  '',
  '| net | samples/s, package Tile | samples/s, our Tile | speed-up |',
  '|---|---:|---:|---:|',
  ...rows,
  '',
  `Time used: ${((performance.now() - t0) / 1000).toFixed(0)} s. Reproduce: \`npx tsx bench/train-step.ts --rounds ${ROUNDS} --steps ${STEPS}\``,
  '',
].join('\n');
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'train-step.md');
writeFileAtomic(out, md);
console.log(md);
for (const c of cases) c.trainer.dispose();
