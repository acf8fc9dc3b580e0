/**
 * Which numerics train a classic agent's networks (the `engine` option of DQN, PPO, A2C, REINFORCE):
 *
 *  - 'onnxruntime': each training step (forward, loss, gradients) is one graph run by
 *    onnxruntime-node in native code (src/nets/train/), the optimizer one loop over a flat
 *    parameter buffer, acting a one-call forward pass. Several times faster on a CPU.
 *  - 'tfjs': TensorFlow.js ops on the backend chosen by initBackend (the original implementation;
 *    also what runs where onnxruntime-node does not load).
 *  - 'auto' (default): 'onnxruntime' where it loads, else 'tfjs'.
 *
 * Both start from the same seeded weights and compute the same losses and updates; results agree
 * to float rounding, not bit for bit, so one seed reproduces a run exactly on the same engine.
 */
import { UserError } from '../../util/errors.ts';
import { nativeRuntime, nativeRuntimeError } from '../../nets/train/ort.ts';

export const ENGINES = ['auto', 'onnxruntime', 'tfjs'] as const;
export type EngineName = (typeof ENGINES)[number];
export type ResolvedEngine = Exclude<EngineName, 'auto'>;

/** The engine `requested` means here; a clear error when it is unknown or onnxruntime cannot load. */
export function resolveEngine(requested: unknown, algo: string): ResolvedEngine {
  if (!(ENGINES as readonly unknown[]).includes(requested)) throw new UserError(`${algo}: engine must be one of ${ENGINES.map((e) => `'${e}'`).join(', ')}, got ${JSON.stringify(requested)}`);
  if (requested === 'tfjs') return 'tfjs';
  if (nativeRuntime()) return 'onnxruntime';
  if (requested === 'auto') return 'tfjs';
  throw new UserError(`${algo}: engine 'onnxruntime' is not available here (${nativeRuntimeError()}); use engine 'auto' or 'tfjs'`);
}
