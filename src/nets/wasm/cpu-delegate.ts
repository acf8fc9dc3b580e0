/**
 * Rare forward kernels the wasm backend lacks (Einsum, the Ragged* ops) run on the pure-JS cpu
 * backend: inputs are copied out of the wasm heap, the cpu kernel runs, the outputs are copied
 * back. Correct, and slow only by the copies; no gradient kernel takes this route. The complex
 * number kernels (Complex, FFT, Real, ...) are not delegated: wasm has no complex64 storage.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from './wasm-ops.ts';

export const CPU_DELEGATED_KERNELS = ['Einsum', 'RaggedGather', 'RaggedRange', 'RaggedTensorToTensor'] as const;

function delegate(kernelName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as WasmBackend;
    const cpu = tf.findBackend('cpu');
    const cpuKernel = tf.getKernel(kernelName, 'cpu');
    if (!cpu || !cpuKernel) throw new Error(`${kernelName} on wasm needs the cpu backend's kernel, which is not available`);
    // Inputs are a name -> tensor map, or an array (Einsum): keep the same form.
    const copy = (t: tf.TensorInfo): tf.TensorInfo => ({ dataId: cpu.write(wasm.readSync(t.dataId), t.shape, t.dtype), shape: t.shape, dtype: t.dtype });
    const cpuInputs: tf.NamedTensorInfoMap = Array.isArray(inputs)
      ? ((inputs as tf.TensorInfo[]).map(copy) as unknown as tf.NamedTensorInfoMap)
      : Object.fromEntries(Object.entries(inputs).filter((e): e is [string, tf.TensorInfo] => e[1] !== undefined).map(([k, t]) => [k, copy(t)]));
    try {
      const res = cpuKernel.kernelFunc({ inputs: cpuInputs, backend: cpu, attrs });
      const outs = Array.isArray(res) ? res : [res];
      const back = outs.map((o) => {
        const vals = cpu.readSync(o.dataId) as tf.TypedArray;
        const w = wasm.makeOutput(o.shape, o.dtype, undefined, vals);
        cpu.disposeData(o.dataId, true);
        return w;
      });
      return Array.isArray(res) ? back : back[0]!;
    } finally {
      for (const t of Object.values(cpuInputs)) if (t) cpu.disposeData(t.dataId, true);
    }
  };
}

export const cpuDelegatedKernels: tf.KernelConfig[] = CPU_DELEGATED_KERNELS.map((kernelName) => ({
  kernelName,
  backendName: 'wasm',
  kernelFunc: delegate(kernelName),
}));
