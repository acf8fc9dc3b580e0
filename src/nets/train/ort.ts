/**
 * Run a Graph (./graph.ts) with onnxruntime-node, synchronously.
 *
 * Why not the package's InferenceSession: its `run` is async (a setImmediate and a promise per call,
 * 13-29 us measured here, against 9 us for the run itself on a small MLP) and it allocates fresh
 * output buffers each call. A training loop makes thousands of small calls between environment
 * steps, so this module opens the session through the package's own native binding (the object
 * its InferenceSession wraps: same library, same kernels), runs it synchronously, and writes the
 * outputs into caller-owned Float32Arrays (pre-allocated fetches), so a step allocates nothing.
 *
 * `nativeRuntime()` is null where onnxruntime-node does not load (no prebuilt binary for the
 * platform, or a package layout this module does not know); callers then use their tfjs path.
 */
import { createRequire } from 'node:module';

/** An onnxruntime tensor (onnxruntime-common's Tensor): what feeds and fetches hold. */
export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}
type TensorCtor = new (type: string, data: Float32Array | BigInt64Array | Uint8Array, dims: readonly number[]) => OrtTensor;

interface NativeSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: Record<string, unknown>): void;
  run(feeds: Record<string, OrtTensor>, fetches: Record<string, OrtTensor | null>, options: Record<string, unknown>): Record<string, OrtTensor>;
  dispose(): void;
}

export interface NativeRuntime {
  Tensor: TensorCtor;
  newSession(): NativeSession;
}

let runtime: NativeRuntime | null | undefined;
let failure = '';

/** onnxruntime-node's native binding, loaded once; null (see nativeRuntimeError) where it does not load. */
export function nativeRuntime(): NativeRuntime | null {
  if (runtime !== undefined) return runtime;
  try {
    const require = createRequire(import.meta.url);
    const ort = require('onnxruntime-node') as { Tensor: TensorCtor };
    const b = require('onnxruntime-node/dist/binding.js') as {
      binding: { InferenceSession: new () => NativeSession };
      initOrt?: () => void;
    };
    if (typeof b.binding?.InferenceSession !== 'function' || typeof b.initOrt !== 'function') throw new Error('unexpected layout of onnxruntime-node/dist/binding.js');
    // The package's own initialisation (log level, its Tensor class for outputs, main-thread flag).
    b.initOrt();
    runtime = { Tensor: ort.Tensor, newSession: () => new b.binding.InferenceSession() };
  } catch (e) {
    failure = e instanceof Error ? e.message.split('\n')[0]! : String(e);
    runtime = null;
  }
  return runtime;
}

/** Why nativeRuntime() is null ('' while it is not). */
export function nativeRuntimeError(): string {
  nativeRuntime();
  return failure;
}

export interface ProgramOptions {
  /** Threads inside one op (default 1: the machine is shared, and one thread was fastest for these sizes). */
  threads?: number;
}

/** A compiled graph. Feeds and fetches are onnxruntime tensors over caller-owned buffers. */
export class Program {
  private session: NativeSession | null;
  readonly rt: NativeRuntime;

  constructor(bytes: Uint8Array, opts: ProgramOptions = {}) {
    const rt = nativeRuntime();
    if (!rt) throw new Error(`onnxruntime-node is not available: ${failure}`);
    this.rt = rt;
    this.session = rt.newSession();
    this.session.loadModel(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength, {
      intraOpNumThreads: opts.threads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
  }

  /** A float32 tensor over `data` (no copy: ORT reads the buffer at each run, or writes it when fetched). */
  tensor(data: Float32Array, dims: readonly number[]): OrtTensor {
    return new this.rt.Tensor('float32', data, dims);
  }

  /** Run; outputs with a tensor in `fetches` are written into its buffer, the others are returned fresh. */
  run(feeds: Record<string, OrtTensor>, fetches: Record<string, OrtTensor | null>): Record<string, OrtTensor> {
    if (!this.session) throw new Error('Program: used after dispose()');
    return this.session.run(feeds, fetches, {});
  }

  dispose(): void {
    this.session?.dispose();
    this.session = null;
  }
}
