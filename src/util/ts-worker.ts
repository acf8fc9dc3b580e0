/**
 * Source for a worker_threads Worker (with `eval: true`) that runs a TypeScript module: it
 * registers tsx's ESM loader in the thread, then imports `entry`. A failure to load is posted back
 * as `{ type: 'error', message }`, so the parent sees why instead of a silent exit.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

export function tsWorkerSource(entry: URL): string {
  const require = createRequire(import.meta.url);
  const api = pathToFileURL(require.resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs')).href;
  return `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); }).catch((e) => { require('node:worker_threads').parentPort.postMessage({ type: 'error', message: String(e && e.stack || e) }); });`;
}
