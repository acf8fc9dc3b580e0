/**
 * Register, for the 'wasm' backend, the kernels it lacks that training needs (checked with a
 * residual conv net with batch norm, depthwise/separable convs, max/avg pooling, embedding +
 * LSTM/GRU, conv1d, transposed convs: only these threw "not registered for backend 'wasm'"):
 *
 *   Conv2DBackpropFilter                   wasm Conv2D on transposed tensors        (conv-grads.ts)
 *   DepthwiseConv2dNativeBackpropInput     wasm DepthwiseConv2dNative, flipped      (conv-grads.ts)
 *   DepthwiseConv2dNativeBackpropFilter    wasm DepthwiseConv2dNative, batch folded (conv-grads.ts)
 *   UnsortedSegmentSum (gather's gradient) wasm ScatterNd; JS loop if ids out of range (segment-sum.ts)
 *
 * and replaces one it has but runs slowly:
 *
 *   Conv2DBackpropInput                    wasm Conv2D with the rotated filter      (conv-grads.ts)
 *   BatchMatMul with transposed operands    wasm Transpose, then the plain product   (matmul.ts)
 *   Tile                                   block copies instead of per-element indexing (tile.ts)
 *
 * plus forward kernels delegated to the cpu backend (Einsum, Ragged*; cpu-delegate.ts).
 * Idempotent.
 */
import * as tf from '@tensorflow/tfjs';
import { convGradKernels } from './conv-grads.ts';
import { segmentSumKernels } from './segment-sum.ts';
import { cpuDelegatedKernels } from './cpu-delegate.ts';
import { captureOriginalMatMul, matMulKernels } from './matmul.ts';
import { captureOriginalTile, tileKernels } from './tile.ts';

/** Kernels the wasm package has that we replace with faster ones. */
const REPLACED = new Set(['Conv2DBackpropInput', 'BatchMatMul', 'Tile']);

/** The names of the kernels this module registered for wasm (for reports and tests). */
export const registeredWasmKernels: string[] = [];

let done = false;

export function registerWasmKernels(): void {
  if (done) return;
  done = true;
  captureOriginalMatMul();
  captureOriginalTile();
  for (const k of [...convGradKernels, ...segmentSumKernels, ...cpuDelegatedKernels, ...matMulKernels(), ...tileKernels()]) {
    if (tf.getKernel(k.kernelName, 'wasm')) {
      if (!REPLACED.has(k.kernelName)) continue;
      tf.unregisterKernel(k.kernelName, 'wasm');
    }
    tf.registerKernel(k);
    registeredWasmKernels.push(k.kernelName);
  }
}
