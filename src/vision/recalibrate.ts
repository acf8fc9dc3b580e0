/**
 * Batch-norm recalibration: replace every BatchNormalization layer's moving mean and variance by
 * the statistics of its input over a set of images, layer by layer in inference mode (each layer
 * sees its input as already-recalibrated earlier layers produce it). The moving averages that
 * training leaves behind lag the weights when these move fast (Adam, small batches, momentum
 * 0.99), so inference-mode accuracy can sit far below training-mode accuracy; recomputing the
 * population statistics after training closes that gap (as in "precise BN", Wu & Johnson 2021).
 */
import { tf } from '../nets/backend.ts';
import { UserError } from '../util/errors.ts';

/** Recalibrate `model`'s batch-norm statistics on `images` [n, h, w, c]; returns how many layers changed. */
export function recalibrateBatchNorm(model: tf.LayersModel, images: tf.Tensor4D, chunk = 100): number {
  if (images.shape[0] < 2) throw new UserError(`recalibrateBatchNorm: needs at least 2 images, got ${images.shape[0]}`);
  const layers = model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
  for (const layer of layers) {
    const input = layer.input;
    if (Array.isArray(input)) throw new UserError(`recalibrateBatchNorm: layer ${layer.name} has several inputs`);
    const probe = tf.model({ inputs: model.inputs, outputs: input });
    const n = images.shape[0];
    let sum: tf.Tensor | null = null;
    let sumSq: tf.Tensor | null = null;
    let count = 0;
    for (let i = 0; i < n; i += chunk) {
      const m = Math.min(chunk, n - i);
      const [s, q, c] = tf.tidy(() => {
        const x = probe.predict(images.slice([i], [m])) as tf.Tensor;
        const axes = Array.from({ length: x.rank - 1 }, (_, k) => k);
        return [x.sum(axes), x.square().sum(axes), x.size / x.shape[x.rank - 1]!] as const;
      });
      const nextSum: tf.Tensor = sum ? tf.add(sum, s) : s;
      const nextSq: tf.Tensor = sumSq ? tf.add(sumSq, q) : q;
      if (sum) tf.dispose([sum, s]);
      if (sumSq) tf.dispose([sumSq, q]);
      sum = nextSum;
      sumSq = nextSq;
      count += c;
    }
    const [mean, variance] = tf.tidy(() => {
      const mu = tf.div(sum!, count);
      return [mu, tf.relu(tf.sub(tf.div(sumSq!, count), tf.square(mu)))];
    });
    tf.dispose([sum!, sumSq!]);
    const weights = layer.weights.map((w) => (/moving_mean/.test(w.name) ? mean : /moving_variance/.test(w.name) ? variance : w.read()));
    layer.setWeights(weights);
    tf.dispose([mean, variance]);
  }
  return layers.length;
}
