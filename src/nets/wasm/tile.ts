/**
 * Tile for wasm, by block copies. The package's kernel computes a source index for every output
 * element; batch norm's gradient tiles a per-channel vector [1, 1, 1, C] to the whole activation
 * [N, H, W, C] several times per layer, and there that kernel took about a third of a training
 * step of the Connect Four residual net (bench/train-step.ts measures both).
 *
 * Here axis k's output block is built from the k+1 blocks of its s[k] input slices, then copied
 * reps[k] - 1 more times with copyWithin: memory-bandwidth work, no per-element index
 * arithmetic. Dtypes the heap does not hold as numbers (string) go to the original kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { Info, WasmBackend } from './wasm-ops.ts';

let original: tf.KernelConfig | undefined;

/** Keep the package's Tile before it is replaced (for dtypes this one does not handle). */
export function captureOriginalTile(): void {
  if (!original) original = tf.getKernel('Tile', 'wasm');
}

type Heap = Float32Array | Int32Array | Uint8Array;

/** Write x (shape `shape`) tiled by `reps` into out (row-major). */
function tileInto(x: Heap, shape: readonly number[], reps: readonly number[], out: Heap): void {
  const r = shape.length;
  if (r === 0) {
    out[0] = x[0]!;
    return;
  }
  const inStride = new Array<number>(r);
  const outStride = new Array<number>(r);
  let si = 1;
  let so = 1;
  for (let k = r - 1; k >= 0; k--) {
    inStride[k] = si;
    outStride[k] = so;
    si *= shape[k]!;
    so *= shape[k]! * reps[k]!;
  }
  const fill = (k: number, inOff: number, outOff: number): void => {
    const n = shape[k]!;
    if (k === r - 1) {
      for (let i = 0; i < n; i++) out[outOff + i] = x[inOff + i]!;
    } else {
      const is = inStride[k]!;
      const os = outStride[k]!;
      for (let i = 0; i < n; i++) fill(k + 1, inOff + i * is, outOff + i * os);
    }
    // The first n * outStride[k] elements hold one copy of this axis's slices; repeat them.
    const block = n * outStride[k]!;
    if (block === 0) return;
    const rep = reps[k]!;
    for (let j = 1; j < rep; j++) out.copyWithin(outOff + j * block, outOff, outOff + block);
  };
  fill(0, 0, 0);
}

function tile(args: { inputs: { x: Info }; attrs: { reps: number[] }; backend: WasmBackend }): Info {
  const { inputs, attrs, backend } = args;
  const x = inputs.x;
  if (x.dtype !== 'float32' && x.dtype !== 'int32' && x.dtype !== 'bool') {
    if (!original) throw new Error('internal: the wasm Tile kernel was not captured before it was replaced');
    return original.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
  }
  const reps = attrs.reps;
  if (reps.length !== x.shape.length) {
    throw new Error(`Tile: reps has ${reps.length} entries but x has rank ${x.shape.length}; they must match`);
  }
  const outShape = x.shape.map((s, i) => s * reps[i]!);
  const out = backend.makeOutput(outShape, x.dtype);
  if (outShape.some((s) => s === 0)) return out;
  // Both views after makeOutput: an allocation may grow (and so move) the heap.
  tileInto(backend.typedArrayFromHeap(x) as Heap, x.shape, reps, backend.typedArrayFromHeap(out) as Heap);
  return out;
}

/** The replacement (after captureOriginalTile); it keeps the original's setup, which binds the wasm function. */
export function tileKernels(): tf.KernelConfig[] {
  if (!original) return [];
  return [{ kernelName: 'Tile', backendName: 'wasm', kernelFunc: tile as unknown as tf.KernelFunc, setupFunc: original.setupFunc }];
}
