/**
 * UnsortedSegmentSum for wasm: the gradient of gather (embedding lookups, tf.gather) needs it.
 * out[s, ...] = sum of x[i, ...] over the i with segmentIds[i] == s; ids outside
 * [0, numSegments) are dropped, as in TensorFlow.
 *
 * Fast route: wasm's ScatterNd kernel, which adds duplicate indices (one pass in C++). When some
 * id is out of range (rare: ScatterNd would reject it) a plain JS loop over the wasm heap does
 * the same sum, skipping those rows.
 */
import * as tf from '@tensorflow/tfjs';
import { WasmOps, type Info, type WasmBackend } from './wasm-ops.ts';

function unsortedSegmentSum(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): Info {
  const { x, segmentIds } = args.inputs as { x: Info; segmentIds: Info };
  const numSegments = (args.attrs as unknown as { numSegments: number }).numSegments;
  const ops = new WasmOps(args.backend as WasmBackend);
  const k = segmentIds.shape.reduce((a, b) => a * b, 1);
  const rest = x.shape.slice(segmentIds.shape.length);
  const outShape = [numSegments, ...rest];
  const ids = ops.backend.readSync(segmentIds.dataId) as Int32Array;
  let allValid = true;
  for (let i = 0; i < k; i++) {
    const s = ids[i]!;
    if (!(s >= 0 && s < numSegments)) {
      allValid = false;
      break;
    }
  }
  if (allValid && k > 0 && segmentIds.dtype === 'int32') {
    const idx = ops.reshape(segmentIds, [k, 1]);
    const upd = ops.reshape(x, [k, ...rest]);
    const out = ops.scatterNd(idx, upd, outShape);
    ops.free(idx, upd);
    return out;
  }
  const d = rest.reduce((a, b) => a * b, 1);
  const out = ops.zeros(outShape, x.dtype);
  const xv = ops.backend.typedArrayFromHeap(x);
  const ov = ops.backend.typedArrayFromHeap(out);
  for (let i = 0; i < k; i++) {
    const s = ids[i]!;
    if (!(s >= 0 && s < numSegments)) continue;
    const src = i * d;
    const dst = s * d;
    for (let j = 0; j < d; j++) ov[dst + j]! += xv[src + j]!;
  }
  return out;
}

export const segmentSumKernels: tf.KernelConfig[] = [
  { kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc },
];
