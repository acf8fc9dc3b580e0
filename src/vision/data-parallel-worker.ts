/**
 * A data-parallel training thread (see data-parallel.ts). It holds one replica of the classifier,
 * or one part of it for model parallelism, and answers:
 *   grads     set the weights sent, return the loss and gradients on the shard sent
 *   forward   (features part) run the shard forward, keep it, return the activations
 *   head      (head part) loss and gradients of the head on the activations; apply them with its
 *             own SGD; return the gradient with respect to the activations
 *   backward  (features part) gradients of the kept forward for the activation gradient sent; apply
 *   weights   return the weights held
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, tf } from '../nets/backend.ts';
import { buildDpModel, DP_CLASSES, DP_SIZE, lossAndGrads, readWeights, Sgd, writeWeights, type Part } from './data-parallel-model.ts';

export interface DpWorkerInit {
  seed: number;
  backend?: string;
  part: Part;
  lr: number;
  momentum: number;
}

export type DpRequest =
  | { type: 'grads'; weights: Float32Array[]; x: Float32Array; y: Int32Array }
  | { type: 'forward'; x: Float32Array }
  | { type: 'head'; a: Float32Array; y: Int32Array }
  | { type: 'backward'; da: Float32Array }
  | { type: 'weights' }
  | { type: 'close' };

export type DpReply =
  | { type: 'ready'; backend: string }
  | { type: 'grads'; loss: number; grads: Float32Array[] }
  | { type: 'forward'; a: Float32Array }
  | { type: 'head'; loss: number; da: Float32Array }
  | { type: 'backward' }
  | { type: 'weights'; weights: Float32Array[] }
  | { type: 'error'; message: string };

const port = parentPort!;
const init = workerData as DpWorkerInit;
const post = (m: DpReply, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

try {
  const backend = await initBackend({ backend: init.backend, quiet: true });
  const model = buildDpModel(init.seed, init.part);
  const vars = (): tf.Variable[] => model.trainableWeights.map((w) => w.read() as tf.Variable);
  const sgd = new Sgd(readWeights(model), init.lr, init.momentum);
  const step = (grads: Float32Array[]): void => {
    const w = readWeights(model);
    sgd.apply(w, grads);
    writeWeights(model, w);
  };
  let kept: tf.Tensor | null = null;
  const images = (x: Float32Array): tf.Tensor => tf.tensor4d(x, [x.length / (DP_SIZE * DP_SIZE * 3), DP_SIZE, DP_SIZE, 3]);
  port.on('message', (m: DpRequest) => {
    try {
      if (m.type === 'grads') {
        writeWeights(model, m.weights);
        const x = images(m.x);
        const r = lossAndGrads(model, x, m.y);
        x.dispose();
        post({ type: 'grads', loss: r.loss, grads: r.grads }, r.grads.map((g) => g.buffer as ArrayBuffer));
      } else if (m.type === 'forward') {
        kept?.dispose();
        kept = images(m.x);
        const a = tf.tidy(() => Float32Array.from((model.apply(kept!) as tf.Tensor).dataSync() as Float32Array));
        post({ type: 'forward', a }, [a.buffer]);
      } else if (m.type === 'head') {
        const n = m.y.length;
        const { loss, grads, da } = tf.tidy(() => {
          const a = tf.variable(tf.tensor4d(m.a, [n, DP_SIZE / 4, DP_SIZE / 4, 16]), true, `dp_activations_${Date.now()}`);
          const y = tf.oneHot(tf.tensor1d(m.y, 'int32'), DP_CLASSES).toFloat();
          const vs = vars();
          const r = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(a) as tf.Tensor) as tf.Scalar, [...vs, a]);
          const out = { loss: r.value.dataSync()[0]!, grads: vs.map((v) => Float32Array.from(r.grads[v.name]!.dataSync() as Float32Array)), da: Float32Array.from(r.grads[a.name]!.dataSync() as Float32Array) };
          a.dispose();
          return out;
        });
        step(grads);
        post({ type: 'head', loss, da }, [da.buffer]);
      } else if (m.type === 'backward') {
        if (!kept) throw new Error('backward before forward');
        const x = kept;
        const grads = tf.tidy(() => {
          const vs = vars();
          const shape = (model.outputs[0]!.shape as number[]).slice(1);
          const dA = tf.tensor(m.da, [x.shape[0]!, ...shape]);
          // The vector-Jacobian product: d/dw sum(features(x) * dA) is dA pulled back to the weights.
          const r = tf.variableGrads(() => tf.sum(tf.mul(model.apply(x) as tf.Tensor, dA)) as tf.Scalar, vs);
          return vs.map((v) => Float32Array.from(r.grads[v.name]!.dataSync() as Float32Array));
        });
        step(grads);
        post({ type: 'backward' });
      } else if (m.type === 'weights') {
        post({ type: 'weights', weights: readWeights(model) });
      } else if (m.type === 'close') {
        kept?.dispose();
        model.dispose();
        port.close();
      }
    } catch (e) {
      post({ type: 'error', message: (e as Error).stack ?? String(e) });
    }
  });
  post({ type: 'ready', backend });
} catch (e) {
  post({ type: 'error', message: (e as Error).stack ?? String(e) });
}
