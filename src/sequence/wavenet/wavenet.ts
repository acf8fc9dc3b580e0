/**
 * WaveNet (van den Oord et al. 2016): stacks of causal dilated convolutions (dilations 1, 2, 4, ...
 * per stack), gated units tanh(W_f * x) . sigmoid(W_g * x), residual and skip 1x1 convolutions,
 * and a softmax over 256 mu-law levels. Inputs are one-hot levels, shape [batch, time, 256];
 * output logits at step t predict the level at t + 1.
 *
 * Causality: every dilated convolution pads (kernel - 1) * dilation steps on the left only, and
 * the input projection is 1x1, so receptiveField() = (kernel - 1) * sum(dilations) + 1 exactly.
 */
import { tf } from '../../nets/backend.ts';
import { Rng } from '../../util/rng.ts';
import { UserError } from '../../util/errors.ts';
import { loadNamedWeights, restore, saveNamedWeights, stripPrefix, type SaveNamedOptions } from '../../nets/saved-model.ts';

export interface WaveNetOptions {
  /** Quantisation levels. Default 256. */
  levels: number;
  /** Residual channels. Default 32. */
  channels: number;
  /** Skip channels. Default 64. */
  skipChannels: number;
  /** Layers per stack; dilations 1, 2, ..., 2^(layers-1). Default 8. */
  layersPerStack: number;
  stacks: number;
  /** Dilated convolution width. Default 2. */
  kernel: number;
  seed: number;
}

export const DEFAULT_WAVENET: Readonly<WaveNetOptions> = Object.freeze({ levels: 256, channels: 32, skipChannels: 64, layersPerStack: 8, stacks: 2, kernel: 2, seed: 0 });

interface Block {
  dilation: number;
  filter: tf.Variable; // [k, C, 2C] (tanh half, sigmoid half)
  filterBias: tf.Variable;
  res: tf.Variable; // [1, C, C]
  resBias: tf.Variable;
  skip: tf.Variable; // [1, C, S]
  skipBias: tf.Variable;
}

let netCounter = 0;

export class WaveNet {
  readonly opts: WaveNetOptions;
  readonly dilations: number[];
  private readonly inProj: tf.Variable;
  private readonly blocks: Block[] = [];
  private readonly out1: tf.Variable;
  private readonly out1Bias: tf.Variable;
  private readonly out2: tf.Variable;
  private readonly out2Bias: tf.Variable;
  readonly variables: tf.Variable[];

  constructor(options: Partial<WaveNetOptions> = {}) {
    const o: WaveNetOptions = { ...DEFAULT_WAVENET, ...options };
    for (const k of ['levels', 'channels', 'skipChannels', 'layersPerStack', 'stacks', 'kernel'] as const) {
      if (!Number.isInteger(o[k]) || o[k] < 1) throw new UserError(`WaveNet: ${k} must be a positive integer, got ${o[k]}`);
    }
    if (o.kernel < 2) throw new UserError(`WaveNet: kernel must be at least 2 to see the past, got ${o.kernel}`);
    this.opts = o;
    const rng = new Rng(o.seed);
    const id = ++netCounter;
    const v = (shape: number[], name: string, fanIn: number): tf.Variable => {
      const std = Math.sqrt(1 / fanIn);
      const size = shape.reduce((a, b) => a * b, 1);
      return tf.variable(tf.tensor(Float32Array.from({ length: size }, () => rng.normal(0, std)), shape), true, `wavenet${id}/${name}`);
    };
    const zeros = (n: number, name: string): tf.Variable => tf.variable(tf.zeros([n]), true, `wavenet${id}/${name}`);
    const { levels: L, channels: C, skipChannels: S, kernel: K } = o;
    this.inProj = v([1, L, C], 'in', L);
    this.dilations = [];
    for (let s = 0; s < o.stacks; s++)
      for (let l = 0; l < o.layersPerStack; l++) {
        const d = 2 ** l;
        this.dilations.push(d);
        const b = this.blocks.length;
        this.blocks.push({
          dilation: d,
          filter: v([K, C, 2 * C], `b${b}/filter`, K * C),
          filterBias: zeros(2 * C, `b${b}/filter_bias`),
          res: v([1, C, C], `b${b}/res`, C),
          resBias: zeros(C, `b${b}/res_bias`),
          skip: v([1, C, S], `b${b}/skip`, C),
          skipBias: zeros(S, `b${b}/skip_bias`),
        });
      }
    this.out1 = v([1, S, S], 'out1', S);
    this.out1Bias = zeros(S, 'out1_bias');
    this.out2 = v([1, S, L], 'out2', S);
    this.out2Bias = zeros(L, 'out2_bias');
    this.variables = [this.inProj, ...this.blocks.flatMap((b) => [b.filter, b.filterBias, b.res, b.resBias, b.skip, b.skipBias]), this.out1, this.out1Bias, this.out2, this.out2Bias];
  }

  /** Samples of context that one output depends on: (kernel - 1) * sum(dilations) + 1. */
  receptiveField(): number {
    return (this.opts.kernel - 1) * this.dilations.reduce((a, b) => a + b, 0) + 1;
  }

  /** Logits [batch, time, levels] for one-hot inputs [batch, time, levels]. */
  logits(x: tf.Tensor3D): tf.Tensor3D {
    if (x.shape[2] !== this.opts.levels) throw new UserError(`WaveNet: inputs must be one-hot over ${this.opts.levels} levels, got ${x.shape[2]} channels`);
    return tf.tidy(() => {
      const C = this.opts.channels;
      let h = tf.conv1d(x, this.inProj as tf.Tensor3D, 1, 'valid') as tf.Tensor3D;
      let skips: tf.Tensor3D | null = null;
      for (const b of this.blocks) {
        const pad = (this.opts.kernel - 1) * b.dilation;
        const padded = tf.pad(h, [
          [0, 0],
          [pad, 0],
          [0, 0],
        ]) as tf.Tensor3D;
        const z = tf.add(tf.conv1d(padded, b.filter as tf.Tensor3D, 1, 'valid', 'NWC', b.dilation), b.filterBias) as tf.Tensor3D;
        const [zf, zg] = tf.split(z, [C, C], 2) as tf.Tensor3D[];
        const gated = tf.mul(tf.tanh(zf!), tf.sigmoid(zg!)) as tf.Tensor3D;
        const skip = tf.add(tf.conv1d(gated, b.skip as tf.Tensor3D, 1, 'valid'), b.skipBias) as tf.Tensor3D;
        skips = skips ? (tf.add(skips, skip) as tf.Tensor3D) : skip;
        h = tf.add(h, tf.add(tf.conv1d(gated, b.res as tf.Tensor3D, 1, 'valid'), b.resBias)) as tf.Tensor3D;
      }
      const o1 = tf.relu(tf.add(tf.conv1d(tf.relu(skips!) as tf.Tensor3D, this.out1 as tf.Tensor3D, 1, 'valid'), this.out1Bias)) as tf.Tensor3D;
      return tf.add(tf.conv1d(o1, this.out2 as tf.Tensor3D, 1, 'valid'), this.out2Bias) as tf.Tensor3D;
    });
  }

  /** Mean negative log-likelihood (nats per sample) of predicting q[t+1] from q[..t], for level sequences [batch][time]. */
  nll(q: Int32Array[]): tf.Scalar {
    return tf.tidy(() => {
      const T = q[0]!.length;
      if (T < 2) throw new UserError('WaveNet: sequences need at least 2 samples');
      if (q.some((s) => s.length !== T)) throw new UserError('WaveNet: all sequences in a batch must have the same length');
      const inputs = tf.oneHot(tf.tensor2d(q.map((s) => Array.from(s.subarray(0, T - 1))), [q.length, T - 1], 'int32'), this.opts.levels).toFloat() as tf.Tensor3D;
      const targets = tf.tensor2d(q.map((s) => Array.from(s.subarray(1))), [q.length, T - 1], 'int32');
      const logits = this.logits(inputs);
      const logp = tf.logSoftmax(logits);
      const picked = tf.sum(tf.mul(logp, tf.oneHot(targets, this.opts.levels).toFloat()), 2);
      return tf.neg(tf.mean(picked)) as tf.Scalar;
    });
  }

  /** One optimiser step on a batch of level sequences; returns the loss. */
  trainStep(optimizer: tf.Optimizer, q: Int32Array[]): number {
    const loss = optimizer.minimize(() => this.nll(q), true, this.variables)!;
    const v = loss.dataSync()[0]!;
    loss.dispose();
    return v;
  }

  /**
   * Generate `length` levels autoregressively after a seed sequence, sampling from the softmax
   * (temperature 1) with a seeded generator. Each step looks back one receptive field.
   */
  generate(seedLevels: Int32Array, length: number, rng: Rng, temperature = 1): Int32Array {
    const R = this.receptiveField();
    const seq = Array.from(seedLevels);
    if (seq.length === 0) seq.push(Math.floor(this.opts.levels / 2));
    for (let i = 0; i < length; i++) {
      const ctx = seq.slice(-R);
      const probs = tf.tidy(() => {
        const x = tf.oneHot(tf.tensor2d([ctx], [1, ctx.length], 'int32'), this.opts.levels).toFloat() as tf.Tensor3D;
        const last = this.logits(x).slice([0, ctx.length - 1, 0], [1, 1, this.opts.levels]).reshape([this.opts.levels]);
        return tf.softmax(tf.div(last, temperature)).dataSync();
      });
      seq.push(rng.categorical(probs));
    }
    return Int32Array.from(seq.slice(seq.length - length));
  }

  /** Save options and weights to `dir` (the format of src/nets/saved-model.ts). */
  async save(dir: string, opts: Pick<SaveNamedOptions, 'precision'> = {}): Promise<void> {
    await saveNamedWeights(dir, 'wavenet', this.opts, stripPrefix(this.variables), { precision: opts.precision });
  }

  /** A WaveNet saved by save() (or by `bench/wavenet.ts --save`). */
  static async load(dir: string): Promise<WaveNet> {
    const { config, weights } = await loadNamedWeights(dir, 'wavenet');
    return restore(weights, `WaveNet.load(${dir})`, () => new WaveNet(config as Partial<WaveNetOptions>), (m) => stripPrefix(m.variables));
  }

  dispose(): void {
    this.variables.forEach((v) => v.dispose());
  }
}
