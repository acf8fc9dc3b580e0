/**
 * `npm run bench [-- name ...]`: runs the benchmark scripts one after another; each prints its
 * table and writes bench/results/<name>.md. With no names, runs the quick ones (minutes in all);
 * the learning runs (rl, alphazero, alphago-lee, translate, wavenet, vision, ...) take long and run only when named.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const QUICK = ['env', 'solver', 'go', 'mcts', 'backend', 'nets', 'train-step', 'selfplay-workers', 'word2vec'];
const LONG = ['rl', 'alphazero', 'connect4-strength', 'alphago-lee', 'translate', 'wavenet', 'vision', 'vision-ssd', 'vision-data-parallel', 'cluster'];
const names = process.argv.slice(2);
const unknown = names.filter((n) => !QUICK.includes(n) && !LONG.includes(n));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${[...QUICK, ...LONG].join(', ')}`);
  process.exit(2);
}
const run = names.length ? names : QUICK;
const tsx = join(import.meta.dirname, '..', 'node_modules', '.bin', 'tsx');
let failed = 0;
for (const name of run) {
  const file = join(import.meta.dirname, `${name}.ts`);
  if (!existsSync(file)) {
    console.log(`\n== ${name}: bench/${name}.ts is missing, skipped`);
    continue;
  }
  console.log(`\n== ${name}`);
  const r = spawnSync(tsx, [file], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`== ${name} failed (exit ${r.status})`);
  }
}
process.exit(failed ? 1 : 0);
