/**
 * Batch normalisation (Ioffe & Szegedy 2015), layer normalisation (Ba et al. 2016) and instance
 * normalisation (Ulyanov et al. 2016), written out in tf ops so the statistics are visible. The
 * first two match tf.layers.batchNormalization / tf.layers.layerNormalization (same defaults:
 * epsilon 1e-3, momentum 0.99, gamma 1, beta 0); tfjs has no instance norm layer.
 *
 *   BatchNorm, training   mu, var = mean and (biased) variance of x over every axis but the last
 *                         y = gamma (x - mu) / sqrt(var + eps) + beta
 *                         moving <- momentum * moving + (1 - momentum) * batch statistic
 *   BatchNorm, inference  the same formula with the moving mean and variance
 *   LayerNorm             mu, var over the last axis of each example; no running statistics,
 *                         the same in training and inference
 *   InstanceNorm          mu, var over the spatial axes of each example, per channel (x is
 *                         [batch, ..., channels] with at least one spatial axis); gamma and beta per
 *                         channel; no running statistics. Each image's per-channel brightness and
 *                         contrast are normalised away (style transfer's reason for it)
 *
 * Biased variance in the moving average is what tfjs does (Keras' fused TF kernel applies Bessel's
 * correction there; at batch 2 the two differ by a factor of 2).
 */
import { tf } from '../nets/backend.ts';
import { UserError } from '../util/errors.ts';

export interface NormOptions {
  epsilon?: number;
  /** BatchNorm only: moving-average momentum (the weight on the old value). */
  momentum?: number;
  name?: string;
}

function checkEps(eps: number): void {
  if (!(eps > 0)) throw new UserError(`normalization: epsilon must be > 0, got ${eps}`);
}

function checkInput(x: tf.Tensor, features: number, who: string): void {
  if (x.rank < 2) throw new UserError(`${who}: input must have rank >= 2 ([batch, ..., features]), got shape [${x.shape.join(', ')}]`);
  if (x.shape[x.rank - 1] !== features) {
    throw new UserError(`${who}: input's last axis must have ${features} features, got shape [${x.shape.join(', ')}]`);
  }
}

/** Batch normalisation over the last (channel) axis, with moving statistics for inference. */
export class BatchNorm {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly movingMean: tf.Variable;
  readonly movingVariance: tf.Variable;
  readonly epsilon: number;
  readonly momentum: number;

  constructor(readonly features: number, opts: NormOptions = {}) {
    if (!Number.isInteger(features) || features < 1) throw new UserError(`BatchNorm: features must be an integer >= 1, got ${features}`);
    this.epsilon = opts.epsilon ?? 1e-3;
    this.momentum = opts.momentum ?? 0.99;
    checkEps(this.epsilon);
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new UserError(`BatchNorm: momentum must be in [0, 1], got ${this.momentum}`);
    const n = opts.name ?? 'batch_norm';
    this.gamma = tf.variable(tf.ones([features]), true, `${n}_gamma_${uid()}`);
    this.beta = tf.variable(tf.zeros([features]), true, `${n}_beta_${uid()}`);
    this.movingMean = tf.variable(tf.zeros([features]), false, `${n}_moving_mean_${uid()}`);
    this.movingVariance = tf.variable(tf.ones([features]), false, `${n}_moving_variance_${uid()}`);
  }

  /**
   * Normalise x ([batch, ..., features]). In training mode uses (and folds into the moving
   * averages) the statistics of this batch; otherwise the moving statistics.
   */
  apply(x: tf.Tensor, training: boolean): tf.Tensor {
    checkInput(x, this.features, 'BatchNorm');
    if (training && x.size / this.features < 2) {
      throw new UserError(`BatchNorm: training needs at least 2 values per feature to take a variance, got shape [${x.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      if (!training) return this.normalize(x, this.movingMean, this.movingVariance);
      const axes = [...Array(x.rank - 1).keys()];
      const mean = x.mean(axes);
      const variance = x.sub(mean).square().mean(axes);
      // moving <- moving - (1 - momentum)(moving - batch); a variable write, outside the returned graph
      const decay = 1 - this.momentum;
      this.movingMean.assign(tf.tidy(() => this.movingMean.sub(this.movingMean.sub(mean).mul(decay))));
      this.movingVariance.assign(tf.tidy(() => this.movingVariance.sub(this.movingVariance.sub(variance).mul(decay))));
      return this.normalize(x, mean, variance);
    });
  }

  private normalize(x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor): tf.Tensor {
    return x.sub(mean).mul(tf.rsqrt(variance.add(this.epsilon))).mul(this.gamma).add(this.beta);
  }

  /** Trainable variables (gamma, beta), for an optimizer's varList. */
  trainableVariables(): tf.Variable[] {
    return [this.gamma, this.beta];
  }

  dispose(): void {
    for (const v of [this.gamma, this.beta, this.movingMean, this.movingVariance]) v.dispose();
  }
}

/** Layer normalisation over the last axis of each example. */
export class LayerNorm {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly epsilon: number;

  constructor(readonly features: number, opts: NormOptions = {}) {
    if (!Number.isInteger(features) || features < 1) throw new UserError(`LayerNorm: features must be an integer >= 1, got ${features}`);
    this.epsilon = opts.epsilon ?? 1e-3;
    checkEps(this.epsilon);
    const n = opts.name ?? 'layer_norm';
    this.gamma = tf.variable(tf.ones([features]), true, `${n}_gamma_${uid()}`);
    this.beta = tf.variable(tf.zeros([features]), true, `${n}_beta_${uid()}`);
  }

  /** Normalise x ([batch, ..., features]); `training` is accepted for symmetry and changes nothing. */
  apply(x: tf.Tensor, _training = false): tf.Tensor {
    checkInput(x, this.features, 'LayerNorm');
    return tf.tidy(() => {
      const mean = x.mean(-1, true);
      const variance = x.sub(mean).square().mean(-1, true);
      return x.sub(mean).mul(tf.rsqrt(variance.add(this.epsilon))).mul(this.gamma).add(this.beta);
    });
  }

  trainableVariables(): tf.Variable[] {
    return [this.gamma, this.beta];
  }

  dispose(): void {
    this.gamma.dispose();
    this.beta.dispose();
  }
}

/** Instance normalisation: per example and channel, over the spatial axes ([batch, h, w, channels] or [batch, t, channels]). */
export class InstanceNorm {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly epsilon: number;

  constructor(readonly features: number, opts: NormOptions = {}) {
    if (!Number.isInteger(features) || features < 1) throw new UserError(`InstanceNorm: features must be an integer >= 1, got ${features}`);
    this.epsilon = opts.epsilon ?? 1e-3;
    checkEps(this.epsilon);
    const n = opts.name ?? 'instance_norm';
    this.gamma = tf.variable(tf.ones([features]), true, `${n}_gamma_${uid()}`);
    this.beta = tf.variable(tf.zeros([features]), true, `${n}_beta_${uid()}`);
  }

  /** Normalise x; `training` is accepted for symmetry and changes nothing. */
  apply(x: tf.Tensor, _training = false): tf.Tensor {
    checkInput(x, this.features, 'InstanceNorm');
    if (x.rank < 3) throw new UserError(`InstanceNorm: input needs a spatial axis ([batch, ..., space, channels]), got shape [${x.shape.join(', ')}]`);
    return tf.tidy(() => {
      const axes = Array.from({ length: x.rank - 2 }, (_, i) => i + 1);
      const mean = x.mean(axes, true);
      const variance = x.sub(mean).square().mean(axes, true);
      return x.sub(mean).mul(tf.rsqrt(variance.add(this.epsilon))).mul(this.gamma).add(this.beta);
    });
  }

  trainableVariables(): tf.Variable[] {
    return [this.gamma, this.beta];
  }

  dispose(): void {
    this.gamma.dispose();
    this.beta.dispose();
  }
}

let counter = 0;
const uid = (): number => ++counter;
