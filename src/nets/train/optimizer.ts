/**
 * Optimizers over one flat parameter buffer. The optimizer owns the parameters, their gradients
 * and its slots as Float32Arrays in one WebAssembly memory, and the whole update (global-norm
 * clipping, moments, bias correction, the parameter step) is one SIMD kernel over the buffer
 * (src/nets/wasm/optim-kernels.ts), where the tfjs versions ran about ten tensor ops per weight
 * tensor. Users view `params` and write `grads` (onnxruntime reads and writes them in place), then
 * call step(). Where WebAssembly SIMD is unavailable the same update runs as a plain JS loop.
 *
 * The formulas are those of the tfjs code they replace:
 *  - 'adam', 'rmsprop': PyTorch's (src/agents/common/optim.ts, which the RL Zoo settings were tuned
 *    with): Adam  m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2, p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps);
 *    RMSprop v = a v + (1-a) g^2, p -= lr * g / (sqrt(v) + eps).
 *  - 'momentum': tf.train.momentum (AlphaZero's SGD): a = mu a + g, p -= lr a.
 *  - 'adam-tf': tf.train.adam: p -= lr * (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps), eps 1e-7.
 * Arithmetic is float32 like the tfjs ops (the JS fallback: doubles rounded when stored), so results
 * agree with the tfjs versions to float rounding (test/nets/train pins it).
 */
import type { ParamLayout } from './layers.ts';
import { type OptimKernels, optimKernels } from '../wasm/optim-kernels.ts';

/** An optimizer's state per weight tensor: first-moment slots of every tensor, then second-moment slots. */
export interface FlatOptimizerState {
  t: number;
  slots: Float32Array[];
}

export type FlatOptimizerKind = 'adam' | 'rmsprop' | 'momentum' | 'adam-tf';

export interface FlatOptimizerOptions {
  eps?: number;
  beta1?: number;
  /** Adam's beta2; RMSprop's smoothing constant alpha. */
  beta2?: number;
  /** SGD momentum. */
  momentum?: number;
  /** Force the plain JS loops (tests compare the two). */
  noWasm?: boolean;
}

export class FlatOptimizer {
  readonly kind: FlatOptimizerKind;
  /** The parameters the optimizer updates (size floats). */
  readonly params: Float32Array;
  /** Gradients, written by the caller before step(). */
  readonly grads: Float32Array;
  /** First moments (Adam), momentum accumulators ('momentum'); zeros for RMSprop. */
  readonly m: Float32Array;
  /** Second moments (Adam, RMSprop); empty for 'momentum'. */
  readonly v: Float32Array;
  /** Updates taken (Adam's bias correction). */
  t = 0;
  private readonly eps: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly mu: number;
  private readonly k: OptimKernels | null;
  /** Buffer length rounded up to whole SIMD vectors, and byte offsets of the buffers (wasm only). */
  private readonly padded: number;
  private readonly at: { p: number; g: number; m: number; v: number };

  constructor(readonly size: number, kind: FlatOptimizerKind, o: FlatOptimizerOptions = {}) {
    this.kind = kind;
    this.eps = o.eps ?? (kind === 'adam' ? 1e-8 : kind === 'adam-tf' ? 1e-7 : 1e-5);
    this.beta1 = o.beta1 ?? 0.9;
    this.beta2 = o.beta2 ?? (kind === 'rmsprop' ? 0.99 : 0.999);
    this.mu = o.momentum ?? 0.9;
    const vSize = kind === 'momentum' ? 0 : size;
    this.padded = Math.ceil(size / 4) * 4;
    const bytes = this.padded * 4;
    this.k = o.noWasm ? null : optimKernels(4 * bytes);
    if (this.k) {
      const buf = this.k.memory.buffer;
      this.at = { p: 0, g: bytes, m: 2 * bytes, v: 3 * bytes };
      this.params = new Float32Array(buf, this.at.p, size);
      this.grads = new Float32Array(buf, this.at.g, size);
      this.m = new Float32Array(buf, this.at.m, size);
      this.v = new Float32Array(buf, this.at.v, vSize);
    } else {
      this.at = { p: 0, g: 0, m: 0, v: 0 };
      this.params = new Float32Array(size);
      this.grads = new Float32Array(size);
      this.m = new Float32Array(size);
      this.v = new Float32Array(vSize);
    }
  }

  /** Whether the update runs as the WebAssembly SIMD kernel (else the JS loop). */
  get simd(): boolean {
    return this.k !== null;
  }

  /**
   * params -= update(grads), in place. With `maxGradNorm` > 0 the gradient is first scaled to at
   * most that global L2 norm (scale = min(1, max / (norm + 1e-6)), PyTorch's clip_grad_norm_).
   * Returns the norm before clipping.
   */
  step(lr: number, maxGradNorm?: number): number {
    const norm = Math.sqrt(this.k ? this.k.sumsq(this.at.g, this.padded) : sumOfSquares(this.grads));
    const s = maxGradNorm !== undefined && maxGradNorm > 0 ? Math.min(1, maxGradNorm / (norm + 1e-6)) : 1;
    this.t++;
    const { k, at, padded: n, beta1: b1, beta2: b2, eps } = this;
    if (!k) this.stepJs(lr, s);
    else if (this.kind === 'adam') k.adam(at.p, at.g, at.m, at.v, n, s, b1, 1 - b1, b2, 1 - b2, lr / (1 - Math.pow(b1, this.t)), 1 / Math.sqrt(1 - Math.pow(b2, this.t)), eps);
    else if (this.kind === 'rmsprop') k.rmsprop(at.p, at.g, at.v, n, s, b2, 1 - b2, lr, eps);
    else if (this.kind === 'momentum') k.momentum(at.p, at.g, at.m, n, s, this.mu, lr);
    else k.adamTf(at.p, at.g, at.m, at.v, n, s, b1, 1 - b1, b2, 1 - b2, lr, 1 - Math.pow(b1, this.t), 1 - Math.pow(b2, this.t), eps);
    return norm;
  }

  private stepJs(lr: number, s: number): void {
    const { params, grads, m, v, eps, size: n } = this;
    const b1 = this.beta1;
    const b2 = this.beta2;
    if (this.kind === 'adam') {
      const stepSize = lr / (1 - Math.pow(b1, this.t));
      const rootBc2 = Math.sqrt(1 - Math.pow(b2, this.t));
      for (let i = 0; i < n; i++) {
        const g = grads[i]! * s;
        const mi = (m[i] = b1 * m[i]! + (1 - b1) * g);
        const vi = (v[i] = b2 * v[i]! + (1 - b2) * g * g);
        params[i]! -= (stepSize * mi) / (Math.sqrt(vi) / rootBc2 + eps);
      }
    } else if (this.kind === 'rmsprop') {
      for (let i = 0; i < n; i++) {
        const g = grads[i]! * s;
        const vi = (v[i] = b2 * v[i]! + (1 - b2) * g * g);
        params[i]! -= (lr * g) / (Math.sqrt(vi) + eps);
      }
    } else if (this.kind === 'momentum') {
      const mu = this.mu;
      for (let i = 0; i < n; i++) params[i]! -= lr * (m[i] = mu * m[i]! + grads[i]! * s);
    } else {
      const bc1 = 1 - Math.pow(b1, this.t);
      const bc2 = 1 - Math.pow(b2, this.t);
      for (let i = 0; i < n; i++) {
        const g = grads[i]! * s;
        const mi = (m[i] = b1 * m[i]! + (1 - b1) * g);
        const vi = (v[i] = b2 * v[i]! + (1 - b2) * g * g);
        params[i]! -= (lr * (mi / bc1)) / (Math.sqrt(vi / bc2) + eps);
      }
    }
  }

  /**
   * The state split per tensor of `layout`, in the tfjs Optimizer's checkpoint order (m of each
   * tensor, then v of each; 'momentum' has m only).
   */
  getState(layout: ParamLayout): FlatOptimizerState {
    return { t: this.t, slots: [...layout.read(this.m), ...(this.v.length > 0 ? layout.read(this.v) : [])] };
  }

  setState(layout: ParamLayout, st: FlatOptimizerState): void {
    const n = layout.shapes.length;
    const want = this.v.length > 0 ? 2 * n : n;
    if (st.slots.length !== want) throw new Error(`optimizer checkpoint has ${st.slots.length} slots, expected ${want}`);
    layout.write(this.m, st.slots.slice(0, n), 'optimizer');
    if (this.v.length > 0) layout.write(this.v, st.slots.slice(n), 'optimizer');
    this.t = st.t;
  }
}

function sumOfSquares(a: Float32Array): number {
  let sq = 0;
  for (let i = 0; i < a.length; i++) sq += a[i]! * a[i]!;
  return sq;
}
