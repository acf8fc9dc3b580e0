/** The training engines the agent tests run on: both where onnxruntime-node loads, else tfjs alone (said once). */
import { nativeRuntime, nativeRuntimeError } from '../../../src/nets/train/ort.ts';

export const TEST_ENGINES: ('onnxruntime' | 'tfjs')[] = nativeRuntime() ? ['onnxruntime', 'tfjs'] : ['tfjs'];
if (!nativeRuntime()) console.warn(`onnxruntime-node does not load here (${nativeRuntimeError()}): agent tests run on the tfjs engine only`);
