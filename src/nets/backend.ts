/**
 * The tensor backend, chosen once at start-up. The whole repo imports TensorFlow.js from here:
 *
 *   import { tf, initBackend } from '../nets/backend.ts';
 *   await initBackend({ backend: opts.backend });   // once, before the first tensor
 *
 * Order when no backend is named (by `--backend` or env TENGEN_BACKEND):
 *   1. 'tensorflow-gpu'  @tensorflow/tfjs-node-gpu (CUDA), if the user installed it
 *   2. 'tensorflow'      @tensorflow/tfjs-node (libtensorflow on the CPU), if installed
 *   3. 'wasm'            @tensorflow/tfjs-backend-wasm (XNNPACK + SIMD), always installed
 *   4. 'cpu'             the pure-JS backend (slow; a last resort)
 * The two tfjs-node packages are not dependencies (their install downloads libtensorflow, which
 * fails offline); they are loaded by dynamic import only when they resolve. Nothing downloads at
 * install or run time: the wasm binaries are read from node_modules.
 *
 * The wasm backend lacks some gradient kernels; `registerWasmKernels` fills them in (see
 * src/nets/wasm/), so conv nets, depthwise convs and embeddings train on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { UserError } from '../util/errors.ts';
import { registerWasmKernels } from './wasm/register.ts';
import { registerDilatedConvGrad } from './wasm/dilated-conv-grad.ts';

export { tf };

/** The names a user may pass to `--backend` / TENGEN_BACKEND, best first. */
export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** The npm package behind each optional native backend. */
const NATIVE_PACKAGES: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

const require = createRequire(import.meta.url);

let chosen: BackendName | null = null;
let pending: Promise<BackendName> | null = null;
let wasmPathsSet = false;

function isBackendName(s: string): s is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(s);
}

function packageResolves(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/**
 * The backends that can be used in this process (a native one counts when its package is
 * installed; loading it may still fail if libtensorflow is missing).
 */
export function availableBackends(): BackendName[] {
  return BACKEND_NAMES.filter((n) => (n === 'wasm' || n === 'cpu' ? true : packageResolves(NATIVE_PACKAGES[n])));
}

/**
 * Point the wasm backend at the .wasm files inside node_modules (a file path, read with fs;
 * never fetched). Threads: the multi-threaded wasm build does not start under Node (its
 * pthread workers need a browser; tfjs issue #3830, and tfjs itself reports no thread support
 * in Node), so we use the single-threaded SIMD build, or the plain build where the CPU's
 * WebAssembly lacks SIMD (TENGEN_WASM_SIMD=0 forces the plain build).
 */
function configureWasm(simd: boolean): void {
  if (!wasmPathsSet) {
    const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    setWasmPaths(dist + sep);
    wasmPathsSet = true;
  }
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!simd) tf.env().set('WASM_HAS_SIMD_SUPPORT', false);
}

/** Silence the cpu backend's one-time "install tfjs-node" banner: the choice was deliberate. */
function quietCpuBanner(): void {
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu && typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
}

async function tryWasm(): Promise<string | null> {
  const simdWanted = process.env['TENGEN_WASM_SIMD'] !== '0';
  configureWasm(simdWanted);
  // Only the kernels are registered here; the backend instance exists after setBackend.
  registerWasmKernels();
  if (await setWasmBackend()) return null;
  if (simdWanted) {
    // The SIMD build failed to start: try the plain build once.
    configureWasm(false);
    if (await setWasmBackend()) return null;
  }
  return 'the wasm module failed to initialise (see the warning above)';
}

/**
 * tf.setBackend('wasm'), minus the process-wide 'uncaughtException' / 'unhandledRejection'
 * listeners that the emscripten loader installs: they rethrow from inside the minified module,
 * so any later crash would print 30 KB of minified code instead of the error. Node's default
 * handling (print the error, exit 1) is what users expect.
 */
async function setWasmBackend(): Promise<boolean> {
  const events = ['uncaughtException', 'unhandledRejection'];
  type Listener = (...args: unknown[]) => void;
  const listeners = (e: string): Listener[] => process.listeners(e as 'exit') as unknown as Listener[];
  const before = events.map((e) => new Set(listeners(e)));
  try {
    return await tf.setBackend('wasm');
  } finally {
    events.forEach((e, i) => {
      for (const l of listeners(e)) if (!before[i]!.has(l)) process.removeListener(e, l);
    });
  }
}

async function tryNative(name: 'tensorflow-gpu' | 'tensorflow'): Promise<string | null> {
  const pkg = NATIVE_PACKAGES[name];
  if (!packageResolves(pkg)) return `${pkg} is not installed (npm install ${pkg})`;
  try {
    // A variable specifier keeps bundlers and tsc from requiring the optional package.
    const spec: string = pkg;
    await import(spec);
  } catch (e) {
    return `${pkg} is installed but failed to load: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
  }
  if (!(await tf.setBackend('tensorflow'))) return `${pkg} loaded but its 'tensorflow' backend failed to initialise`;
  return null;
}

/** Try one backend; null on success, else the reason it is unavailable. */
async function trySet(name: BackendName): Promise<string | null> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      return tryNative(name);
    case 'wasm':
      return tryWasm();
    case 'cpu':
      return (await tf.setBackend('cpu')) ? null : 'the cpu backend failed to initialise';
  }
}

async function choose(requested: string | undefined): Promise<BackendName> {
  registerDilatedConvGrad();
  if (requested !== undefined) {
    const name = requested.trim().toLowerCase();
    if (!isBackendName(name)) {
      throw new UserError(
        `unknown tensor backend '${requested}'; expected one of: ${BACKEND_NAMES.join(', ')} (available here: ${availableBackends().join(', ')})`,
      );
    }
    const why = await trySet(name);
    if (why !== null) {
      throw new UserError(`tensor backend '${name}' is not available: ${why}; available here: ${availableBackends().join(', ')}`);
    }
    return name;
  }
  for (const name of BACKEND_NAMES) {
    if ((name === 'tensorflow-gpu' || name === 'tensorflow') && !packageResolves(NATIVE_PACKAGES[name])) continue;
    if ((await trySet(name)) === null) return name;
  }
  throw new Error('no tensor backend could be initialised (not even cpu)');
}

/**
 * Choose and initialise the tensor backend. Idempotent: later calls without a name return the
 * first choice; a call naming a different backend switches to it (tests compare backends so).
 * `backend` defaults to env TENGEN_BACKEND; an unknown or unavailable name throws a UserError
 * that lists what is available. Logs "tengen: tensor backend <name>" to stderr unless quiet.
 */
export async function initBackend(opts: { backend?: string; quiet?: boolean } = {}): Promise<string> {
  const envName = process.env['TENGEN_BACKEND'];
  const requested = opts.backend ?? (envName !== undefined && envName !== '' ? envName : undefined);
  if (pending) {
    const current = await pending;
    if (requested === undefined || requested.trim().toLowerCase() === current) return current;
  }
  const run = choose(requested).then((name) => {
    quietCpuBanner();
    chosen = name;
    if (!opts.quiet) process.stderr.write(`tengen: tensor backend ${name}\n`);
    return name;
  });
  pending = run;
  try {
    return await run;
  } catch (e) {
    // A failed request leaves the previous choice (if any) in place.
    pending = chosen === null ? null : Promise.resolve(chosen);
    throw e;
  }
}

/**
 * For library code that needs tensors: start the backend if nothing has (quietly, as initBackend
 * with no name would), else keep whatever the user or the CLI chose, even where TENGEN_BACKEND
 * names another.
 */
export function ensureBackend(): Promise<string> {
  return pending ?? initBackend({ quiet: true });
}

/**
 * The active backend's name ('tensorflow-gpu', 'tensorflow', 'wasm' or 'cpu'), or null before
 * initBackend. Follows tf.setBackend calls made after initBackend.
 */
export function backendName(): BackendName | null {
  if (chosen === null) return null;
  const active = tf.getBackend();
  if (active === 'tensorflow') return chosen === 'tensorflow-gpu' ? 'tensorflow-gpu' : 'tensorflow';
  return isBackendName(active) ? active : chosen;
}
