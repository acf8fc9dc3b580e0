/**
 * BatchMatMul for wasm with transposed operands. The wasm package's kernel handles transposeA /
 * transposeB itself but about 10x slower than the plain product (measured 256x256: 52 ms against
 * 4.6 ms), and every matMul gradient uses a transposed operand, so Dense layers trained on wasm
 * paid it on each step. Here the operand is transposed first (wasm Transpose, ~1.7 ms for 256x256)
 * and the fast plain kernel does the product.
 */
import * as tf from '@tensorflow/tfjs';
import { WasmOps, type Info, type WasmBackend } from './wasm-ops.ts';

let original: tf.KernelConfig | undefined;

/** Remember the wasm package's own BatchMatMul before it is replaced (call before registering). */
export function captureOriginalMatMul(): void {
  if (!original) original = tf.getKernel('BatchMatMul', 'wasm');
}

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

function batchMatMul(args: { inputs: { a: Info; b: Info }; attrs: { transposeA: boolean; transposeB: boolean }; backend: WasmBackend }): Info {
  if (!original) throw new Error('internal: the wasm BatchMatMul kernel was not captured before it was replaced');
  const { inputs, attrs, backend } = args;
  const call = (a: Info, b: Info, ta: boolean, tb: boolean): Info =>
    original!.kernelFunc({ inputs: { a, b }, attrs: { ...attrs, transposeA: ta, transposeB: tb }, backend }) as Info;
  if (!attrs.transposeA && !attrs.transposeB) return call(inputs.a, inputs.b, false, false);
  const ops = new WasmOps(backend);
  const temps: Info[] = [];
  const flip = (x: Info): Info => {
    const t = ops.transpose(x, swapLastTwo(x.shape.length));
    temps.push(t);
    return t;
  };
  const a = attrs.transposeA ? flip(inputs.a) : inputs.a;
  const b = attrs.transposeB ? flip(inputs.b) : inputs.b;
  const out = call(a, b, false, false);
  ops.free(...temps);
  return out;
}

/** The replacement (after captureOriginalMatMul); it keeps the original's setup, which binds the wasm function. */
export function matMulKernels(): tf.KernelConfig[] {
  if (!original) return [];
  return [{ kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: batchMatMul as unknown as tf.KernelFunc, setupFunc: original.setupFunc }];
}
