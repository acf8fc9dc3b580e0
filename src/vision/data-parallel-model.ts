/**
 * The model the data-parallel trainers share: a small conv classifier of 32x32 shapes images
 * (conv 8 -> pool -> conv 16 -> pool -> GAP -> dense 3, ReLU), split for model parallelism into a
 * feature part (the convs) and a head (GAP + dense). Weights cross threads as Float32Arrays in
 * `model.getWeights()` order; initialisation is fixed by a seed, so every thread builds the same net.
 */
import { tf } from '../nets/backend.ts';
import { shapesImage } from './shapes.ts';

export const DP_SIZE = 32;
export const DP_CLASSES = 3;

export type Part = 'features' | 'head' | 'whole';

/** The classifier, or one of its two parts. The head takes the features part's [n, 8, 8, 16] output. */
export function buildDpModel(seed: number, part: Part = 'whole'): tf.LayersModel {
  const m = tf.sequential();
  if (part !== 'head') {
    m.add(tf.layers.conv2d({ inputShape: [DP_SIZE, DP_SIZE, 3], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed }) }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: seed + 1 }) }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  }
  if (part !== 'features') {
    m.add(tf.layers.globalAveragePooling2d(part === 'head' ? { inputShape: [DP_SIZE / 4, DP_SIZE / 4, 16] } : {}));
    m.add(tf.layers.dense({ units: DP_CLASSES, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }));
  }
  return m;
}

/** The whole net's weights as the two parts hold them: features first, then head. */
export function splitWeights(all: Float32Array[]): { features: Float32Array[]; head: Float32Array[] } {
  return { features: all.slice(0, 4), head: all.slice(4) };
}

export function readWeights(m: tf.LayersModel): Float32Array[] {
  return m.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array));
}

export function writeWeights(m: tf.LayersModel, ws: readonly Float32Array[]): void {
  const vars = m.weights;
  if (ws.length !== vars.length) throw new Error(`expected ${vars.length} weight arrays, got ${ws.length}`);
  const ts = ws.map((w, i) => tf.tensor(w, vars[i]!.shape as number[]));
  m.setWeights(ts);
  tf.dispose(ts);
}

/** Mean softmax cross-entropy of `m` on (x, labels) and its gradients, in weight order. */
export function lossAndGrads(m: tf.LayersModel, x: tf.Tensor, labels: Int32Array): { loss: number; grads: Float32Array[] } {
  return tf.tidy(() => {
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), DP_CLASSES).toFloat();
    const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, m.apply(x) as tf.Tensor) as tf.Scalar, vars);
    const out = vars.map((v) => Float32Array.from(grads[v.name]!.dataSync() as Float32Array));
    return { loss: value.dataSync()[0]!, grads: out };
  });
}

/** A labelled set: images of one shape each, the label its class. */
export function dpDataset(seed: number, n: number): { x: Float32Array; y: Int32Array } {
  const per = DP_SIZE * DP_SIZE * 3;
  const x = new Float32Array(n * per);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const im = shapesImage(seed, i, { size: DP_SIZE, minObjects: 1, maxObjects: 1, minRadius: 0.15, maxRadius: 0.4 });
    x.set(im.image, i * per);
    y[i] = im.objects[0]!.cls;
  }
  return { x, y };
}

/** SGD with momentum over Float32Arrays, the same in every thread: v = mu v + g; w -= lr v. */
export class Sgd {
  private readonly v: Float32Array[];
  constructor(shapes: readonly Float32Array[], readonly lr: number, readonly momentum = 0.9) {
    this.v = shapes.map((w) => new Float32Array(w.length));
  }
  apply(weights: Float32Array[], grads: readonly Float32Array[], scale = 1): void {
    for (let k = 0; k < weights.length; k++) {
      const w = weights[k]!, g = grads[k]!, v = this.v[k]!;
      for (let i = 0; i < w.length; i++) {
        v[i] = this.momentum * v[i]! + scale * g[i]!;
        w[i] = w[i]! - this.lr * v[i]!;
      }
    }
  }
}
