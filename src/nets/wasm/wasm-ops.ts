/**
 * Direct calls to the wasm backend's own kernels, for use inside kernels we register for
 * 'wasm'. A kernel must not call tf ops (they would be recorded on the gradient tape and
 * tracked by the engine's scopes); it calls other kernels' functions on TensorInfos instead and
 * frees its intermediates itself. Everything here stays in wasm memory: no copies to JS arrays
 * except where a loop in JS over the heap is the whole job (padding, flips, small reductions).
 */
import * as tf from '@tensorflow/tfjs';

type Info = tf.TensorInfo;
type Attrs = tf.NamedAttrMap;
type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

/** The parts of BackendWasm that kernels use (it is not exported with types by the package). */
export interface WasmBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.TypedArray): Info;
  typedArrayFromHeap(info: Info): tf.TypedArray;
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
}

export class WasmOps {
  constructor(readonly backend: WasmBackend) {}

  private run(kernelName: string, inputs: Record<string, Info>, attrs: Attrs): Info {
    const k = tf.getKernel(kernelName, 'wasm');
    if (!k) throw new Error(`internal: wasm kernel ${kernelName} missing`);
    return k.kernelFunc({ inputs, attrs, backend: this.backend }) as Info;
  }

  /** Release intermediates (a reshape shares data and holds a reference, so each is freed). */
  free(...infos: Info[]): void {
    for (const t of infos) this.backend.disposeData(t.dataId);
  }

  /** A float32 view on the wasm heap; valid until the next allocation (heap may grow). */
  view(t: Info): Float32Array {
    return this.backend.typedArrayFromHeap(t) as Float32Array;
  }

  zeros(shape: number[], dtype: tf.DataType = 'float32'): Info {
    const out = this.backend.makeOutput(shape, dtype);
    this.backend.typedArrayFromHeap(out).fill(0);
    return out;
  }

  transpose(x: Info, perm: number[]): Info {
    return this.run('Transpose', { x }, { perm });
  }

  reshape(x: Info, shape: number[]): Info {
    return this.run('Reshape', { x }, { shape });
  }

  sum(x: Info, axis: number[]): Info {
    return this.run('Sum', { x }, { axis, keepDims: false });
  }

  conv2d(x: Info, filter: Info, dilations: [number, number], pad: ExplicitPad): Info {
    return this.run('Conv2D', { x, filter }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations, dimRoundingMode: undefined } as unknown as Attrs);
  }

  depthwiseConv2d(x: Info, filter: Info, dilations: [number, number], pad: ExplicitPad): Info {
    return this.run('DepthwiseConv2dNative', { x, filter }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations, dimRoundingMode: undefined } as unknown as Attrs);
  }

  slice(x: Info, begin: number[], size: number[]): Info {
    return this.run('Slice', { x }, { begin, size });
  }

  scatterNd(indices: Info, updates: Info, shape: number[]): Info {
    return this.run('ScatterNd', { indices, updates }, { shape });
  }
}

export type { ExplicitPad, Info };
