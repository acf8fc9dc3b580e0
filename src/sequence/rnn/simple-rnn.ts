/**
 * A dependency-free recurrent net trained by backpropagation through time (BPTT), after the
 * course notebook "3_1_simple_RNN_after": binary addition of two 8-bit numbers, two input bits per
 * step (least significant first), one output bit, no biases, sigmoid output, squared error, one
 * example per iteration, plain gradient descent.
 *
 *   u[t] = x[t] W_in + z[t-1] W        z[t] = f(u[t])        y[t] = sigmoid(z[t] W_out)
 *   loss = sum_t 0.5 (y[t] - d[t])^2
 *
 * Everything is Float64Array maths with plain loops. Gradients are exact (checked against finite
 * differences in the tests); the notebook's output delta applies the sigmoid derivative to y
 * itself, which is not the true gradient, so it is available only as an option (`courseOutputDelta`).
 */
import { Rng } from '../../util/rng.ts';
import { UserError } from '../../util/errors.ts';

export type Activation = 'sigmoid' | 'tanh' | 'relu';
export type Init = 'normal' | 'xavier' | 'he';

export interface SimpleRnnOptions {
  /** Hidden units. Default 16. */
  hiddenSize: number;
  /** Std of the normal initialisation (init 'normal'). Default 1. */
  weightInitStd: number;
  /** 'normal' (std weightInitStd), 'xavier' (std 1/sqrt(fan_in)), 'he' (std sqrt(2/fan_in)). Default 'normal'. */
  init: Init;
  /** Hidden activation. Default 'sigmoid'. */
  activation: Activation;
  /** Step size of gradient descent. Default 0.1. */
  learningRate: number;
  /** Input bits per step. Default 2. */
  inputSize: number;
  /** Output bits per step. Default 1. */
  outputSize: number;
  /** Use the notebook's output delta (y-d) * s'(y) instead of the true (y-d) * y(1-y). Default false. */
  courseOutputDelta: boolean;
  /** Gradient-norm clipping: when the norm of all gradients together exceeds this, scale them down to it (Pascanu et al. 2013). Default Infinity (off). */
  clipNorm: number;
  seed: number;
}

export const DEFAULT_RNN_OPTIONS: Readonly<SimpleRnnOptions> = Object.freeze({
  hiddenSize: 16,
  weightInitStd: 1,
  init: 'normal',
  activation: 'sigmoid',
  learningRate: 0.1,
  inputSize: 2,
  outputSize: 1,
  courseOutputDelta: false,
  clipNorm: Infinity,
  seed: 0,
});

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

function act(kind: Activation, x: number): number {
  return kind === 'sigmoid' ? sigmoid(x) : kind === 'tanh' ? Math.tanh(x) : x > 0 ? x : 0;
}

/** Derivative of the activation at pre-activation u. */
function dact(kind: Activation, u: number): number {
  if (kind === 'sigmoid') {
    const s = sigmoid(u);
    return s * (1 - s);
  }
  if (kind === 'tanh') {
    const t = Math.tanh(u);
    return 1 - t * t;
  }
  return u > 0 ? 1 : 0;
}

export interface Gradients {
  wIn: Float64Array;
  w: Float64Array;
  wOut: Float64Array;
}

export class SimpleRnn {
  readonly opts: SimpleRnnOptions;
  /** inputSize x hiddenSize, row-major. */
  readonly wIn: Float64Array;
  /** hiddenSize x hiddenSize. */
  readonly w: Float64Array;
  /** hiddenSize x outputSize. */
  readonly wOut: Float64Array;
  private readonly rng: Rng;

  constructor(options: Partial<SimpleRnnOptions> = {}) {
    const o: SimpleRnnOptions = { ...DEFAULT_RNN_OPTIONS, ...options };
    if (!Number.isInteger(o.hiddenSize) || o.hiddenSize < 1) throw new UserError(`hiddenSize must be a positive integer, got ${o.hiddenSize}`);
    if (!(o.weightInitStd > 0)) throw new UserError(`weightInitStd must be > 0, got ${o.weightInitStd}`);
    if (!(o.learningRate > 0)) throw new UserError(`learningRate must be > 0, got ${o.learningRate}`);
    if (!['sigmoid', 'tanh', 'relu'].includes(o.activation)) throw new UserError(`activation must be sigmoid, tanh or relu, got '${o.activation}'`);
    if (!['normal', 'xavier', 'he'].includes(o.init)) throw new UserError(`init must be normal, xavier or he, got '${o.init}'`);
    if (!(o.clipNorm > 0)) throw new UserError(`clipNorm must be > 0 (Infinity: no clipping), got ${o.clipNorm}`);
    this.opts = o;
    this.rng = new Rng(o.seed);
    const H = o.hiddenSize;
    this.wIn = this.initMatrix(o.inputSize, H);
    this.wOut = this.initMatrix(H, o.outputSize);
    this.w = this.initMatrix(H, H);
  }

  private initMatrix(fanIn: number, fanOut: number): Float64Array {
    const std = this.opts.init === 'xavier' ? 1 / Math.sqrt(fanIn) : this.opts.init === 'he' ? Math.sqrt(2 / fanIn) : this.opts.weightInitStd;
    const m = new Float64Array(fanIn * fanOut);
    for (let i = 0; i < m.length; i++) m[i] = this.rng.normal(0, std);
    return m;
  }

  /** The random stream the trainer draws examples from (shares the seed). */
  get random(): Rng {
    return this.rng;
  }

  /**
   * Forward pass over a sequence. xs: T x inputSize, ds: T x outputSize (targets). Returns the loss,
   * the outputs, and fills `grads` (if given) with the BPTT gradients.
   */
  forwardBackward(xs: Float64Array, ds: Float64Array, T: number, grads?: Gradients): { loss: number; y: Float64Array } {
    const { hiddenSize: H, outputSize: O, activation } = this.opts;
    const { u, z, y, loss } = this.forward(xs, ds, T);
    if (grads) {
      grads.wIn.fill(0);
      grads.w.fill(0);
      grads.wOut.fill(0);
      const I = this.opts.inputSize;
      const deltaNext = new Float64Array(H);
      const delta = new Float64Array(H);
      const deltaOut = new Float64Array(O);
      for (let t = T - 1; t >= 0; t--) {
        const zt = (t + 1) * H;
        const zp = t * H;
        for (let o = 0; o < O; o++) {
          const yo = y[t * O + o]!;
          const dy = this.opts.courseOutputDelta ? sigmoid(yo) * (1 - sigmoid(yo)) : yo * (1 - yo);
          deltaOut[o] = (yo - ds[t * O + o]!) * dy;
        }
        for (let h = 0; h < H; h++) {
          let s = 0;
          for (let k = 0; k < H; k++) s += deltaNext[k]! * this.w[h * H + k]!;
          for (let o = 0; o < O; o++) s += deltaOut[o]! * this.wOut[h * O + o]!;
          delta[h] = s * dact(activation, u[zt + h]!);
        }
        for (let h = 0; h < H; h++) {
          for (let o = 0; o < O; o++) grads.wOut[h * O + o]! += z[zt + h]! * deltaOut[o]!;
          for (let k = 0; k < H; k++) grads.w[k * H + h]! += z[zp + k]! * delta[h]!;
          for (let i = 0; i < I; i++) grads.wIn[i * H + h]! += xs[t * I + i]! * delta[h]!;
        }
        deltaNext.set(delta);
      }
    }
    return { loss, y };
  }

  /**
   * Gradient flow through time, the vanishing / exploding-gradient picture (Bengio et al. 1994;
   * Pascanu et al. 2013): the norm of d(loss at the last step) / d z[t] for every hidden state z[t],
   * t = 0 .. T-1. Each step back multiplies by W^T diag(f'(u)), so the norms shrink or grow
   * geometrically with the recurrent weights' scale and the activation's slope.
   */
  hiddenGradientNorms(xs: Float64Array, ds: Float64Array, T: number): Float64Array {
    const { hiddenSize: H, outputSize: O, activation } = this.opts;
    const { u, y } = this.forward(xs, ds, T);
    const norms = new Float64Array(T);
    let dz = new Float64Array(H); // d loss_T / d z[t]
    for (let o = 0; o < O; o++) {
      const yo = y[(T - 1) * O + o]!;
      const g = (yo - ds[(T - 1) * O + o]!) * yo * (1 - yo);
      for (let h = 0; h < H; h++) dz[h]! += g * this.wOut[h * O + o]!;
    }
    for (let t = T - 1; t >= 0; t--) {
      let n = 0;
      for (let h = 0; h < H; h++) n += dz[h]! * dz[h]!;
      norms[t] = Math.sqrt(n);
      if (t === 0) break;
      // z[t] = f(u[t]), u[t] = x[t] W_in + z[t-1] W: d/dz[t-1] = W (dz[t] * f'(u[t])).
      const next = new Float64Array(H);
      for (let h = 0; h < H; h++) {
        const du = dz[h]! * dact(activation, u[(t + 1) * H + h]!);
        for (let k = 0; k < H; k++) next[k]! += this.w[k * H + h]! * du;
      }
      dz = next;
    }
    return norms;
  }

  private forward(xs: Float64Array, ds: Float64Array, T: number): { u: Float64Array; z: Float64Array; y: Float64Array; loss: number } {
    const { inputSize: I, hiddenSize: H, outputSize: O, activation } = this.opts;
    const u = new Float64Array((T + 1) * H);
    const z = new Float64Array((T + 1) * H); // z[0] = 0
    const y = new Float64Array(T * O);
    let loss = 0;
    for (let t = 0; t < T; t++) {
      const zt = (t + 1) * H;
      const zp = t * H;
      for (let h = 0; h < H; h++) {
        let s = 0;
        for (let i = 0; i < I; i++) s += xs[t * I + i]! * this.wIn[i * H + h]!;
        for (let k = 0; k < H; k++) s += z[zp + k]! * this.w[k * H + h]!;
        u[zt + h] = s;
        z[zt + h] = act(activation, s);
      }
      for (let o = 0; o < O; o++) {
        let s = 0;
        for (let h = 0; h < H; h++) s += z[zt + h]! * this.wOut[h * O + o]!;
        const yo = sigmoid(s);
        y[t * O + o] = yo;
        const e = yo - ds[t * O + o]!;
        loss += 0.5 * e * e;
      }
    }
    return { u, z, y, loss };
  }

  newGradients(): Gradients {
    return { wIn: new Float64Array(this.wIn.length), w: new Float64Array(this.w.length), wOut: new Float64Array(this.wOut.length) };
  }

  /** One gradient-descent step on one sequence (gradients clipped to clipNorm); returns its loss and the gradient norm before clipping. */
  trainStep(xs: Float64Array, ds: Float64Array, T: number, grads: Gradients = this.newGradients()): { loss: number; y: Float64Array; gradNorm: number } {
    const r = this.forwardBackward(xs, ds, T, grads);
    let sq = 0;
    for (const g of [grads.wIn, grads.w, grads.wOut]) for (let i = 0; i < g.length; i++) sq += g[i]! * g[i]!;
    const gradNorm = Math.sqrt(sq);
    const lr = gradNorm > this.opts.clipNorm ? (this.opts.learningRate * this.opts.clipNorm) / gradNorm : this.opts.learningRate;
    for (let i = 0; i < this.wIn.length; i++) this.wIn[i]! -= lr * grads.wIn[i]!;
    for (let i = 0; i < this.w.length; i++) this.w[i]! -= lr * grads.w[i]!;
    for (let i = 0; i < this.wOut.length; i++) this.wOut[i]! -= lr * grads.wOut[i]!;
    return { ...r, gradNorm };
  }
}
