/**
 * The trainer: mini-batch gradient steps on the AlphaGo Zero loss
 *
 *   l = (z - v)^2 - pi . log p + c ||theta||^2
 *
 * (mean over the batch; p = softmax of the policy logits; c = 1e-4 on the kernels), with SGD +
 * momentum 0.9 and a piecewise-constant learning-rate schedule (Adam as an option). Each step runs
 * tf.variableGrads inside tf.tidy, so no tensor outlives it; the optimizer's slots are the only
 * tensors kept between steps. Reports value loss, policy loss, policy entropy and samples/s.
 */
import { tf } from '../../nets/backend.ts';
import type { Sample } from './replay-buffer.ts';
import { learningRateAt, type LrStep, type OptimizerName } from './config.ts';
import { OrtTrainStep } from './trainer-ort.ts';
import { nativeRuntime, nativeRuntimeError } from '../../nets/train/ort.ts';
import { UnsupportedModelError } from '../../nets/train/model-graph.ts';

export interface TrainerOptions {
  optimizer: OptimizerName;
  lrSchedule: LrStep[];
  momentum: number;
  l2: number;
  /**
   * 'onnxruntime': each step one native graph call (./trainer-ort.ts); 'tfjs': tf.variableGrads on
   * the tfjs backend; 'auto' (default): onnxruntime where it loads and supports the net's layers.
   */
  engine?: 'auto' | 'onnxruntime' | 'tfjs';
}

export interface StepStats {
  step: number;
  lr: number;
  loss: number;
  valueLoss: number;
  policyLoss: number;
  l2Loss: number;
  policyEntropy: number;
  samplesPerSec: number;
}

export interface OptimizerSlot {
  name: string;
  shape: number[];
  data: Float32Array;
}

export class Trainer {
  readonly model: tf.LayersModel;
  readonly opts: TrainerOptions;
  /** Which engine trains, and why not onnxruntime when it is tfjs under 'auto'. */
  readonly engine: 'onnxruntime' | 'tfjs';
  readonly engineNote: string;
  private readonly ort: OrtTrainStep | null = null;
  private optimizer: tf.Optimizer;
  /** Training steps taken so far (drives the learning-rate schedule). */
  step = 0;
  private readonly inputShape: number[];
  private readonly numActions: number;

  constructor(model: tf.LayersModel, opts: TrainerOptions) {
    this.model = model;
    this.opts = opts;
    this.optimizer = makeOptimizer(opts, learningRateAt(opts.lrSchedule, 0));
    this.inputShape = model.inputs[0]!.shape.slice(1) as number[];
    this.numActions = model.outputs[0]!.shape[1] as number;
    const engine = opts.engine ?? 'auto';
    let note = '';
    if (engine !== 'tfjs') {
      if (!nativeRuntime()) note = `onnxruntime-node does not load (${nativeRuntimeError()})`;
      else {
        try {
          this.ort = new OrtTrainStep(model, opts);
        } catch (e) {
          if (!(e instanceof UnsupportedModelError)) throw e;
          note = `the onnxruntime trainer does not support ${e.message}`;
        }
      }
      if (!this.ort && engine === 'onnxruntime') throw new Error(`Trainer: engine 'onnxruntime' unavailable: ${note}`);
    }
    this.engine = this.ort ? 'onnxruntime' : 'tfjs';
    this.engineNote = note;
  }

  private setLr(lr: number): void {
    const o = this.optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
    if (o.setLearningRate) o.setLearningRate(lr);
    else o.learningRate = lr;
  }

  /** One gradient step on a sampled batch. */
  trainStep(b: Sample): StepStats {
    const t0 = performance.now();
    const lr = learningRateAt(this.opts.lrSchedule, this.step);
    if (this.ort) {
      const stats = this.ort.step(b, lr);
      this.step++;
      const secs = (performance.now() - t0) / 1000;
      return { step: this.step, lr, ...stats, samplesPerSec: secs > 0 ? b.n / secs : 0 };
    }
    this.setLr(lr);
    const vars = this.model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const kernels = vars.filter((v) => /kernel/.test(v.name));
    const stats = tf.tidy(() => {
      const x = tf.tensor(b.obs, [b.n, ...this.inputShape]);
      const pi = tf.tensor2d(b.pi, [b.n, this.numActions]);
      const z = tf.tensor1d(b.z);
      let parts: tf.Scalar[] = [];
      const { value: loss, grads } = tf.variableGrads(() => {
        const [logits, v] = this.model.apply(x, { training: true }) as tf.Tensor[];
        const logp = tf.logSoftmax(logits!);
        const valueLoss = tf.mean(tf.square(tf.sub(z, tf.reshape(v!, [b.n])))) as tf.Scalar;
        const policyLoss = tf.neg(tf.mean(tf.sum(tf.mul(pi, logp), 1))) as tf.Scalar;
        const entropy = tf.neg(tf.mean(tf.sum(tf.mul(tf.exp(logp), logp), 1))) as tf.Scalar;
        let l2: tf.Scalar = tf.scalar(0);
        for (const k of kernels) l2 = tf.add(l2, tf.sum(tf.square(k))) as tf.Scalar;
        l2 = tf.mul(l2, this.opts.l2) as tf.Scalar;
        // variableGrads frees everything but its result: keep the parts to read them afterwards.
        parts = [tf.keep(valueLoss), tf.keep(policyLoss), tf.keep(l2), tf.keep(entropy)];
        return tf.addN([valueLoss, policyLoss, l2]) as tf.Scalar;
      }, vars);
      this.optimizer.applyGradients(grads);
      const [vl, pl, l2l, ent] = parts.map((p) => p.dataSync()[0]!);
      parts.forEach((p) => p.dispose());
      return { loss: loss.dataSync()[0]!, valueLoss: vl!, policyLoss: pl!, l2Loss: l2l!, policyEntropy: ent! };
    });
    this.step++;
    const secs = (performance.now() - t0) / 1000;
    return { step: this.step, lr, ...stats, samplesPerSec: secs > 0 ? b.n / secs : 0 };
  }

  /** Optimizer slots (momentum / Adam moments) and the iteration count, as plain arrays. */
  async getState(): Promise<OptimizerSlot[]> {
    if (this.ort) return this.ort.getState();
    const ws = await this.optimizer.getWeights();
    const out = ws.map((w) => ({ name: w.name, shape: [...w.tensor.shape], data: Float32Array.from(w.tensor.dataSync()) }));
    // getWeights makes a fresh tensor for the iteration count; the slots themselves stay owned.
    ws[0]?.tensor.dispose();
    return out;
  }

  async setState(state: OptimizerSlot[], step: number): Promise<void> {
    this.step = step;
    if (state.length === 0) return;
    if (this.ort) return this.ort.setState(state);
    const tensors = state.map((s) => ({ name: s.name, tensor: tf.tensor(s.data, s.shape) }));
    this.optimizer.dispose();
    this.optimizer = makeOptimizer(this.opts, learningRateAt(this.opts.lrSchedule, step));
    await this.optimizer.setWeights(tensors);
    tensors.forEach((t) => t.tensor.dispose());
  }

  dispose(): void {
    this.optimizer.dispose();
    this.ort?.dispose();
  }
}

function makeOptimizer(o: TrainerOptions, lr: number): tf.Optimizer {
  return o.optimizer === 'adam' ? tf.train.adam(lr) : tf.train.momentum(lr, o.momentum);
}
