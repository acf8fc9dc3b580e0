/**
 * Strength of a Connect Four net against the self-play issue's targets:
 *
 *   npx tsx bench/connect4-strength.ts [--model models/connect4] [--visits 800] [--positions 1000]
 *                                      [--games 40] [--uct 1000] [--out bench/results/connect4-strength.md]
 *   npx tsx bench/connect4-strength.ts --curve RUN_DIR [--every 10] [--from 1] [--visits 800] [--positions 200] [--games 20]
 *
 * - the share of the positions of ../shared/data/connect4/Test_L3_R1 and Test_L2_R1 where PUCT with
 *   the net (--visits simulations) picks a column the solver rates optimal (targets 95% and 80%);
 * - the wins against pure UCT with --uct random-rollout simulations per move, colours alternating
 *   (target: at least 90% wins).
 * --curve measures every --every-th generation net of a `tengen selfplay` run directory (and its
 * last) from generation --from on, against the run's wall-clock minutes from its metrics.jsonl, and prints the table.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../src/util/fs.ts';
import { join, relative } from 'node:path';
import { cpus } from 'node:os';
import { initBackend } from '../src/nets/backend.ts';
import { byColour, measureConnect4, parseFlagPairs, root } from './connect4-measure.ts';

const args = parseFlagPairs(process.argv.slice(2), ['model', 'visits', 'positions', 'games', 'uct', 'out', 'curve', 'every', 'from', 'fpu', 'batch', 'cpuct', 'seed', 'symmetries']);
const curve = args.get('curve');
const visits = Number(args.get('visits') ?? 800);
const positions = Number(args.get('positions') ?? (curve ? 200 : 1000));
const games = Number(args.get('games') ?? (curve ? 20 : 40));
const uct = Number(args.get('uct') ?? 1000);
// --fpu 0 (a fixed first-play value, the default) or --fpu r0.4 (the parent's Q minus 0.4, Leela Zero style).
const fpuArg = args.get('fpu');
const fpu = fpuArg === undefined ? undefined : fpuArg.startsWith('r') ? { reduction: Number(fpuArg.slice(1)) } : Number(fpuArg);
if (fpu !== undefined && !Number.isFinite(typeof fpu === 'number' ? fpu : fpu.reduction)) throw new Error(`--fpu: expected a number or r<reduction> (e.g. r0.4), got '${fpuArg}'`);
// The net's search: --batch leaves per net call (default 8; 1 = sequential), --cpuct (default 1.5);
// --seed the match's seed (default 4242: keep it for reported figures, tune on others).
const num = (k: string): number | undefined => {
  const v = args.get(k);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${k}: expected a positive number, got '${v}'`);
  return n;
};
// --symmetries on: every evaluation averaged over the position and its mirror (default off).
const symArg = args.get('symmetries') ?? 'off';
if (symArg !== 'on' && symArg !== 'off') throw new Error(`--symmetries: expected on or off, got '${symArg}'`);
const search = { mctsBatchSize: num('batch'), cPuct: num('cpuct'), seed: num('seed'), symmetries: symArg === 'on' };
await initBackend({ quiet: true });
const pct = (a: number, n: number): string => `${((100 * a) / Math.max(1, n)).toFixed(1)}%`;

if (curve !== undefined) {
  const every = Number(args.get('every') ?? 10);
  const models = join(curve, 'models');
  if (!existsSync(models)) throw new Error(`${curve} has no models/ directory (expected a tengen selfplay run directory)`);
  const gens = readdirSync(models).map((d) => /^gen-(\d+)$/.exec(d)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
  const from = Number(args.get('from') ?? 1);
  const picked = gens.filter((g, i) => g >= from && (g % every === 0 || i === gens.length - 1));
  // Wall-clock minutes at the end of each generation, from the run's metrics log.
  const ends = new Map<number, number>();
  const metrics = join(curve, 'metrics.jsonl');
  if (existsSync(metrics)) {
    let t0 = NaN;
    for (const line of readFileSync(metrics, 'utf8').trim().split('\n')) {
      const e = JSON.parse(line) as { time: string; event: string; generation?: number };
      const t = Date.parse(e.time);
      if (Number.isNaN(t0)) t0 = t;
      if (e.event === 'generation:end' && e.generation !== undefined) ends.set(e.generation, (t - t0) / 60000);
    }
  }
  const rows: string[] = [];
  for (const g of picked) {
    const r = await measureConnect4(join(models, `gen-${String(g).padStart(6, '0')}`), { visits, positions, games, uct, fpu, ...search, log: () => {} });
    const [l3, l2] = r.sets;
    rows.push(`| ${g} | ${ends.get(g)?.toFixed(0) ?? '?'} | ${l3 ? pct(l3.optimal, l3.n) : '-'} | ${l2 ? pct(l2.optimal, l2.n) : '-'} | ${pct(r.match.wins, games)} (+${r.match.wins} =${r.match.draws} -${r.match.losses}) |`);
    console.log(rows.at(-1));
  }
  console.log(
    [
      '',
      `Curve of ${curve}: ${visits} simulations per move, first ${positions} positions of each test set, ${games} games against UCT ${uct}.`,
      '',
      '| generation | minutes | Test_L3_R1 solver-optimal | Test_L2_R1 solver-optimal | wins vs UCT |',
      '|---:|---:|---:|---:|---|',
      ...rows,
    ].join('\n'),
  );
} else {
  const modelArg = args.get('model') ?? join(root, 'models', 'connect4');
  const out = args.get('out') ?? join(root, 'bench', 'results', 'connect4-strength.md');
  const r = await measureConnect4(modelArg, { visits, positions, games, uct, fpu, ...search });
  const meta = readFileSync(join(r.dir, 'model.json'), 'utf8').length;
  const m = r.match;
  const lines = [
    '# Connect Four net strength (bench/connect4-strength.ts)',
    '',
    `Net: \`${relative(root, modelArg) || modelArg}\` (model.json ${meta} bytes). ${visits} PUCT simulations per move (c_puct ${search.cPuct ?? 1.5}, ${search.mctsBatchSize ?? 8} leaves per net call), argmax; inference ${r.inference}. Match seed ${search.seed ?? 4242}.`,
    `Measured ${new Date().toISOString()} on ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'cpu'}), Node ${process.version}.`,
    '',
    '| test | measured | target | met |',
    '|---|---:|---:|---|',
    ...r.sets.map((s) => {
      const target = s.file === 'Test_L3_R1' ? 95 : 80;
      return `| ${s.file}: solver-optimal column (${s.n} positions, ${s.seconds.toFixed(0)} s) | ${pct(s.optimal, s.n)} | ${target}% | ${(100 * s.optimal) / s.n >= target ? 'yes' : 'no'} |`;
    }),
    `| wins against pure UCT, ${uct} rollouts/move (${games} games, colours alternate, ${r.matchSeconds.toFixed(0)} s) | ${pct(m.wins, games)} (+${m.wins} =${m.draws} -${m.losses}) | 90% | ${m.wins / games >= 0.9 ? 'yes' : 'no'} |`,
    '',
    `Against UCT by the net's colour: ${byColour(m)}.`,
    '',
  ];
  writeFileAtomic(out, lines.join('\n'));
  console.log(`wrote ${out}`);
}
