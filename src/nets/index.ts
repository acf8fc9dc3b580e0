/**
 * tengen/nets: the tensor backend, wasm gradient kernels, and model save/load.
 *
 * @module tengen/nets
 */
import './start-backend.ts'; // starts the tensor backend as the package loads (see there)
export { tf, initBackend, ensureBackend, backendName, availableBackends, BACKEND_NAMES, type BackendName } from './backend.ts';
export { registeredWasmKernels } from './wasm/register.ts';
export {
  saveModel,
  loadModel,
  saveWeights,
  loadWeights,
  writeExtra,
  readExtra,
  readMetadata,
  dirLoadHandler,
  MODEL_FILE,
  WEIGHTS_FILE,
  type SaveOptions,
} from './io.ts';
export { buildResNet, buildResNetForGame, checkResNetConfig, ALPHAZERO_L2, type ResNetConfig } from './resnet.ts';
export { buildLeePolicyNet, buildLeeValueNet, PositionBias, LEE_POLICY_PLANES, LEE_VALUE_PLANES, type LeeNetConfig } from './lee-nets.ts';
export { summarizeModel, formatSummary, formatMacs, layerMacs, type ModelSummary, type LayerRow } from './summary.ts';
export { registerArch, listArchs, getArch, buildArch, resolveArchOptions, type ArchSpec, type ArchOption } from './archs.ts';
export { policyValueShapes, predictPolicyValue, type PolicyValueShapes, type PolicyValueBatch } from './policy-value.ts';
export { NetEvaluator, stackObservations, maskedPolicy, checkModelFitsGame, type NetworkEvaluator, type NetEvaluatorOptions } from './evaluator.ts';
export { exportOnnx, toOnnxBytes, onnxOutputNames, ONNX_OPSET } from './onnx-export.ts';
export { OnnxEvaluator, type OnnxEvaluatorOptions } from './onnx-evaluator.ts';
export { SymmetryAveragedEvaluator, type SymmetryAveragedOptions } from './symmetry-evaluator.ts';
export { createBestEvaluator, createBestEvaluatorWithReason, type BestEvaluator, type BestEvaluatorOptions } from './best-evaluator.ts';
export { readHeader, SAVED_FORMAT_VERSION, type SavedHeader } from './saved-model.ts';
