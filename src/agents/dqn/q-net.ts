/**
 * DQN's networks and their numerics: the online Q network, the target network, the TD loss
 *
 *   y = r + gamma (1 - terminated) max_a' Q_target(s', a')        (Double DQN: Q_target(s', argmax_a' Q(s', a')))
 *   loss = mean(huber(Q(s, a) - y))                                (smooth L1, delta 1)
 *
 * its gradient and the Adam step, for one engine (../common/engine.ts): TfQNet here (tfjs ops,
 * the original implementation) or OrtQNet (./q-net-ort.ts, one onnxruntime call per step).
 */
import { Mlp, readVars, writeVars } from '../common/mlp.ts';
import { Optimizer, type OptimizerState } from '../common/optim.ts';
import { tf } from '../common/tf.ts';
import type { TransitionBatch } from './transition-buffer.ts';

export interface QNetConfig {
  sizes: number[];
  gamma: number;
  doubleQ: boolean;
  maxGradNorm: number;
}

export interface QNet {
  /** Q values of the online net for n encoded observations (n * actions). */
  qValues(x: Float32Array, n: number): Float32Array;
  /** One Adam step on the TD loss of a replay minibatch; returns the loss. */
  train(b: TransitionBatch, lr: number): number;
  /** target = tau * online + (1 - tau) * target (tau 1: a copy). */
  updateTarget(tau: number): void;
  readOnline(): Float32Array[];
  readTarget(): Float32Array[];
  writeOnline(values: Float32Array[], what: string): void;
  writeTarget(values: Float32Array[], what: string): void;
  getOptimizerState(): OptimizerState;
  setOptimizerState(s: OptimizerState): void;
  dispose(): void;
}

export class TfQNet implements QNet {
  readonly q: Mlp;
  readonly qTarget: Mlp;
  private readonly optimizer: Optimizer;
  private readonly nA: number;
  private readonly obsDim: number;

  constructor(
    private readonly c: QNetConfig,
    online: Float32Array[],
    target: Float32Array[],
  ) {
    this.q = new Mlp(c.sizes, 'relu', online);
    this.qTarget = new Mlp(c.sizes, 'relu', target);
    this.optimizer = new Optimizer(this.q.vars, 'adam');
    this.obsDim = c.sizes[0]!;
    this.nA = c.sizes[c.sizes.length - 1]!;
  }

  qValues(x: Float32Array, n: number): Float32Array {
    return tf.tidy(() => this.q.apply(tf.tensor2d(x, [n, this.obsDim])).dataSync() as Float32Array);
  }

  train(b: TransitionBatch, lr: number): number {
    const B = b.rewards.length;
    return tf.tidy(() => {
      const obs = tf.tensor2d(b.obs, [B, this.obsDim]);
      const next = tf.tensor2d(b.nextObs, [B, this.obsDim]);
      const qNextT = this.qTarget.apply(next);
      let nextQ: tf.Tensor1D;
      if (this.c.doubleQ) {
        const aStar = tf.argMax(this.q.apply(next), 1);
        nextQ = tf.sum(tf.mul(qNextT, tf.oneHot(aStar, this.nA)), 1) as tf.Tensor1D;
      } else nextQ = tf.max(qNextT, 1) as tf.Tensor1D;
      const notDone = tf.sub(1, tf.tensor1d(b.dones));
      const y = tf.add(tf.tensor1d(b.rewards), tf.mul(tf.mul(notDone, this.c.gamma), nextQ));
      const mask = tf.oneHot(tf.tensor1d(b.actions, 'int32'), this.nA);
      const { value, grads } = tf.variableGrads(() => {
        const qa = tf.sum(tf.mul(this.q.apply(obs), mask), 1);
        // Huber (smooth L1, delta 1) = 0.5 c^2 + (|d| - c) with c = min(|d|, 1).
        const d = tf.abs(tf.sub(qa, y));
        const c = tf.minimum(d, 1);
        const huber = tf.add(tf.mul(tf.square(c), 0.5), tf.sub(d, c));
        return tf.mean(huber) as tf.Scalar;
      }, this.q.vars);
      this.optimizer.step(this.q.vars.map((v) => grads[v.name]!), lr, this.c.maxGradNorm);
      return value.dataSync()[0]!;
    });
  }

  updateTarget(tau: number): void {
    this.qTarget.copyFrom(this.q, tau);
  }

  readOnline(): Float32Array[] {
    return readVars(this.q.vars);
  }
  readTarget(): Float32Array[] {
    return readVars(this.qTarget.vars);
  }
  writeOnline(values: Float32Array[], what: string): void {
    writeVars(this.q.vars, values, what);
  }
  writeTarget(values: Float32Array[], what: string): void {
    writeVars(this.qTarget.vars, values, what);
  }
  getOptimizerState(): OptimizerState {
    return this.optimizer.getState();
  }
  setOptimizerState(s: OptimizerState): void {
    this.optimizer.setState(s);
  }

  dispose(): void {
    this.q.dispose();
    this.qTarget.dispose();
    this.optimizer.dispose();
  }
}
