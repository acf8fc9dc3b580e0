/**
 * tengen as a user installs it: pack the tarball (in a copy of the checkout, so the build does not
 * replace this checkout's dist/ under other tests), install it into a fresh app outside the repo
 * (from npm's cache where it can), then import every entry point from plain .mjs, run each example,
 * run the `tengen` binary, and type-check a strict NodeNext TypeScript consumer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
const examples = readdirSync(join(repo, 'examples')).filter((f) => f.endsWith('.mjs')).sort();
const versionOf = (name: string): string => (JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

/** A child's environment as a user's shell would give it: none of the npm_* variables `npm test` sets. */
const userEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))) as NodeJS.ProcessEnv;

function run(cmd: string, args: string[], cwd: string, timeoutMs = 300_000): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env: userEnv, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status ?? r.signal}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r.stdout;
}

let root: string;
let app: string;
let packed: { filename: string; unpackedSize: number; files: Array<{ path: string; size: number }> };

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tengen-pack-'));
  // A copy of the checkout's files (tracked and untracked-but-not-ignored), sharing node_modules.
  const copy = join(root, 'src-copy');
  const files = ok(run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], repo), 'git ls-files').split('\0').filter(Boolean);
  for (const f of files) {
    if (!existsSync(join(repo, f))) continue; // deleted in the work tree
    mkdirSync(dirname(join(copy, f)), { recursive: true });
    copyFileSync(join(repo, f), join(copy, f));
  }
  symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'), 'dir');
  // npm pack runs `prepare`, which builds dist/ in the copy.
  const out = ok(run('npm', ['pack', '--json', '--pack-destination', root], copy), 'npm pack');
  packed = (JSON.parse(out.slice(out.indexOf('['))) as (typeof packed)[])[0]!;

  app = join(root, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'tengen-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2));
  ok(
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', join(root, packed.filename), `typescript@${versionOf('typescript')}`, `@types/node@${versionOf('@types/node')}`], app),
    'npm install of the tarball',
  );
  for (const f of examples) copyFileSync(join(repo, 'examples', f), join(app, f));
}, 600_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds the compiled package, the shipped models and nothing of the development tree, under 15 MB unpacked', () => {
    const paths = packed.files.map((f) => f.path);
    for (const p of ['package.json', 'README.md', 'bin/tengen.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli.js', 'dist/tui/dashboard.js', 'models/connect4/model.json']) expect(paths).toContain(p);
    for (const bad of [/^test\//, /^bench\//, /^\.ci\//, /^scripts\//, /^src\//, /^examples\//, /^tsconfig/, /\.ts$(?<!\.d\.ts)/, /training-log\.txt$/]) {
      expect(paths.filter((p) => bad.test(p))).toEqual([]);
    }
    expect(packed.unpackedSize).toBeLessThan(15 * 1024 * 1024);
  });

  it('installs without onnxruntime-node where its download fails, and its compiled CLI starts without tsx', () => {
    expect(existsSync(join(app, 'node_modules', 'tsx'))).toBe(false);
    const help = run(join(app, 'node_modules', '.bin', 'tengen'), ['--help'], app, 60_000);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Usage: tengen/);
    const bad = run(join(app, 'node_modules', '.bin', 'tengen'), ['no-such-command'], app, 60_000);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('using the installed package', () => {
  it('imports every entry point from plain node (.mjs)', () => {
    const specifiers = Object.keys(pkg.exports).filter((k) => k !== './package.json').map((k) => (k === '.' ? 'tengen' : `tengen/${k.slice(2)}`));
    expect(specifiers).toHaveLength(10);
    const check = [
      `const counts = {};`,
      ...specifiers.map((s) => `counts[${JSON.stringify(s)}] = Object.keys(await import(${JSON.stringify(s)})).length;`),
      `const root = await import('tengen');`,
      `for (const name of ['make', 'makeGame', 'MCTS', 'PPO', 'nets', 'sequence', 'vision']) if (!(name in root)) throw new Error('tengen lacks ' + name);`,
      `console.log(JSON.stringify(counts));`,
    ].join('\n');
    writeFileSync(join(app, 'entry-points.mjs'), check);
    const counts = JSON.parse(ok(run(process.execPath, ['entry-points.mjs'], app, 120_000), 'importing the entry points').trim()) as Record<string, number>;
    for (const s of specifiers) expect(counts[s], s).toBeGreaterThan(5);
  });

  it('needs no set-up call: a recurrent cell and a PPO agent are built right after their import', () => {
    writeFileSync(
      join(app, 'no-setup.mjs'),
      [
        `import { LSTMCell } from 'tengen/sequence';`,
        `import { PPO, make } from 'tengen';`,
        `const cell = new LSTMCell(2, 3, { seed: 1 });`,
        `const agent = new PPO(() => make('CartPole-v1'), { nEnvs: 2, seed: 1 });`,
        `console.log(cell.units, agent.predict(make('CartPole-v1').reset({ seed: 1 }).observation, true));`,
      ].join('\n'),
    );
    expect(ok(run(process.execPath, ['no-setup.mjs'], app, 120_000), 'no-setup.mjs').trim()).toMatch(/^3 [01]$/);
  });

  it('starts compiled worker threads: self-play with 2 workers and data-parallel training with 2 workers', () => {
    const runDir = join(root, 'selfplay-run');
    const tiny = ['arch=mlp', 'blocks=1', 'filters=16', 'gamesPerGeneration=8', 'simulations=8', 'evalGames=0', 'strengthGames=0', 'batchSize=16', 'minBufferPositions=16'];
    const sp = run(join(app, 'node_modules', '.bin', 'tengen'), ['selfplay', '--game', 'tictactoe', '--out', runDir, '--no-tui', '--workers', '2', '--generations', '1', ...tiny.flatMap((x) => ['--set', x])], app, 180_000);
    expect(sp.status, sp.stderr).toBe(0);
    expect(sp.stdout).toMatch(/gen 1 self-play: 8 games/);
    writeFileSync(
      join(app, 'data-parallel.mjs'),
      [
        `import { trainSync, dpDataset } from 'tengen/vision';`,
        `const r = await trainSync(dpDataset(1, 64), { workers: 2, steps: 3, batch: 16, seed: 1 });`,
        `console.log(r.losses.length);`,
      ].join('\n'),
    );
    expect(ok(run(process.execPath, ['data-parallel.mjs'], app, 180_000), 'data-parallel.mjs').trim()).toBe('3');
  });

  // The examples that use a shipped model name its directory under models/.
  const needs: Record<string, string> = { 'sequence.mjs': 'transformer-en-ja', 'vision.mjs': 'mobilenet-shapes' };
  for (const example of examples) {
    const model = needs[example];
    it.skipIf(model !== undefined && !existsSync(join(repo, 'models', model!, 'model.json')))(`runs examples/${example}`, () => {
      const r = run(process.execPath, [example], app, 180_000);
      expect(r.stderr.replace(/^tengen: onnxruntime-node is not installed.*\n/m, '')).not.toMatch(/Error|at file:/);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim().length).toBeGreaterThan(0);
    });
  }

  it('type-checks a strict NodeNext TypeScript consumer with skipLibCheck false', () => {
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, noEmit: true }, include: ['consumer.ts'] }, null, 2),
    );
    writeFileSync(
      join(app, 'consumer.ts'),
      [
        `import { make, makeGame, MCTS, PPO, type Env } from 'tengen';`,
        `import { CartPoleEnv, listEnvs } from 'tengen/env';`,
        `import { DQN, QLearning } from 'tengen/agents';`,
        `import { UniformEvaluator } from 'tengen/mcts';`,
        `import { buildResNet, saveModel, loadModel, tf } from 'tengen/nets';`,
        `import { GoGame } from 'tengen/go';`,
        `import { loadNet, shippedNetFor } from 'tengen/alphazero';`,
        `import { Translator, Transformer, Seq2Seq, LSTMCell } from 'tengen/sequence';`,
        `import { buildMobileNet, loadVisionModel, classifyImage } from 'tengen/vision';`,
        `const env: Env<unknown, unknown> = make('CartPole-v1');`,
        `const first: number = new CartPoleEnv().reset({ seed: 1 }).observation[0]!;`,
        `const game = makeGame('tictactoe');`,
        `const search = new MCTS(game, { seed: 1, evaluator: new UniformEvaluator() });`,
        `async function main(): Promise<string> {`,
        `  const { action } = await search.search(game.newInitialState(), { visits: 10 });`,
        `  const translator: Translator = await Translator.load();`,
        `  const ja: string = translator.translate('I am a student.');`,
        `  const t: Transformer | Seq2Seq = translator.model;`,
        `  const net: tf.LayersModel = buildMobileNet({ alpha: 0.25, inputSize: 32, classes: 3 });`,
        `  await saveModel(net, 'x');`,
        `  const { model, kind } = await loadVisionModel('x', 'mobilenet');`,
        `  const c = classifyImage(model, { width: 1, height: 1, channels: 3, data: new Float32Array(3) });`,
        `  const loaded = await loadNet(shippedNetFor(game) ?? 'none');`,
        `  const cell = new LSTMCell(2, 3, { seed: 1 });`,
        `  void [PPO, DQN, QLearning, GoGame, loadModel, buildResNet, listEnvs, env, first, t, kind, c.label, loaded.spec, cell.units];`,
        `  return ja + String(action);`,
        `}`,
        `void main;`,
      ].join('\n'),
    );
    const r = run(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], app, 180_000);
    const errors = r.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
    // tfjs-layers 4.22's own declarations fail `strict` with skipLibCheck false (optional properties
    // against an index signature, and LayersModel against InferenceModel): a consumer that imports
    // only @tensorflow/tfjs gets exactly these. They are upstream's; every other error is ours.
    const ours = errors.filter((l) => !l.startsWith('node_modules/@tensorflow/tfjs-layers/'));
    expect(ours).toEqual([]);
  });
});
