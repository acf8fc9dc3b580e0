/**
 * A plain multi-layer perceptron built from tf.Variables (the 'tfjs' engine), initialised from our
 * own seeded Rng by initMlpWeights (so the same seed gives the same weights on any backend and
 * either engine) and flattened to Float32Arrays for checkpoints. Initialisations follow Stable-Baselines3:
 *  - 'orthogonal' (PPO/A2C/REINFORCE): orthogonal weights with gain sqrt(2) on hidden layers and
 *    `outGain` on the last layer (0.01 policy head, 1 value head), zero biases;
 *  - 'torch' (DQN): PyTorch's nn.Linear default, U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for weights and biases.
 */
import { Rng } from '../../util/rng.ts';
import { tf } from './tf.ts';

export type Activation = 'tanh' | 'relu';
export type Init = 'orthogonal' | 'torch';

export class Mlp {
  readonly sizes: number[];
  readonly activation: Activation;
  readonly vars: tf.Variable[] = [];

  /** An MLP holding the given weights ([W0, b0, W1, b1, ...], as initMlpWeights makes them). */
  constructor(sizes: number[], activation: Activation, weights: Float32Array[]) {
    if (weights.length !== 2 * (sizes.length - 1)) throw new Error(`Mlp: ${weights.length} weight tensors for ${sizes.length - 1} layers`);
    this.sizes = sizes.slice();
    this.activation = activation;
    for (let l = 0; l + 1 < sizes.length; l++) {
      this.vars.push(tf.variable(tf.tensor2d(weights[2 * l]!, [sizes[l]!, sizes[l + 1]!])));
      this.vars.push(tf.variable(tf.tensor1d(weights[2 * l + 1]!)));
    }
  }

  /** Forward pass; call inside tf.tidy. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    let h = x;
    const layers = this.vars.length / 2;
    for (let l = 0; l < layers; l++) {
      h = tf.add(tf.matMul(h, this.vars[2 * l] as tf.Tensor2D), this.vars[2 * l + 1]!) as tf.Tensor2D;
      if (l + 1 < layers) h = this.activation === 'tanh' ? tf.tanh(h) : tf.relu(h);
    }
    return h;
  }

  /** Copy the weights of another network of the same shape (target networks). */
  copyFrom(other: Mlp, tau = 1): void {
    tf.tidy(() => {
      for (let i = 0; i < this.vars.length; i++) {
        const src = other.vars[i]!;
        this.vars[i]!.assign(tau >= 1 ? src : tf.add(tf.mul(src, tau), tf.mul(this.vars[i]!, 1 - tau)));
      }
    });
  }

  dispose(): void {
    for (const v of this.vars) v.dispose();
  }
}

/**
 * The seeded initial weights of an MLP with layer sizes [in, h1, ..., out]: [W0 (row-major
 * [in, h1]), b0, W1, b1, ...]. Both training engines start from these, so one seed gives the same
 * network on either.
 */
export function initMlpWeights(sizes: number[], rng: Rng, init: Init = 'orthogonal', outGain = 1): Float32Array[] {
  if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new Error(`Mlp sizes must be positive integers, got [${sizes.join(', ')}]`);
  const out: Float32Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l]!;
    const fanOut = sizes[l + 1]!;
    const last = l + 2 === sizes.length;
    let w: Float32Array;
    const b = new Float32Array(fanOut);
    if (init === 'orthogonal') {
      w = orthogonal(fanIn, fanOut, last ? outGain : Math.SQRT2, rng);
    } else {
      const bound = 1 / Math.sqrt(fanIn);
      w = new Float32Array(fanIn * fanOut);
      for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-bound, bound);
      for (let i = 0; i < fanOut; i++) b[i] = rng.uniform(-bound, bound);
    }
    out.push(w, b);
  }
  return out;
}

/** Values of a list of variables as Float32Arrays (for checkpoints). */
export function readVars(vars: tf.Variable[]): Float32Array[] {
  return vars.map((v) => v.dataSync() as Float32Array).map((a) => Float32Array.from(a));
}

/** Assign saved values to variables, checking sizes. */
export function writeVars(vars: tf.Variable[], values: Float32Array[], what: string): void {
  if (values.length !== vars.length) throw new Error(`${what}: checkpoint has ${values.length} tensors, the network has ${vars.length}`);
  tf.tidy(() => {
    vars.forEach((v, i) => {
      const a = values[i]!;
      if (a.length !== v.size) throw new Error(`${what}: tensor ${i} has ${a.length} values, expected ${v.size} (shape ${v.shape.join('x')})`);
      v.assign(tf.tensor(a, v.shape));
    });
  });
}

/** Orthogonal [rows x cols] matrix (row-major) scaled by gain: Gram-Schmidt on a Gaussian matrix. */
function orthogonal(rows: number, cols: number, gain: number, rng: Rng): Float32Array {
  // Orthonormalise the k = min(rows, cols) vectors of length m = max(rows, cols).
  const m = Math.max(rows, cols);
  const k = Math.min(rows, cols);
  const q = new Float64Array(k * m);
  for (let i = 0; i < q.length; i++) q[i] = rng.normal();
  for (let i = 0; i < k; i++) {
    const vi = i * m;
    for (let j = 0; j < i; j++) {
      const vj = j * m;
      let dot = 0;
      for (let t = 0; t < m; t++) dot += q[vi + t]! * q[vj + t]!;
      for (let t = 0; t < m; t++) q[vi + t]! -= dot * q[vj + t]!;
    }
    let norm = 0;
    for (let t = 0; t < m; t++) norm += q[vi + t]! * q[vi + t]!;
    norm = Math.sqrt(norm) || 1;
    for (let t = 0; t < m; t++) q[vi + t]! /= norm;
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      // rows >= cols: column c is vector c; otherwise row r is vector r.
      out[r * cols + c] = gain * (rows >= cols ? q[c * m + r]! : q[r * m + c]!);
    }
  }
  return out;
}
