/**
 * AlphaZero learning benchmark. Runs the self-play pipeline and measures, every few generations,
 * how strong the self-play net is; writes the curve to bench/results/alphazero[-<game>].md.
 *
 *   npx tsx bench/alphazero.ts                      # tic-tac-toe, target below, at most 15 minutes
 *   npx tsx bench/alphazero.ts --game connect4 --minutes 180 --workers 1
 *   npx tsx bench/alphazero.ts --game go --set gameParams={"size":9} --minutes 600
 *   options: --minutes M  --generations N  --seed S  --mode zero|alphazero  --workers W
 *            --eval-every K  --eval-games N  --out DIR  --set key=value (any selfplay setting)
 *            --save-model DIR   (save the final self-play net there, e.g. models/tictactoe to ship it)
 *
 * Tic-tac-toe target: within 15 minutes, 0 losses in 200 games against the perfect minimax player
 * (both colours; the net plays with search, argmax moves) and the raw net's top move optimal in
 * >= 99% of the 4,520 reachable non-terminal positions. The run stops once the target is met.
 * Other games: the pipeline's own yardsticks (vs random and vs pure UCT MCTS) each generation.
 *
 * Stopping early: SIGINT (Ctrl-C) or SIGTERM stops after the current generation and writes the results.
 * For long runs start it as `node --import tsx bench/alphazero.ts ...`: the `tsx` command relays a signal
 * to its child and SIGKILLs the child if it does not acknowledge within 30 ms, which a run busy
 * training never does, so under `npx tsx` a Ctrl-C ends the run at once without writing the results.
 */
import { mkdirSync } from 'node:fs';
import { writeFileAtomic } from '../src/util/fs.ts';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../src/nets/backend.ts';
import { NetEvaluator } from '../src/nets/evaluator.ts';
import { defaultConfig, mergeConfig, parseField, evalSims } from '../src/agents/alphazero/config.ts';
import { Pipeline, budgetStopReason } from '../src/agents/alphazero/pipeline.ts';
import { PipelineEvents, attachMetricsLog, attachProgressPrinter } from '../src/agents/alphazero/events.ts';
import { batched } from '../src/mcts/batching.ts';
import { playMatch } from '../src/players/match.ts';
import { netPlayer } from '../src/players/net.ts';
import { solverPlayer } from '../src/players/simple.ts';
import { tictactoeRawOptimalRate } from '../src/agents/alphazero/strength.ts';
import { describeSpec, saveNet } from '../src/agents/alphazero/net.ts';

function args(): Map<string, string[]> {
  const m = new Map<string, string[]>();
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    const k = a[i]!;
    if (!k.startsWith('--')) throw new Error(`unexpected argument '${k}'`);
    const v = a[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${k} needs a value`);
    m.set(k.slice(2), [...(m.get(k.slice(2)) ?? []), v]);
    i++;
  }
  return m;
}

const A = args();
const one = (k: string): string | undefined => A.get(k)?.at(-1);
const game = one('game') ?? 'tictactoe';
const minutes = Number(one('minutes') ?? (game === 'tictactoe' ? 15 : 60));
const evalEvery = Number(one('eval-every') ?? (game === 'tictactoe' ? 2 : 1));
const evalGames = Number(one('eval-games') ?? 200);
const over: Record<string, unknown> = { minutes, strengthGames: game === 'tictactoe' ? 0 : 10 };
for (const k of ['generations', 'seed', 'workers', 'mode'] as const) if (one(k) !== undefined) over[k] = parseField(k, one(k)!);
for (const kv of A.get('set') ?? []) {
  const eq = kv.indexOf('=');
  over[kv.slice(0, eq)] = parseField(kv.slice(0, eq), kv.slice(eq + 1));
}
const cfg = mergeConfig(defaultConfig(game), over, 'bench');
const backend = await initBackend({ quiet: true });
const outDir = one('out') ?? join('/tmp', `tengen-bench-az-${game}-${Date.now()}`);
const events = new PipelineEvents();
attachProgressPrinter(events, (l) => console.log(l), 30);

interface Row {
  generation: number;
  minutes: number;
  games: number;
  best: number;
  vLoss: number;
  pLoss: number;
  rawOptimal?: number;
  vsPerfect?: string;
  perfectLosses?: number;
  strength?: string;
}
const rows: Row[] = [];
let lastTrain = { valueLoss: NaN, policyLoss: NaN };
events.on('train:done', (e) => (lastTrain = e));
const strengthNotes: string[] = [];
events.on('strength', (e) => strengthNotes.push(`${e.opponent} +${e.wins}=${e.draws}-${e.losses}`));

const p = await Pipeline.create({ runDir: outDir, config: cfg, events, backend });
// metrics.jsonl in the run directory, so `tengen report <out>` draws the curves.
attachMetricsLog(events, join(outDir, 'metrics.jsonl'));
// Ctrl-C: finish the generation, then write the results as at the time limit.
let interrupted = false;
const onStopSignal = (signal: NodeJS.Signals): void => {
  console.log(`stopping after this generation (${signal}); the results are written as usual`);
  interrupted = true;
};
process.once('SIGINT', onStopSignal);
process.once('SIGTERM', onStopSignal);
const t0 = performance.now();
let reached: Row | null = null;
console.log(`bench alphazero: ${game}, ${cfg.mode}, ${describeSpec(cfg)}, ${cfg.simulations} sims, ${cfg.gamesPerGeneration} games/gen, workers ${cfg.workers}, backend ${backend}, ${cpus().length} cores, limit ${minutes} min, run dir ${outDir}`);
try {
  for (;;) {
    // The pipeline's time budget: a generation starts only if it should end within `minutes`.
    const budget = budgetStopReason((performance.now() - t0) / 1000, p.state.lastGenerationSec, minutes);
    if (budget !== null) console.log(budget);
    if (interrupted || budget !== null || (cfg.generations > 0 && p.state.generation >= cfg.generations)) break;
    strengthNotes.length = 0;
    await p.generation();
    const g = p.state.generation;
    const row: Row = { generation: g, minutes: (performance.now() - t0) / 60000, games: p.state.totalGames, best: p.state.bestGeneration, vLoss: lastTrain.valueLoss, pLoss: lastTrain.policyLoss };
    if (strengthNotes.length) row.strength = strengthNotes.join(', ');
    if (game === 'tictactoe' && g % evalEvery === 0) {
      const net = cfg.mode === 'zero' ? p.best : p.current;
      const ev = batched(new NetEvaluator(p.game, net));
      const raw = await tictactoeRawOptimalRate(p.game, ev);
      const ao = { simulations: evalSims(cfg), cPuct: cfg.cPuct, mctsBatchSize: cfg.mctsBatchSize, virtualLoss: cfg.virtualLoss, temperatureMoves: 0 };
      const m = await playMatch(p.game, netPlayer(p.game, ev, ao), solverPlayer(p.game), evalGames, 1000 + g, 16);
      row.rawOptimal = raw.rate;
      row.perfectLosses = m.losses;
      row.vsPerfect = `+${m.wins} =${m.draws} -${m.losses}`;
      row.minutes = (performance.now() - t0) / 60000;
      console.log(`bench gen ${g} @ ${row.minutes.toFixed(2)} min: raw top move optimal ${(100 * raw.rate).toFixed(2)}% (${raw.mistakes} mistakes), vs perfect ${row.vsPerfect}`);
      if (m.losses === 0 && raw.rate >= 0.99) {
        rows.push(row);
        reached = row;
        break;
      }
    }
    rows.push(row);
  }
} finally {
  await p.close();
}

/** At most ~40 rows for the table: evenly spaced, the first and the last always kept. */
function thin<T>(xs: T[], max = 40): T[] {
  if (xs.length <= max) return xs;
  const step = (xs.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, k) => xs[Math.round(k * step)]!);
}

const lines = [
  `# AlphaZero self-play benchmark: ${game}`,
  '',
  `Measured ${new Date().toISOString()} on ${cpus().length} CPU cores (${cpus()[0]?.model ?? '?'}), tensor backend ${backend}.`,
  'The machine was shared with other jobs while this ran; times are wall-clock and only indicative.',
  '',
  `Settings: mode ${cfg.mode}, net ${describeSpec(cfg)}, ${cfg.simulations} simulations/move, ${cfg.gamesPerGeneration} games/generation, ` +
    `batch ${cfg.batchSize}, lr ${JSON.stringify(cfg.lrSchedule)}, ${cfg.workers} worker(s), seed ${cfg.seed}, gate ${cfg.evalGames} games > ${cfg.gatingThreshold}.`,
  '',
  `Every setting given on the command line (the rest are the game's defaults): \`${JSON.stringify(over)}\`.`,
  '',
];
if (game === 'tictactoe') {
  lines.push(
    `Target: 0 losses in ${evalGames} games against the perfect player (colours alternate; the net searches with ${evalSims(cfg)} simulations and plays the most visited move) and the raw net's top move optimal in >= 99% of the 4,520 reachable positions, within 15 minutes.`,
    '',
    reached ? `**Target reached** at generation ${reached.generation}, ${reached.minutes.toFixed(2)} minutes.` : `**Target not reached** within ${minutes} minutes.`,
    '',
    '| generation | minutes | self-play games | best gen | value loss | policy loss | raw top move optimal | vs perfect (W=D-L) |',
    '|---:|---:|---:|---:|---:|---:|---:|---|',
    ...thin(rows.filter((r) => r.rawOptimal !== undefined)).map((r) => `| ${r.generation} | ${r.minutes.toFixed(2)} | ${r.games} | ${r.best} | ${r.vLoss.toFixed(3)} | ${r.pLoss.toFixed(3)} | ${(100 * r.rawOptimal!).toFixed(2)}% | ${r.vsPerfect} |`),
  );
} else {
  lines.push(
    '| generation | minutes | self-play games | best gen | value loss | policy loss | yardsticks (search player, W=D-L) |',
    '|---:|---:|---:|---:|---:|---:|---|',
    ...thin(rows).map((r) => `| ${r.generation} | ${r.minutes.toFixed(2)} | ${r.games} | ${r.best} | ${r.vLoss.toFixed(3)} | ${r.pLoss.toFixed(3)} | ${r.strength ?? ''} |`),
  );
}
mkdirSync('bench/results', { recursive: true });
// Go's board sizes get a file each (alphazero-go-7x7.md), so a 9x9 run does not overwrite a 7x7 one.
const size = cfg.gameParams.size;
const file = join('bench/results', game === 'tictactoe' ? 'alphazero.md' : game === 'go' && typeof size === 'number' ? `alphazero-go-${size}x${size}.md` : `alphazero-${game}.md`);
writeFileAtomic(file, lines.join('\n') + '\n');
console.log(lines.join('\n'));
console.log(`wrote ${file}`);
const saveTo = one('save-model');
if (saveTo !== undefined) {
  await saveNet(saveTo, p.spec, cfg.mode === 'zero' ? p.best : p.current, { game: cfg.game, gameParams: cfg.gameParams, generation: p.state.generation });
  console.log(`saved the final net to ${saveTo}`);
}
p.dispose();
