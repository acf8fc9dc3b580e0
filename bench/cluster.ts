/**
 * Distributed self-play throughput: Connect Four self-play games per hour
 *   - in one process with W worker_threads (the embedded default, WorkerRunner),
 *   - through Redis + BullMQ with 1 and with 2 `tengen worker` processes (one thread each),
 * and the queue's overhead per game: with one game per job and one job at a time, the trainer's
 * wall time minus the time the worker spent playing, per game.
 *
 *   nice -n 10 npx tsx bench/cluster.ts [--games 16] [--sims 100] [--threads 2] [--repeats 2] [--out bench/results/cluster.md]
 *
 * Starts its own redis-server (append-only) on a free loopback port. Worker processes start and
 * play one warm-up job before timing; the single-process run warms up likewise.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { initBackend } from '../src/nets/backend.ts';
import { defaultConfig } from '../src/agents/alphazero/config.ts';
import { makeGame } from '../src/agents/alphazero/games.ts';
import { buildNet, getWeightBlob, netSpecFor } from '../src/agents/alphazero/net.ts';
import { WorkerRunner, type PlayRequest, type SelfPlayRunner } from '../src/agents/alphazero/runner.ts';
import type { SelfPlaySettings } from '../src/agents/alphazero/selfplay.ts';
import { ClusterRunner } from '../src/cluster/runner.ts';
import { ClusterWorker } from '../src/cluster/worker.ts';
import { Redis } from '../src/cluster/redis.ts';
import { parseRedisUrl } from '../src/cluster/redis-url.ts';
import { readWorkers } from '../src/cluster/events.ts';
import { encodeGame } from '../src/cluster/schema.ts';
import { writeFileAtomic } from '../src/util/fs.ts';

const argv = process.argv.slice(2);
const opt = (k: string, d: string): string => {
  const i = argv.indexOf(`--${k}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : d;
};
const GAMES = Number(opt('games', '16'));
const SIMS = Number(opt('sims', '100'));
const THREADS = Number(opt('threads', '2'));
const OUT = opt('out', 'bench/results/cluster.md');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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
const CONC = 8;
let gen = 0;
const request = (indices: number[]): PlayRequest => ({ generation: ++gen, indices, settings, runSeed: 1, concurrency: CONC });
const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

const REPEATS = Number(opt('repeats', '2'));

/** Play `indices` REPEATS times (a new generation, so new games, each time); the fastest run counts (the cores are shared). */
async function timePlay(runner: SelfPlayRunner, indices: number[], repeats = REPEATS): Promise<{ secs: number; positions: number }> {
  let best = { secs: Infinity, positions: 0 };
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const { games } = await runner.play(request(indices), {});
    const secs = (performance.now() - t0) / 1000;
    const positions = games.reduce((n, g) => n + g.positions.length, 0);
    if (secs / Math.max(1, positions) < best.secs / Math.max(1, best.positions)) best = { secs, positions };
  }
  return best;
}

// ---- redis ----
const port = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as { port: number }).port;
    s.close(() => resolve(p));
  });
});
const dir = mkdtempSync(join(tmpdir(), 'tengen-bench-redis-'));
const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''], { stdio: 'ignore' });
const url = `redis://127.0.0.1:${port}/0`;
const target = parseRedisUrl(url);
const redis = await (async () => {
  for (let i = 0; ; i++) {
    try {
      return await new Redis(target).open();
    } catch (e) {
      if (i > 100) throw e;
      await sleep(50);
    }
  }
})();

const rows: string[][] = [];
const log = (s: string): void => console.log(s);
try {
  // ---- 1. single process, worker_threads ----
  log(`backend ${backend}; Connect Four ${cfg.arch} ${cfg.blocks}x${cfg.filters}, ${SIMS} simulations, ${GAMES} games per measurement, ${CONC} games at once per job/thread`);
  const wr = await WorkerRunner.start(THREADS, { game: 'connect4', gameParams: {}, spec, backend, inference: 'auto' });
  await wr.setWeights(blob);
  await timePlay(wr, range(100_000, THREADS * CONC), 1); // warm-up
  const single = await timePlay(wr, range(0, GAMES));
  await wr.close();
  rows.push([`1 process, ${THREADS} worker_threads (embedded default)`, (GAMES / single.secs * 3600).toFixed(0), (single.positions / single.secs).toFixed(1), single.secs.toFixed(1)]);
  log(`worker_threads x${THREADS}: ${rows.at(-1)![1]} games/h`);

  // ---- 2. cluster, 1 and 2 worker processes ----
  for (const n of [1, 2]) {
    const runner = await ClusterRunner.start({ target, runId: `bench-${n}-${Date.now()}`, game, gameName: 'connect4', gameParams: {}, spec, gamesPerJob: CONC, log });
    await runner.setWeights(blob);
    const procs: ChildProcess[] = [];
    for (let k = 0; k < n; k++) {
      procs.push(spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--backend', backend, 'worker', '--cluster', url, '--id', `bench-w${k}`], { stdio: ['ignore', 'ignore', 'inherit'] }));
    }
    while ((await readWorkers(redis)).filter((w) => w.id.startsWith('bench-w')).length < n) await sleep(100);
    // Warm-up until every worker has played a job (loaded the net and built its evaluator).
    for (let k = 0; ; k++) {
      await timePlay(runner, range(200_000 + k * 1000, n * CONC), 1);
      await sleep(2500);
      const ws = (await readWorkers(redis)).filter((w) => w.id.startsWith('bench-w'));
      if (ws.every((w) => w.games > 0) || k >= 5) break;
    }
    const r = await timePlay(runner, range(0, GAMES));
    rows.push([`cluster: ${n} worker process${n > 1 ? 'es' : ''} (1 thread each) + trainer`, (GAMES / r.secs * 3600).toFixed(0), (r.positions / r.secs).toFixed(1), r.secs.toFixed(1)]);
    log(`cluster x${n}: ${rows.at(-1)![1]} games/h`);
    await Promise.all(procs.map((p) => new Promise<void>((res) => {
      p.once('exit', () => res());
      p.kill('SIGTERM');
    })));
    await redis.cmd('DEL', 'tengen:workers');
    await runner.close();
  }

  // ---- 3. queue overhead per game ----
  // One in-process worker, one game per job, one job at a time: every game pays the whole round
  // trip (enqueue, pick-up, net check, result back, trainer poll). Overhead = wall time minus the
  // time the worker spent playing (its own clock, in the results), per game; best of 3 rounds.
  const ovSims = 8;
  const ovGames = 32;
  const ovSettings = { ...settings, simulations: ovSims };
  const worker = await ClusterWorker.start({ target, id: 'bench-overhead', inference: 'auto', backend, log: () => {} });
  let overheadMs = Infinity;
  let wallBest = 0;
  let playBest = 0;
  let bytes = 0;
  for (let round = 0; round < 4; round++) {
    const r = await ClusterRunner.start({ target, runId: `bench-ov-${Date.now()}-${round}`, game, gameName: 'connect4', gameParams: {}, spec, gamesPerJob: 1, log });
    await r.setWeights(blob);
    const t0 = performance.now();
    const { games, stats } = await r.play({ generation: ++gen, indices: range(0, round === 0 ? 2 : ovGames), settings: ovSettings, runSeed: 2, concurrency: 1 }, {});
    const wall = (performance.now() - t0) / 1000;
    await r.close();
    if (round === 0) continue; // warm-up
    const play = stats.reduce((n, s) => n + (s.evalsPerSec > 0 ? s.evals / s.evalsPerSec : 0), 0);
    const ms = ((wall - play) / ovGames) * 1000;
    if (ms < overheadMs) {
      overheadMs = ms;
      wallBest = wall;
      playBest = play;
    }
    bytes = games.reduce((n, g) => n + JSON.stringify(encodeGame('bench', g)).length, 0) / ovGames;
  }
  await worker.stop();
  log(`queue overhead: ${overheadMs.toFixed(1)} ms per game (${ovGames} games of ${ovSims} simulations, one game per job: wall ${wallBest.toFixed(2)} s, playing ${playBest.toFixed(2)} s); ${(bytes / 1024).toFixed(1)} KiB of result JSON per game`);

  const md = [
    '# Distributed self-play (Redis + BullMQ)',
    '',
    `Connect Four, ${cfg.arch} ${cfg.blocks}x${cfg.filters} net (untrained), ${SIMS} simulations per move, ${CONC} games at once per job or thread, backend ${backend}, inference auto.`,
    `${GAMES} games per measurement after a warm-up, best of ${REPEATS}. Machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the end`,
    '(the cores are shared with other jobs, so the figures are lower bounds and noisy). Redis on the same machine.',
    '',
    '| setup | games/hour | positions/s | seconds |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    `Queue overhead: **${overheadMs.toFixed(1)} ms per game**: ${ovGames} games of ${ovSims} simulations, one game per job, one in-process worker taking one job at a time, so every game pays the whole round trip (enqueue, pick-up, net check, result back, trainer poll); wall time ${wallBest.toFixed(2)} s minus ${playBest.toFixed(2)} s of playing (the worker's own clock), best of 3. With the default of one job per \`concurrentGames\` games the cost is shared by that many games. A result carries ${(bytes / 1024).toFixed(1)} KiB of JSON per game (positions as base64 float32).`,
    '',
    `Reproduce: \`nice -n 10 npx tsx bench/cluster.ts --games ${GAMES} --sims ${SIMS} --threads ${THREADS} --repeats ${REPEATS}\``,
    '',
  ].join('\n');
  writeFileAtomic(OUT, md);
  console.log(md);
} finally {
  redis.close();
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
  model.dispose();
}
process.exit(0);
