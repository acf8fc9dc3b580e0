/**
 * Strength of a Connect Four net against the self-play issue's targets:
 *
 *   npx tsx bench/connect4-strength.ts [--model models/connect4] [--visits 800] [--positions 1000]
 *                                      [--games 40] [--uct 1000] [--out bench/results/connect4-strength.md]
 *
 * - the share of the positions of ../shared/data/connect4/Test_L3_R1 and Test_L2_R1 where PUCT with
 *   the net (--visits simulations) picks a column the solver rates optimal (targets 95% and 80%);
 * - the score against pure UCT with --uct random-rollout simulations per move, colours alternating
 *   (target: at least 90% wins).
 * Searches run 16 at a time through one batching evaluator (onnxruntime where it loads).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { initBackend } from '../src/nets/backend.ts';
import { createBestEvaluatorWithReason } from '../src/nets/best-evaluator.ts';
import { makeGame } from '../src/env/games/index.ts';
import { connect4FromMoves } from '../src/env/games/connect4.ts';
import { columnScores } from '../src/env/solvers/connect4.ts';
import { findNetDir, loadNet } from '../src/agents/alphazero/net.ts';
import { batched, netAgent, playMatch, uctAgent } from '../src/agents/alphazero/agents.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Map<string, string>();
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const k = argv[i]!;
  const v = argv[i + 1];
  if (!k.startsWith('--') || v === undefined) throw new Error(`expected --name value pairs, got '${argv.slice(i).join(' ')}'`);
  args.set(k.slice(2), v);
}
const modelArg = args.get('model') ?? join(root, 'models', 'connect4');
const visits = Number(args.get('visits') ?? 800);
const positions = Number(args.get('positions') ?? 1000);
const games = Number(args.get('games') ?? 40);
const uct = Number(args.get('uct') ?? 1000);
const out = args.get('out') ?? join(root, 'bench', 'results', 'connect4-strength.md');

const backend = await initBackend({ quiet: true });
const game = makeGame('connect4');
const dir = findNetDir(modelArg);
if (dir === null) throw new Error(`no net in ${modelArg}`);
const net = await loadNet(dir);
const best = await createBestEvaluatorWithReason(game, net.model);
const ev = batched(best.evaluator);
const inference = best.fallbackReason === undefined ? 'onnxruntime' : `tfjs ${backend} (${best.fallbackReason})`;
const ao = { simulations: visits, cPuct: 1.5, mctsBatchSize: 8, virtualLoss: 3, temperatureMoves: 0 };
const agent = netAgent(game, ev, ao);
console.log(`net ${dir}, ${visits} simulations per move, inference ${inference}`);

interface SetResult {
  file: string;
  n: number;
  optimal: number;
  seconds: number;
}

async function positionSet(file: string): Promise<SetResult | null> {
  const path = join(root, '..', 'shared', 'data', 'connect4', file);
  if (!existsSync(path)) {
    console.log(`${file}: ${path} is absent; skipped`);
    return null;
  }
  const lines = readFileSync(path, 'utf8').trim().split('\n').slice(0, positions);
  let optimal = 0;
  let next = 0;
  const t0 = performance.now();
  const lane = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= lines.length) return;
      const moves = lines[i]!.split(' ')[0]!;
      const s = connect4FromMoves(moves);
      const scores = columnScores(s);
      const top = Math.max(...scores.filter((x): x is number => x !== null));
      const a = await agent(i).pick(s.clone());
      if (scores[a] === top) optimal++;
      if ((i + 1) % 100 === 0) console.log(`${file}: ${i + 1}/${lines.length}, optimal so far ${optimal}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, lane));
  return { file, n: lines.length, optimal, seconds: (performance.now() - t0) / 1000 };
}

const sets: SetResult[] = [];
for (const f of ['Test_L3_R1', 'Test_L2_R1']) {
  const r = await positionSet(f);
  if (r) {
    sets.push(r);
    console.log(`${f}: solver-optimal ${r.optimal}/${r.n} (${((100 * r.optimal) / r.n).toFixed(1)}%) in ${r.seconds.toFixed(0)} s`);
  }
}
const t1 = performance.now();
const m = await playMatch(game, agent, uctAgent(game, uct), games, 4242, 8);
const matchSecs = (performance.now() - t1) / 1000;
console.log(`vs UCT ${uct}: +${m.wins} =${m.draws} -${m.losses} (score ${(100 * m.score).toFixed(1)}%, 95% CI ${(100 * m.low).toFixed(1)}-${(100 * m.high).toFixed(1)}%)`);

const meta = readFileSync(join(dir, 'model.json'), 'utf8').length;
const lines = [
  '# Connect Four net strength (bench/connect4-strength.ts)',
  '',
  `Net: \`${modelArg}\` (model.json ${meta} bytes). ${visits} PUCT simulations per move, argmax; inference ${inference}.`,
  `Measured ${new Date().toISOString()} on ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'cpu'}), Node ${process.version}.`,
  '',
  '| test | measured | target | met |',
  '|---|---:|---:|---|',
  ...sets.map((r) => {
    const pct = (100 * r.optimal) / r.n;
    const target = r.file === 'Test_L3_R1' ? 95 : 80;
    return `| ${r.file}: solver-optimal column (${r.n} positions, ${r.seconds.toFixed(0)} s) | ${pct.toFixed(1)}% | ${target}% | ${pct >= target ? 'yes' : 'no'} |`;
  }),
  `| wins against pure UCT, ${uct} rollouts/move (${games} games, colours alternate, ${matchSecs.toFixed(0)} s) | ${((100 * m.wins) / games).toFixed(1)}% (+${m.wins} =${m.draws} -${m.losses}) | 90% | ${m.wins / games >= 0.9 ? 'yes' : 'no'} |`,
  '',
];
writeFileSync(out, lines.join('\n'));
console.log(`wrote ${out}`);
if ('dispose' in best.evaluator && typeof best.evaluator.dispose === 'function') await (best.evaluator.dispose as () => Promise<void>)();
net.model.dispose();
