/**
 * Run a trained classifier (MobileNet, DenseNet, ...) on one decoded image of any size: the image
 * is resized (bilinear) to the model's input, grey images get three equal channels, and the
 * output is read as class probabilities (a softmax is applied when the model ends in logits).
 *
 *   const { model } = await loadVisionModel(SHIPPED_MOBILENET);
 *   const { label, probabilities } = classifyImage(model, readImage('photo.png'), SHAPE_CLASSES);
 */
import { tf } from '../nets/backend.ts';
import { packagePath } from '../util/paths.ts';
import { UserError } from '../util/errors.ts';
import type { DecodedImage } from './coco-loader.ts';

/** The MobileNet (alpha 0.25, 32x32) trained on shapes images that ships in models/mobilenet-shapes; its classes are SHAPE_CLASSES. */
export const SHIPPED_MOBILENET = packagePath('models', 'mobilenet-shapes');

export interface Classification {
  /** Index of the most probable class. */
  index: number;
  /** Its name (labels[index]), or the index as text without labels. */
  label: string;
  /** One probability per class. */
  probabilities: number[];
}

/** Classify one image with a model of input [size, size, 3] and output [classes]. */
export function classifyImage(model: tf.LayersModel, image: DecodedImage, labels?: readonly string[]): Classification {
  const shape = model.inputs[0]!.shape;
  const [h, w, c] = [shape[1], shape[2], shape[3]];
  if (typeof h !== 'number' || typeof w !== 'number' || c !== 3) throw new UserError(`classifyImage: the model must take [height, width, 3] images, it takes [${shape.slice(1)}]`);
  if (image.data.length !== image.width * image.height * image.channels) throw new UserError(`classifyImage: ${image.data.length} values for a ${image.width}x${image.height}x${image.channels} image`);
  const probabilities = tf.tidy(() => {
    let x = tf.tensor3d(image.data, [image.height, image.width, image.channels]);
    if (image.channels === 1) x = tf.tile(x, [1, 1, 3]);
    const resized = image.width === w && image.height === h ? x : tf.image.resizeBilinear(x, [h, w]);
    const out = (model.predict(resized.expandDims(0)) as tf.Tensor).reshape([-1]);
    const sum = out.sum().dataSync()[0]!;
    const isDistribution = out.min().dataSync()[0]! >= 0 && Math.abs(sum - 1) < 1e-3;
    return Array.from((isDistribution ? out : tf.softmax(out)).dataSync());
  });
  if (labels !== undefined && labels.length !== probabilities.length) throw new UserError(`classifyImage: ${labels.length} labels for a model with ${probabilities.length} classes`);
  let index = 0;
  for (let i = 1; i < probabilities.length; i++) if (probabilities[i]! > probabilities[index]!) index = i;
  return { index, label: labels?.[index] ?? String(index), probabilities };
}
