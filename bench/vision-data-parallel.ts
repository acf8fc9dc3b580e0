/**
 * Data-parallel and model-parallel training across worker_threads, side by side:
 *
 *   nice -n 5 npx tsx bench/vision-data-parallel.ts [--steps 600] [--batch 64] [--lr 0.03] [--seed 1]
 *
 * Synchronous and asynchronous (parameter server) data parallelism with 1 and 2 workers, and model
 * parallelism over 2 workers, each for the same number of examples, on the one-shape 32x32
 * classifier of src/vision/data-parallel-model.ts (4,000 training images, 1,000 test images).
 * Prints and writes bench/results/vision-data-parallel.md: throughput, speed-up from 1 to 2
 * workers, final test accuracy, and the async staleness.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { initBackend } from '../src/nets/backend.ts';
import { writeFileAtomic } from '../src/util/fs.ts';
import { numberFlag } from '../src/util/flags.ts';
import { dpDataset } from '../src/vision/data-parallel-model.ts';
import { dpEvaluate, trainAsync, trainModelParallel, trainSync, type DpResult } from '../src/vision/data-parallel.ts';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '600' }, batch: { type: 'string', default: '64' }, lr: { type: 'string', default: '0.03' }, seed: { type: 'string', default: '1' } } });
const steps = numberFlag('--steps', values.steps, { min: 1, integer: true });
const batch = numberFlag('--batch', values.batch, { min: 2, integer: true });
const lr = numberFlag('--lr', values.lr, { min: 0 });
const seed = numberFlag('--seed', values.seed, { integer: true });
const backend = await initBackend({ quiet: true });
const train = dpDataset(seed, 4000);
const test = dpDataset(seed + 7000, 1000);
const started = Date.now();

interface Row { mode: string; workers: number; r: DpResult }
const rows: Row[] = [];
const run = async (mode: string, workers: number, f: () => Promise<DpResult>): Promise<void> => {
  const r = await f();
  rows.push({ mode, workers, r });
  console.log(`${mode}, ${workers} worker(s): ${(r.samples / r.seconds).toFixed(0)} samples/s, test accuracy ${(100 * dpEvaluate(r.weights, test).accuracy).toFixed(1)}%${r.staleness ? `, staleness mean ${r.staleness.mean.toFixed(2)} max ${r.staleness.max}` : ''}`);
};
const o = { steps, batch, lr, seed, backend };
await run('synchronous data parallel', 1, () => trainSync(train, { ...o, workers: 1 }));
await run('synchronous data parallel', 2, () => trainSync(train, { ...o, workers: 2 }));
await run('asynchronous data parallel (parameter server)', 1, () => trainAsync(train, { ...o, workers: 1 }));
await run('asynchronous data parallel (parameter server)', 2, () => trainAsync(train, { ...o, workers: 2 }));
await run('model parallel (convs | head)', 2, () => trainModelParallel(train, o));

const sps = (r: DpResult): number => r.samples / r.seconds;
const base = (mode: string): DpResult => rows.find((x) => x.mode === mode && x.workers === 1)?.r ?? rows[0]!.r;
const lines = [
  '# Data-parallel training on worker_threads (bench/vision-data-parallel.ts)',
  '',
  `Classifier: conv 8 - pool - conv 16 - pool - GAP - dense 3 (ReLU) on one-shape 32x32 shapes images; 4,000 training images`,
  `(seed ${seed}), 1,000 test images (seed ${seed + 7000}). SGD with momentum 0.9, lr ${lr}, ${steps} steps of ${batch} examples in every mode`,
  `(${steps * batch} examples: the async server applies ${steps} pushes of ${batch}). Backend ${backend} in every thread. Machine: ${cpus().length} x`,
  `${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}; load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')} (the 2 cores were`,
  'shared with a self-play run at nice 19 and a Transformer training run, so absolute speeds are low and the speed-ups understated).',
  '',
  '| mode | workers | samples/s | speed-up vs 1 worker | test accuracy | final train loss (mean of last 20 steps) | staleness (mean / max) | seconds |',
  '|---|---:|---:|---:|---:|---:|---|---:|',
  ...rows.map(({ mode, workers, r }) => {
    const last = r.losses.slice(-20);
    const ref = mode.startsWith('model') ? base('synchronous data parallel') : base(mode);
    return `| ${mode} | ${workers} | ${sps(r).toFixed(0)} | ${(sps(r) / sps(ref)).toFixed(2)}x${mode.startsWith('model') ? ' (vs sync, 1 worker)' : ''} | ${(100 * dpEvaluate(r.weights, test).accuracy).toFixed(1)}% | ${(last.reduce((a, b) => a + b, 0) / last.length).toFixed(3)} | ${r.staleness ? `${r.staleness.mean.toFixed(2)} / ${r.staleness.max}` : '-'} | ${r.seconds.toFixed(1)} |`;
  }),
  '',
  'Synchronous steps are the same SGD as one thread on the whole batch (test/vision/data-parallel.test.ts checks the weights',
  'within 1e-4), so its accuracy should match the 1-worker run; asynchronous pushes are applied to weights that moved since',
  'the pull (staleness), which costs accuracy per example; model parallelism runs the two halves one after the other (no',
  'micro-batch pipelining), so it pays the activation transfer without any overlap.',
  '',
  `Time used: ${((Date.now() - started) / 1000).toFixed(0)} s. Reproduce: \`nice -n 5 npx tsx bench/vision-data-parallel.ts --steps ${steps} --batch ${batch} --lr ${lr} --seed ${seed}\``,
];
writeFileAtomic('bench/results/vision-data-parallel.md', lines.join('\n') + '\n');
console.log(lines.join('\n'));
