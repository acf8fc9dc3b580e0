#!/usr/bin/env node
// Entry point of the `tengen` command: runs the compiled CLI in dist/ (built by `npm run build`,
// which `npm install` runs in a clone through `prepare`). In a development clone whose TypeScript
// sources changed after the last build, it runs the sources through tsx instead, so an edit takes
// effect without a rebuild (slower to start: tsx transpiles at every start).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'src', 'cli.js');
const stamp = join(root, 'dist', '.build-stamp');

/** Newest modification time (ms) of the TypeScript sources under the given folders. */
function newestSource(dirs) {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.tsx?$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of dirs) if (existsSync(dir)) walk(dir);
  return newest;
}

const sources = [join(root, 'src'), join(root, 'tui')];
const stale = !existsSync(compiled) || !existsSync(stamp) || (existsSync(sources[0]) && newestSource(sources) > statSync(stamp).mtimeMs);
if (stale && existsSync(join(root, 'src', 'cli.ts'))) {
  const { register } = await import('tsx/esm/api');
  register();
  const { runAsProcess } = await import('../src/cli.ts');
  runAsProcess();
} else if (existsSync(compiled)) {
  const { runAsProcess } = await import('../dist/src/cli.js');
  runAsProcess();
} else {
  process.stderr.write(`tengen: ${compiled} is missing; run \`npm run build\` in ${root}\n`);
  process.exitCode = 1;
}
