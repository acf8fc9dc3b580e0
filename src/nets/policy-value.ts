/**
 * The policy-value model contract shared by the nets, the evaluators, the ONNX exporter and the
 * trainer: a tf.LayersModel with one channels-last input [batch, rows, cols, planes] and two outputs,
 * in this order:
 *   0. `policy`: [batch, numActions], raw logits (the evaluators apply the legal-move mask and the
 *      softmax; a trainer uses softmax cross-entropy on logits). A model whose policy output ends in a
 *      softmax (the AlphaGo Lee policy net) is recognised and treated as probabilities instead.
 *   1. `value`:  [batch, 1], tanh, the expected outcome for the player to move (observations are built
 *      from that player's point of view).
 */
import { tf } from './backend.ts';

/** Shapes of a policy-value model, read from the model itself. */
export interface PolicyValueShapes {
  /** [rows, cols, planes] of one observation. */
  inputShape: [number, number, number];
  numActions: number;
  /** True when the policy output is already a softmax (probabilities), false for logits. */
  policyIsProbabilities: boolean;
}

/** Raw outputs of a batch: `policy` is n*numActions (logits or probabilities), `value` is n. */
export interface PolicyValueBatch {
  policy: Float32Array;
  value: Float32Array;
}

/**
 * Check that `model` meets the contract and read its shapes. Throws an Error naming what was found
 * and what was expected.
 */
export function policyValueShapes(model: tf.LayersModel): PolicyValueShapes {
  if (model.inputs.length !== 1) throw new Error(`policy-value model must have 1 input, found ${model.inputs.length}`);
  const inShape = model.inputs[0]!.shape;
  if (inShape.length !== 4 || inShape.slice(1).some((d) => d === null || d <= 0)) {
    throw new Error(`policy-value model input must be [batch, rows, cols, planes], found [${inShape.join(', ')}]`);
  }
  if (model.outputs.length !== 2) throw new Error(`policy-value model must have 2 outputs (policy, value), found ${model.outputs.length}`);
  const p = model.outputs[0]!.shape;
  const v = model.outputs[1]!.shape;
  const numActions = p[1];
  if (p.length !== 2 || numActions === null || numActions === undefined || numActions <= 0) throw new Error(`policy output must be [batch, numActions], found [${p.join(', ')}]`);
  if (v.length !== 2 || v[1] !== 1) throw new Error(`value output must be [batch, 1], found [${v.join(', ')}]`);
  return {
    inputShape: [inShape[1]!, inShape[2]!, inShape[3]!],
    numActions,
    policyIsProbabilities: endsInSoftmax(model.outputs[0]!),
  };
}

function endsInSoftmax(t: tf.SymbolicTensor): boolean {
  const cfg = t.sourceLayer.getConfig();
  return cfg['activation'] === 'softmax' || t.sourceLayer.getClassName() === 'Softmax';
}

/**
 * Run the model on n observations laid out back to back (channels-last) and read both heads back.
 * All intermediate tensors are freed, whatever happens.
 */
export async function predictPolicyValue(model: tf.LayersModel, obs: Float32Array, n: number): Promise<PolicyValueBatch> {
  const [rows, cols, planes] = policyValueShapes(model).inputShape;
  const per = rows * cols * planes;
  if (!Number.isInteger(n) || n < 1) throw new Error(`predictBatch: batch size must be a positive integer, got ${n}`);
  if (obs.length !== n * per) {
    throw new Error(`predictBatch: expected ${n} x ${rows}x${cols}x${planes} = ${n * per} floats, got ${obs.length}`);
  }
  const [p, v] = tf.tidy(() => {
    const x = tf.tensor4d(obs, [n, rows, cols, planes]);
    const out = model.predict(x) as tf.Tensor[];
    return [out[0]!, out[1]!];
  });
  try {
    const [policy, value] = await Promise.all([p.data() as Promise<Float32Array>, v.data() as Promise<Float32Array>]);
    return { policy, value };
  } finally {
    p.dispose();
    v.dispose();
  }
}
