/**
 * Self-play speed on Connect Four with the default small net (resnet 4x48), 1 vs 2 worker_threads,
 * and the net-call batch size the searches achieve (positions per evaluator call).
 *
 *   nice -n 5 npx tsx bench/selfplay-workers.ts [--games 64] [--sims 100] [--concurrency 32] [--repeats 2]
 *                                               [--out bench/results/selfplay-workers.md]
 *
 * Each worker plays `concurrency` games at once (the pipeline's concurrentGames) and batches their
 * leaves into one net call. Repeats are interleaved (1, 2, 1, 2, ...) and the fastest run of each
 * counts, since the machine's cores are shared.
 */
import { cpus, loadavg } from 'node:os';
import { initBackend } from '../src/nets/backend.ts';
import { defaultConfig } from '../src/agents/alphazero/config.ts';
import { makeGame } from '../src/agents/alphazero/games.ts';
import { buildNet, getWeightBlob, netSpecFor } from '../src/agents/alphazero/net.ts';
import { WorkerRunner } from '../src/agents/alphazero/runner.ts';
import type { SelfPlaySettings } from '../src/agents/alphazero/selfplay.ts';
import { writeFileAtomic } from '../src/util/fs.ts';

const argv = process.argv.slice(2);
const known = new Set(['games', 'sims', 'concurrency', 'repeats', 'out']);
const opts = new Map<string, string>();
for (let i = 0; i < argv.length; i += 2) {
  const k = argv[i]!;
  const v = argv[i + 1];
  if (!k.startsWith('--') || !known.has(k.slice(2)) || v === undefined) {
    throw new Error(`unexpected argument '${k}'; expected --name value with name one of ${[...known].join(', ')}`);
  }
  opts.set(k.slice(2), v);
}
const num = (k: string, d: number): number => {
  const v = Number(opts.get(k) ?? d);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} must be a positive integer, got '${opts.get(k)}'`);
  return v;
};
const GAMES = num('games', 64);
const SIMS = num('sims', 100);
const CONC = num('concurrency', 32);
const REPEATS = num('repeats', 2);
const OUT = opts.get('out') ?? 'bench/results/selfplay-workers.md';

const started = Date.now();
const backend = await initBackend({ quiet: true });
const cfg = defaultConfig('connect4');
const game = makeGame('connect4', {});
const spec = netSpecFor(game, cfg.arch, cfg.blocks, cfg.filters);
const model = buildNet(spec, 1);
const blob = getWeightBlob(model);
const settings: SelfPlaySettings = {
  simulations: SIMS, cPuct: cfg.cPuct, dirichletAlpha: cfg.dirichletAlpha, dirichletEpsilon: cfg.dirichletEpsilon, mctsBatchSize: cfg.mctsBatchSize,
  virtualLoss: cfg.virtualLoss, temperatureMoves: cfg.temperatureMoves, reuseTree: cfg.reuseTree, resignThreshold: null, resignCheckFraction: 0,
};

interface Result { secs: number; games: number; positions: number; evals: number; batch: number }
const runners = new Map<number, WorkerRunner>();
let inference = '';
for (const w of [1, 2]) {
  const r = await WorkerRunner.start(w, { game: 'connect4', gameParams: {}, spec, backend, inference: 'auto' });
  await r.setWeights(blob);
  inference = r.inference;
  runners.set(w, r);
}
let generation = 0;
async function timePlay(w: number, games: number): Promise<Result> {
  const r = runners.get(w)!;
  const indices = Array.from({ length: games }, (_, i) => generation * 10_000 + i);
  const t0 = performance.now();
  const { games: played, stats } = await r.play({ generation: ++generation, indices, settings, runSeed: 1, concurrency: CONC }, {});
  const secs = (performance.now() - t0) / 1000;
  const evals = stats.reduce((n, s) => n + s.evals, 0);
  const batches = stats.reduce((n, s) => n + (s.avgBatch > 0 ? s.evals / s.avgBatch : 0), 0);
  return { secs, games: played.length, positions: played.reduce((n, g) => n + g.positions.length, 0), evals, batch: evals / Math.max(1, batches) };
}

console.log(`backend ${backend}, self-play inference ${inference}; Connect Four ${cfg.arch} ${cfg.blocks}x${cfg.filters}, ${SIMS} simulations, ${GAMES} games, ${CONC} at once per worker`);
for (const w of [1, 2]) await timePlay(w, w * 4); // warm-up: load the evaluator, compile kernels
const best = new Map<number, Result>();
for (let rep = 0; rep < REPEATS; rep++) {
  for (const w of [1, 2]) {
    const r = await timePlay(w, GAMES);
    console.log(`${w} worker(s), run ${rep + 1}: ${r.games} games in ${r.secs.toFixed(1)} s, ${(r.games / r.secs * 3600).toFixed(0)} games/h, mean batch ${r.batch.toFixed(1)}`);
    const b = best.get(w);
    if (!b || r.secs < b.secs) best.set(w, r);
  }
}
for (const r of runners.values()) await r.close();
model.dispose();

const one = best.get(1)!;
const two = best.get(2)!;
const gph = (r: Result): number => r.games / r.secs * 3600;
const lines = [
  '# Self-play speed, 1 vs 2 workers (bench/selfplay-workers.ts)',
  '',
  `Connect Four, ${cfg.arch} ${cfg.blocks}x${cfg.filters} net (untrained), ${SIMS} simulations per move, ${GAMES} games per measurement,`,
  `${CONC} games at once per worker (their leaves share one net call), MCTS leaf batch ${cfg.mctsBatchSize} per search. Backend ${backend},`,
  `self-play inference ${inference}. Best of ${REPEATS} interleaved runs. Machine: ${cpus().length} x ${cpus()[0]?.model.trim() ?? 'CPU'},`,
  `Node ${process.version}; load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')} (the cores are shared with other jobs).`,
  '',
  '| workers | games/hour | positions/s | net evaluations/s | mean net-call batch | seconds |',
  '|---:|---:|---:|---:|---:|---:|',
  ...[1, 2].map((w) => {
    const r = best.get(w)!;
    return `| ${w} | ${gph(r).toFixed(0)} | ${(r.positions / r.secs).toFixed(1)} | ${(r.evals / r.secs).toFixed(0)} | ${r.batch.toFixed(1)} | ${r.secs.toFixed(1)} |`;
  }),
  '',
  `Speed-up from 1 to 2 workers: **${(gph(two) / gph(one)).toFixed(2)}x**.`,
  '',
  `Time used: ${((Date.now() - started) / 1000).toFixed(0)} s. Reproduce: \`nice -n 5 npx tsx bench/selfplay-workers.ts --games ${GAMES} --sims ${SIMS} --concurrency ${CONC} --repeats ${REPEATS}\``,
];
writeFileAtomic(OUT, lines.join('\n') + '\n');
console.log(lines.join('\n'));
console.log(`wrote ${OUT}`);
