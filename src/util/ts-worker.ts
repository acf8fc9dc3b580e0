/**
 * Source for a worker_threads Worker (with `eval: true`) that runs one of our modules, named by its
 * TypeScript source URL (`new URL('./worker.ts', import.meta.url)`):
 * - running from sources (tests, tsx, the benches), the thread registers tsx's ESM loader, then
 *   imports the .ts entry;
 * - running compiled (dist/, the installed package), this file is itself .js and the entry is the
 *   compiled sibling: the thread imports that .js directly, with no TypeScript loader at all.
 * A failure to load is posted back as `{ type: 'error', message }`, so the parent sees why instead
 * of a silent exit.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { RUNNING_COMPILED } from './paths.ts';

export function tsWorkerSource(entry: URL): string {
  const report = `.catch((e) => { require('node:worker_threads').parentPort.postMessage({ type: 'error', message: String(e && e.stack || e) }); });`;
  if (RUNNING_COMPILED) {
    const compiled = entry.href.replace(/\.tsx?$/, '.js');
    return `import(${JSON.stringify(compiled)})${report}`;
  }
  const require = createRequire(import.meta.url);
  const api = pathToFileURL(require.resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs')).href;
  return `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })${report}`;
}
