/**
 * Tensor backend throughput, side by side on every available backend:
 *   conv2d and matMul, forward and forward+backward, in GFLOP/s; and the samples/s of a training
 *   step of a small AlphaZero-style residual net (conv + batch norm, policy and value heads).
 *
 *   npx tsx bench/backend.ts [--backends=wasm,cpu] [--min-time=0.8] [--out=bench/results/backend.md]
 *
 * Timing: each case is warmed up (2 runs, which also compiles/allocates), then repeated until
 * --min-time seconds have passed (at least 2 runs); each run ends with dataSync() on the results
 * so queued work is included. FLOPs: a conv is 2*N*Ho*Wo*kh*kw*Ci*Co; a matMul 2*M*K*N;
 * forward+backward counts 3x the forward (the input and the weight gradient each cost one
 * forward), as is usual. Writes a markdown table to bench/results/backend.md.
 */
import { cpus, loadavg } from 'node:os';
import { writeFileAtomic } from '../src/util/fs.ts';
import { tf, initBackend, availableBackends } from '../src/nets/backend.ts';

interface Args {
  backends: string[] | null;
  minTime: number;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { backends: null, minTime: 0.8, out: 'bench/results/backend.md' };
  for (const a of argv) {
    const [k, v] = a.split('=', 2) as [string, string | undefined];
    if (k === '--backends' && v) args.backends = v.split(',');
    else if (k === '--min-time' && v && Number(v) > 0) args.minTime = Number(v);
    else if (k === '--out' && v) args.out = v;
    else throw new Error(`unknown argument '${a}'; expected --backends=wasm,cpu, --min-time=SECONDS or --out=FILE`);
  }
  return args;
}

/** Mean seconds per run of f (after warm-up). */
function timeIt(f: () => void, minTime: number): number {
  f();
  f();
  let runs = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (runs < 2 || elapsed < minTime) {
    f();
    runs++;
    elapsed = (performance.now() - t0) / 1000;
  }
  return elapsed / runs;
}

interface OpCase {
  name: string;
  flops: number; // forward
  fwd: () => void;
  fwdBwd: () => void;
  dispose: () => void;
}

function convCase(n: number, hw: number, ci: number, co: number, k: number): OpCase {
  const x = tf.randomUniform([n, hw, hw, ci], -1, 1, 'float32', 1) as tf.Tensor4D;
  const f = tf.randomUniform([k, k, ci, co], -0.1, 0.1, 'float32', 2) as tf.Tensor4D;
  const r = tf.randomUniform([n, hw, hw, co], -1, 1, 'float32', 3);
  const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same').mul(r).sum());
  return {
    name: `conv2d ${n}x${hw}x${hw}x${ci} -> ${co}, ${k}x${k} same`,
    flops: 2 * n * hw * hw * k * k * ci * co,
    fwd: () => tf.tidy(() => void tf.conv2d(x, f, 1, 'same').dataSync()),
    fwdBwd: () => tf.tidy(() => grads([x, f]).forEach((g) => g.dataSync())),
    dispose: () => tf.dispose([x, f, r]),
  };
}

function matMulCase(m: number, kk: number, nn: number): OpCase {
  const a = tf.randomUniform([m, kk], -1, 1, 'float32', 4) as tf.Tensor2D;
  const b = tf.randomUniform([kk, nn], -1, 1, 'float32', 5) as tf.Tensor2D;
  const r = tf.randomUniform([m, nn], -1, 1, 'float32', 6);
  const grads = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D).mul(r).sum());
  return {
    name: `matMul ${m}x${kk} * ${kk}x${nn}`,
    flops: 2 * m * kk * nn,
    fwd: () => tf.tidy(() => void tf.matMul(a, b).dataSync()),
    fwdBwd: () => tf.tidy(() => grads([a, b]).forEach((g) => g.dataSync())),
    dispose: () => tf.dispose([a, b, r]),
  };
}

/** A small AlphaZero-style net: 9x9 board, 8 input planes, 4 residual blocks of 32 filters. */
function trainStepCase(batch: number): { name: string; step: () => Promise<unknown>; dispose: () => void } {
  const size = 9;
  const filters = 32;
  const seed = (s: number) => tf.initializers.heNormal({ seed: s });
  const inp = tf.input({ shape: [size, size, 8] });
  const convBn = (t: tf.SymbolicTensor, s: number, relu: boolean, f = filters, k = 3): tf.SymbolicTensor => {
    let h = tf.layers.conv2d({ filters: f, kernelSize: k, padding: 'same', useBias: false, kernelInitializer: seed(s) }).apply(t) as tf.SymbolicTensor;
    h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
    return relu ? (tf.layers.reLU().apply(h) as tf.SymbolicTensor) : h;
  };
  let h = convBn(inp, 1, true);
  for (let b = 0; b < 4; b++) {
    const r = convBn(convBn(h, 10 + 2 * b, true), 11 + 2 * b, false);
    h = tf.layers.reLU().apply(tf.layers.add().apply([h, r]) as tf.SymbolicTensor) as tf.SymbolicTensor;
  }
  const p = tf.layers.flatten().apply(convBn(h, 30, true, 2, 1)) as tf.SymbolicTensor;
  const policy = tf.layers.dense({ units: size * size + 1, activation: 'softmax', kernelInitializer: seed(31) }).apply(p) as tf.SymbolicTensor;
  let v = tf.layers.flatten().apply(convBn(h, 32, true, 1, 1)) as tf.SymbolicTensor;
  v = tf.layers.dense({ units: 32, activation: 'relu', kernelInitializer: seed(33) }).apply(v) as tf.SymbolicTensor;
  const value = tf.layers.dense({ units: 1, activation: 'tanh', kernelInitializer: seed(34) }).apply(v) as tf.SymbolicTensor;
  const model = tf.model({ inputs: inp, outputs: [policy, value] });
  model.compile({ optimizer: tf.train.sgd(0.01), loss: ['categoricalCrossentropy', 'meanSquaredError'] });
  const xs = tf.randomUniform([batch, size, size, 8], 0, 1, 'float32', 7);
  const pis = tf.tidy(() => tf.softmax(tf.randomUniform([batch, size * size + 1], 0, 1, 'float32', 8)));
  const zs = tf.randomUniform([batch, 1], -1, 1, 'float32', 9);
  return {
    name: `train step, resnet 4x32 9x9 (AlphaZero heads), batch ${batch}`,
    // The losses are read back before the promise resolves, so the step's work is included.
    step: () => model.trainOnBatch(xs, [pis, zs]),
    dispose: () => {
      tf.dispose([xs, pis, zs]);
      model.dispose();
    },
  };
}

async function timeAsync(f: () => Promise<unknown>, minTime: number): Promise<number> {
  await f();
  await f();
  let runs = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (runs < 2 || elapsed < minTime) {
    await f();
    runs++;
    elapsed = (performance.now() - t0) / 1000;
  }
  return elapsed / runs;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const backends = args.backends ?? availableBackends();
  const batch = 64;
  const rows: { op: string; backend: string; fwd: number; fwdBwd: number }[] = [];
  const train: { backend: string; stepMs: number; samples: number }[] = [];
  for (const b of backends) {
    await initBackend({ backend: b, quiet: true });
    const slow = b === 'cpu';
    // The small cases run everywhere (side by side); the pure-JS cpu backend's conv gradients are
    // about 1000x slower than wasm's, so it skips the large ones (they would take many minutes).
    const small = [convCase(8, 9, 32, 32, 3), matMulCase(256, 256, 256)];
    const cases = slow ? small : [...small, convCase(32, 9, 64, 64, 3), convCase(8, 19, 128, 128, 3), matMulCase(512, 512, 512)];
    for (const c of cases) {
      const tF = timeIt(c.fwd, slow ? Math.min(args.minTime, 0.5) : args.minTime);
      const tB = timeIt(c.fwdBwd, slow ? Math.min(args.minTime, 0.5) : args.minTime);
      rows.push({ op: c.name, backend: b, fwd: c.flops / tF / 1e9, fwdBwd: (3 * c.flops) / tB / 1e9 });
      process.stderr.write(`${b.padEnd(8)} ${c.name.padEnd(40)} fwd ${(c.flops / tF / 1e9).toFixed(2)} GFLOP/s  fwd+bwd ${((3 * c.flops) / tB / 1e9).toFixed(2)} GFLOP/s\n`);
      c.dispose();
    }
    const t = trainStepCase(batch);
    const sec = await timeAsync(t.step, slow ? 0.5 : args.minTime);
    train.push({ backend: b, stepMs: sec * 1000, samples: batch / sec });
    process.stderr.write(`${b.padEnd(8)} ${t.name}: ${(sec * 1000).toFixed(1)} ms/step, ${(batch / sec).toFixed(0)} samples/s\n`);
    t.dispose();
  }

  const ops = [...new Set(rows.map((r) => r.op))];
  const cell = (op: string, b: string, k: 'fwd' | 'fwdBwd'): string => {
    const r = rows.find((x) => x.op === op && x.backend === b);
    return r ? r[k].toFixed(2) : '-';
  };
  const lines: string[] = [];
  lines.push('# Tensor backend throughput');
  lines.push('');
  lines.push(`Measured ${new Date().toISOString()} by \`npx tsx bench/backend.ts\`; Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}, load average ${loadavg()[0]!.toFixed(1)} at the end.`);
  lines.push('wasm runs single-threaded (the threaded wasm build does not start under Node), with SIMD.');
  lines.push('');
  lines.push('GFLOP/s (forward+backward counts 3x the forward FLOPs; higher is better):');
  lines.push('');
  lines.push(`| op | ${backends.map((b) => `${b} fwd | ${b} fwd+bwd`).join(' | ')} |`);
  lines.push(`|---|${backends.map(() => '---:|---:').join('|')}|`);
  for (const op of ops) lines.push(`| ${op} | ${backends.map((b) => `${cell(op, b, 'fwd')} | ${cell(op, b, 'fwdBwd')}`).join(' | ')} |`);
  lines.push('');
  lines.push(`Training step (trainOnBatch, SGD) of a 4-block 32-filter residual net on 9x9x8 inputs with policy and value heads, batch ${batch}:`);
  lines.push('');
  lines.push('| backend | ms/step | samples/s |');
  lines.push('|---|---:|---:|');
  for (const t of train) lines.push(`| ${t.backend} | ${t.stepMs.toFixed(1)} | ${t.samples.toFixed(0)} |`);
  lines.push('');
  const md = lines.join('\n');
  process.stdout.write(md);
  writeFileAtomic(args.out, md);
  process.stderr.write(`wrote ${args.out}\n`);
}

await main();
