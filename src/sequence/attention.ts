/**
 * Attention mechanisms, each returning its weights for display:
 * - Bahdanau (additive): score(s, h_j) = v . tanh(W_q s + W_k h_j)
 * - Luong (multiplicative, 'general'): score(s, h_j) = s . (W h_j)
 * - scaled dot-product: softmax(Q K^T / sqrt(d_k) + mask) V
 * Masks hold 1 for positions that may be attended to and 0 for padding (or the future).
 */
import { tf } from '../nets/backend.ts';

const NEG = -1e9;

/** Softmax over the last axis of scores, with masked positions (mask 0) given ~zero weight. */
export function maskedSoftmax(scores: tf.Tensor, mask?: tf.Tensor): tf.Tensor {
  return tf.tidy(() => (mask ? tf.softmax(tf.add(scores, tf.mul(tf.sub(1, mask), NEG))) : tf.softmax(scores)));
}

/**
 * Additive attention. query [B, Dq], keys [B, S, Dk], mask [B, S].
 * Returns context [B, Dk] and weights [B, S].
 */
export function bahdanauAttention(query: tf.Tensor2D, keys: tf.Tensor3D, wq: tf.Tensor2D, wk: tf.Tensor2D, v: tf.Tensor1D, mask?: tf.Tensor2D): { context: tf.Tensor2D; weights: tf.Tensor2D } {
  const [B, S, Dk] = keys.shape;
  const A = wq.shape[1];
  const q = tf.matMul(query, wq).reshape([B, 1, A]);
  const k = tf.matMul(keys.reshape([B * S, Dk]), wk).reshape([B, S, A]);
  const scores = tf.sum(tf.mul(tf.tanh(tf.add(q, k)), v), 2) as tf.Tensor2D;
  const weights = maskedSoftmax(scores, mask) as tf.Tensor2D;
  const context = tf.sum(tf.mul(weights.reshape([B, S, 1]), keys), 1) as tf.Tensor2D;
  return { context, weights };
}

/** Multiplicative ('general') attention: query [B, D], keys [B, S, Dk], w [D, Dk]. */
export function luongAttention(query: tf.Tensor2D, keys: tf.Tensor3D, w: tf.Tensor2D, mask?: tf.Tensor2D): { context: tf.Tensor2D; weights: tf.Tensor2D } {
  const [B, S] = keys.shape;
  const q = tf.matMul(query, w).reshape([B, 1, -1]) as tf.Tensor3D;
  const scores = tf.matMul(q, keys, false, true).reshape([B, S]) as tf.Tensor2D;
  const weights = maskedSoftmax(scores, mask) as tf.Tensor2D;
  const context = tf.matMul(weights.reshape([B, 1, S]) as tf.Tensor3D, keys).reshape([B, -1]) as tf.Tensor2D;
  return { context, weights };
}

/**
 * Scaled dot-product attention. q [..., Tq, d], k [..., Tk, d], v [..., Tk, dv]; mask broadcastable
 * to [..., Tq, Tk]. Returns output [..., Tq, dv] and weights [..., Tq, Tk].
 */
export function scaledDotProductAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, mask?: tf.Tensor): { output: tf.Tensor; weights: tf.Tensor } {
  const d = q.shape[q.shape.length - 1]!;
  const scores = tf.div(tf.matMul(q as tf.Tensor3D, k as tf.Tensor3D, false, true), Math.sqrt(d));
  const weights = maskedSoftmax(scores, mask);
  return { output: tf.matMul(weights as tf.Tensor3D, v as tf.Tensor3D), weights };
}

/** [T, T] lower-triangular mask: position i may attend to j <= i. */
export function causalMask(T: number): tf.Tensor2D {
  return tf.linalg.bandPart(tf.ones([T, T]), -1, 0) as tf.Tensor2D;
}
