/**
 * Net evaluation speed: positions per second (both heads) at batch 1, 8, 64 and 256 for the
 * 6-block x 64-filter residual net on 9x9 Go-shaped input (17 planes, 82 actions), per evaluator:
 * onnxruntime-node (1 and 2 intra-op threads), tfjs wasm, tfjs cpu; and training samples per second
 * on wasm (one plain SGD step on the AlphaZero loss (z - v)^2 - pi.log p).
 *
 *   npx tsx bench/nets.ts [--rounds 3] [--seconds 1] [--no-cpu]
 *
 * Each cell is the best of `rounds` timed rounds of at least `seconds`, interleaved across the
 * evaluators (other processes share the CPU; tfjs cpu gets one round, it is ~100x slower). Writes
 * bench/results/nets.md.
 */
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf, initBackend } from '../src/nets/backend.ts';
import { buildResNet, type ResNetConfig } from '../src/nets/resnet.ts';
import { summarizeModel } from '../src/nets/summary.ts';
import { NetEvaluator, type NetworkEvaluator } from '../src/nets/evaluator.ts';
import { OnnxEvaluator } from '../src/nets/onnx-evaluator.ts';
import { writeFileAtomic } from '../src/util/fs.ts';
import { Rng } from '../src/util/rng.ts';

const args = process.argv.slice(2);
const flag = (name: string, def: number): number => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(args[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} expects a positive number, got '${args[i + 1]}'`);
  return v;
};
const ROUNDS = flag('rounds', 3);
const SECONDS = flag('seconds', 1);
const WITH_CPU = !args.includes('--no-cpu');
const BATCHES = [1, 8, 64, 256];
const GAME = { observationShape: [9, 9, 17] as const, numActions: 82 };
const CONFIG: ResNetConfig = { blocks: 6, filters: 64, inputShape: GAME.observationShape, numActions: GAME.numActions, seed: 1 };
const PER = 9 * 9 * 17;

/** A fake game with the right shapes: the evaluators only check shapes when given a raw batch. */
const shapeGame = { name: 'go9-shapes', ...GAME, boardShape: [9, 9] as const, maxGameLength: 0, params: {}, newInitialState: () => { throw new Error('shapes only'); }, deserialize: () => { throw new Error('shapes only'); } };

function inputs(n: number): Float32Array {
  const rng = new Rng(n);
  return Float32Array.from({ length: n * PER }, () => (rng.nextDouble() < 0.3 ? 1 : 0));
}

/** Positions per second over one timed round: calls until at least SECONDS have passed. */
async function timedRound(ev: NetworkEvaluator, n: number, obs: Float32Array): Promise<number> {
  let calls = 0;
  const t = performance.now();
  let elapsed = 0;
  do {
    await ev.predictBatch(obs, n);
    calls++;
    elapsed = (performance.now() - t) / 1000;
  } while (elapsed < SECONDS);
  return (calls * n) / elapsed;
}

/**
 * Best positions per second per evaluator and batch over ROUNDS rounds. Rounds are interleaved
 * across evaluators, so a burst of load from other processes hits all of them alike.
 */
async function measureInterleaved(evs: { name: string; ev: NetworkEvaluator }[], rounds: number): Promise<{ name: string; pps: number[] }[]> {
  const obs = BATCHES.map((b) => inputs(b));
  const best = evs.map(() => BATCHES.map(() => 0));
  for (const { ev } of evs) for (const [j, b] of BATCHES.entries()) await ev.predictBatch(obs[j]!, b); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const [j, b] of BATCHES.entries()) {
      for (const [i, { ev }] of evs.entries()) best[i]![j] = Math.max(best[i]![j]!, await timedRound(ev, b, obs[j]!));
    }
    process.stderr.write(`round ${r + 1}/${rounds} done\n`);
  }
  return evs.map((e, i) => ({ name: e.name, pps: best[i]! }));
}

/** Training samples per second: SGD steps on (z - v)^2 - pi.log softmax(logits), batch `n`. */
async function trainSamplesPerSecond(model: tf.LayersModel, n: number, steps: number): Promise<number> {
  const rng = new Rng(7);
  const x = tf.tensor4d(inputs(n), [n, 9, 9, 17]);
  const piRaw = Float32Array.from({ length: n * GAME.numActions }, () => rng.nextDouble());
  const pi = tf.tidy(() => {
    const t = tf.tensor2d(piRaw, [n, GAME.numActions]);
    return tf.div(t, tf.sum(t, 1, true));
  });
  const z = tf.tensor2d(Float32Array.from({ length: n }, () => (rng.nextDouble() < 0.5 ? -1 : 1)), [n, 1]);
  const opt = tf.train.sgd(0.01);
  const step = (): void => {
    const cost = opt.minimize(() => {
      const [logits, v] = model.apply(x, { training: true }) as tf.Tensor[];
      const valueLoss = tf.mean(tf.square(tf.sub(z, v!)));
      const policyLoss = tf.neg(tf.mean(tf.sum(tf.mul(pi, tf.logSoftmax(logits!)), 1)));
      return tf.add(valueLoss, policyLoss) as tf.Scalar;
    }, true);
    cost?.dataSync();
    cost?.dispose();
  };
  step(); // warm-up
  let best = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    for (let i = 0; i < steps; i++) step();
    best = Math.max(best, (steps * n) / ((performance.now() - t) / 1000));
  }
  tf.dispose([x, pi, z]);
  opt.dispose();
  return best;
}

async function main(): Promise<void> {
  const rows: { name: string; pps: number[] }[] = [];
  const notes: string[] = [];

  await initBackend({ backend: 'wasm', quiet: true });
  const wasmModel = buildResNet(CONFIG);
  const summary = summarizeModel(wasmModel);

  const evs: { name: string; ev: NetworkEvaluator }[] = [];
  for (const threads of [1, 2]) {
    try {
      evs.push({ name: `onnxruntime (${threads} thread${threads > 1 ? 's' : ''})`, ev: await OnnxEvaluator.create(shapeGame, wasmModel, { intraOpNumThreads: threads }) });
    } catch (e) {
      notes.push(`onnxruntime (${threads} threads) unavailable: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  evs.push({ name: 'tfjs wasm', ev: new NetEvaluator(shapeGame, wasmModel) });
  rows.push(...(await measureInterleaved(evs, ROUNDS)));
  for (const { ev } of evs) await ev.dispose();

  let trainSps = NaN;
  const TRAIN_BATCH = 64;
  try {
    trainSps = await trainSamplesPerSecond(wasmModel, TRAIN_BATCH, 3);
  } catch (e) {
    notes.push(`training on wasm failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  process.stderr.write('wasm training done\n');
  wasmModel.dispose();

  if (WITH_CPU) {
    await initBackend({ backend: 'cpu', quiet: true });
    const cpuModel = buildResNet(CONFIG);
    rows.push(...(await measureInterleaved([{ name: 'tfjs cpu', ev: new NetEvaluator(shapeGame, cpuModel) }], 1)));
    cpuModel.dispose();
  }

  const fmt = (x: number): string => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
  const table = [
    `| evaluator | ${BATCHES.map((b) => `batch ${b}`).join(' | ')} |`,
    `|---|${BATCHES.map(() => '---:').join('|')}|`,
    ...rows.map((r) => `| ${r.name} | ${r.pps.map(fmt).join(' | ')} |`),
  ];
  const ortBest = Math.max(...rows.filter((r) => r.name.startsWith('onnxruntime')).map((r) => r.pps[2] ?? 0));
  const md = [
    '# Net evaluation speed (bench/nets.ts)',
    '',
    `Residual policy-value net, ${CONFIG.blocks} blocks x ${CONFIG.filters} filters, 9x9x17 input, 82 actions: ` +
      `${summary.totalParams.toLocaleString('en-US')} params, ${(summary.macs / 1e6).toFixed(1)} M multiply-adds per position.`,
    `Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}; best of ${ROUNDS} interleaved rounds of >= ${SECONDS} s per cell (tfjs cpu: 1 round); the CPU is shared with other processes.`,
    '',
    '## Positions per second (policy and value heads, raw batch call)',
    '',
    ...table,
    '',
    `Target: onnxruntime >= 1,000 positions/s at batch 64: ${ortBest >= 1000 ? 'met' : 'NOT met'} (${fmt(ortBest)}).`,
    '',
    '## Training on tfjs wasm',
    '',
    `SGD step on (z - v)^2 - pi.log p, batch ${TRAIN_BATCH}, BN in training mode: ${Number.isNaN(trainSps) ? 'failed' : `${fmt(trainSps)} samples/s`}.`,
    ...(notes.length ? ['', '## Notes', '', ...notes.map((n) => `- ${n}`)] : []),
    '',
  ].join('\n');
  process.stdout.write(md);
  const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'nets.md');
  writeFileAtomic(out, md);
  process.stdout.write(`\nwrote ${out}\n`);
}

await main();
