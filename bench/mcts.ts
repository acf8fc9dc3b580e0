/**
 * MCTS speed and strength.
 *
 * 1. Simulations per second from the empty board, 800 simulations per search, repeated for about
 *    two seconds per row (best of two runs, since other work may share the CPU):
 *    - PUCT + UniformEvaluator (sync path): what the tree itself costs (targets: tic-tac-toe 250k/s,
 *      Connect Four 130k/s, 20x alpha-zero-general's 12.8k and 6.5k);
 *    - the same with 'clone' replay (a clone of the root per simulation instead of undo);
 *    - PUCT + UniformEvaluator through the async path: one awaited evaluate() per simulation
 *      (B=1), and batches of 8 leaves under virtual loss (B=8);
 *    - UCT with one random rollout per leaf.
 * 2. Connect Four strength: pure UCT at 10k simulations on the first 200 positions of Pons'
 *    Test_L3_R1 and Test_L2_R1, scored by the alpha-beta solver (share of solver-optimal moves and
 *    of moves keeping the game-theoretic outcome).
 *
 * Run: npx tsx bench/mcts.ts            Writes bench/results/mcts.md.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeGame } from '../src/env/games/index.ts';
import type { Evaluator, Game } from '../src/env/games/game.ts';
import { connect4FromMoves } from '../src/env/games/connect4.ts';
import { columnScores } from '../src/env/solvers/connect4.ts';
import { MCTS, UniformEvaluator, type MctsOptions } from '../src/mcts/index.ts';
import { writeFileAtomic } from '../src/util/fs.ts';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const SIMS = 800;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);

async function loadGo(): Promise<Game | null> {
  const dir = `${repoRoot}src/env/games/go/`;
  if (!existsSync(dir)) return null;
  // The Go module registers itself (registerGame('go', ...)) when imported; try its files in turn.
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  files.sort((a, b) => Number(b === 'index.ts') - Number(a === 'index.ts'));
  for (const f of files) {
    try {
      await import(dir + f);
      return makeGame('go', { size: 9 });
    } catch {
      /* not registered by this file: try the next */
    }
  }
  return null;
}

/** Hide evaluateSync so that the search awaits one promise per simulation (to measure that cost). */
function asyncOnly(e: Evaluator): Evaluator {
  return { evaluate: (states) => e.evaluate(states) };
}

interface Row {
  game: string;
  mode: string;
  simsPerSec: number;
  msPerSearch: number;
}

async function measure(game: Game, mode: string, opts: Partial<MctsOptions>): Promise<Row> {
  const best = { sps: 0, ms: 0 };
  for (let run = 0; run < 2; run++) {
    const m = new MCTS(game, { seed: run, reuseTree: false, ...opts });
    const s = game.newInitialState();
    // Warm-up (JIT), then timed.
    for (let i = 0; i < 5; i++) await m.search(s, { visits: SIMS });
    let sims = 0;
    let searches = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < SECONDS * 1000) {
      const r = m.isSync ? m.searchSync(s, { visits: SIMS }) : await m.search(s, { visits: SIMS });
      sims += r.simulations;
      searches++;
    }
    const dt = (performance.now() - t0) / 1000;
    if (sims / dt > best.sps) {
      best.sps = sims / dt;
      best.ms = (dt * 1000) / searches;
    }
  }
  return { game: game.name === 'go' ? 'go 9x9' : game.name, mode, simsPerSec: Math.round(best.sps), msPerSearch: best.ms };
}

function strength(file: string, n: number): { n: number; optimal: number; sameOutcome: number; seconds: number; sims: number } | null {
  const path = `${repoRoot}../shared/data/connect4/${file}`;
  if (!existsSync(path)) return null;
  const c4 = makeGame('connect4');
  const lines = readFileSync(path, 'utf8').trim().split('\n').slice(0, n);
  let optimal = 0;
  let sameOutcome = 0;
  let sims = 0;
  let ms = 0;
  for (const [i, line] of lines.entries()) {
    const s = connect4FromMoves(line.split(' ')[0]!);
    const scores = columnScores(s);
    const top = Math.max(...scores.filter((x): x is number => x !== null));
    const t0 = performance.now();
    const r = new MCTS(c4, { seed: i }).searchSync(s, { visits: 10000 });
    ms += performance.now() - t0;
    sims += r.simulations;
    const got = scores[r.action]!;
    if (got === top) optimal++;
    if (Math.sign(got) === Math.sign(top)) sameOutcome++;
  }
  return { n: lines.length, optimal, sameOutcome, seconds: ms / 1000, sims };
}

async function main(): Promise<void> {
  const games: Game[] = [makeGame('tictactoe'), makeGame('connect4'), makeGame('othello'), makeGame('gomoku', { size: 9 })];
  const go = await loadGo();
  if (go) games.push(go);
  else console.log('go: src/env/games/go is absent or does not register "go"; skipping the Go rows');
  const rows: Row[] = [];
  const modes: [string, Partial<MctsOptions>][] = [
    ['PUCT uniform (sync, undo)', { evaluator: new UniformEvaluator() }],
    ['PUCT uniform (sync, clone)', { evaluator: new UniformEvaluator(), replay: 'clone' }],
    ['PUCT uniform (async, B=1)', { evaluator: asyncOnly(new UniformEvaluator()) }],
    ['PUCT uniform (async, B=8)', { evaluator: new UniformEvaluator(), batchSize: 8 }],
    ['UCT random rollouts', {}],
  ];
  for (const g of games) {
    for (const [mode, opts] of modes) {
      const row = await measure(g, mode, opts);
      rows.push(row);
      console.log(`${row.game.padEnd(10)} ${mode.padEnd(28)} ${String(row.simsPerSec).padStart(9)} sims/s  ${row.msPerSearch.toFixed(2)} ms/search`);
    }
  }
  const str = ['Test_L3_R1', 'Test_L2_R1'].map((f) => ({ f, r: strength(f, 200) }));
  for (const { f, r } of str) {
    if (r) console.log(`${f}: optimal ${r.optimal}/${r.n}, same outcome ${r.sameOutcome}/${r.n}, ${r.seconds.toFixed(1)} s of search, ${r.sims} simulations`);
    else console.log(`${f}: data absent, skipped`);
  }
  const md = [
    '# MCTS benchmark',
    '',
    `Generated by \`npx tsx bench/mcts.ts\` on ${new Date().toISOString()} (Node ${process.version}). ` +
      `Empty board, ${SIMS} simulations per search, repeated for ${SECONDS} s; best of two runs (the machine is shared).`,
    '',
    'Targets (tree cost, PUCT + uniform evaluator): tic-tac-toe >= 250,000 sims/s, Connect Four >= 130,000 sims/s.',
    '',
    '| game | mode | sims/s | ms / search |',
    '| --- | --- | ---: | ---: |',
    ...rows.map((r) => `| ${r.game} | ${r.mode} | ${r.simsPerSec.toLocaleString('en-US')} | ${r.msPerSearch.toFixed(2)} |`),
    '',
    '## Connect Four: pure UCT (10k simulations, MCTS-solver on) against the alpha-beta solver',
    '',
    '| positions | solver-optimal move | same outcome (win/draw/loss) | search time | simulations |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...str.map(({ f, r }) => (r ? `| first ${r.n} of ${f} | ${r.optimal}/${r.n} | ${r.sameOutcome}/${r.n} | ${r.seconds.toFixed(1)} s | ${r.sims} |` : `| ${f} | absent | | | |`)),
    '',
    'The search stops once MCTS-solver proves the root, so endgame positions take far fewer than 10k simulations.',
    '',
  ].join('\n');
  writeFileAtomic(`${repoRoot}bench/results/mcts.md`, md);
  console.log('wrote bench/results/mcts.md');
}

await main();
