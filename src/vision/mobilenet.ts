/**
 * MobileNetV1 (Howard et al. 2017, "MobileNets: Efficient Convolutional Neural Networks for Mobile
 * Vision Applications"), built as a tf.layers functional model with the same layer structure as
 * Keras' `keras.applications.MobileNet`, so the parameter counts agree exactly:
 *
 *   conv1        3x3 stride 2, int(32 alpha) filters, no bias, BN, ReLU6
 *   13 blocks    depthwise 3x3 (stride 1 or 2, no bias), BN, ReLU6,
 *                pointwise 1x1 int(f alpha) filters (no bias), BN, ReLU6
 *                f = 64, 128/2, 128, 256/2, 256, 512/2, 512 x5, 1024/2, 1024  ("/2": stride 2)
 *   head         global average pool, reshape to 1x1xC, dropout, 1x1 conv with bias to classes,
 *                reshape to [classes], softmax
 *
 * A stride-2 depthwise conv pads one row/column at the bottom/right and then convolves 'valid', as
 * Keras does (ZeroPadding2D((0,1),(0,1))), so odd input sizes give Keras' shapes too.
 *
 * Width multiplier alpha thins every layer; the resolution multiplier is the input size. At
 * alpha 1, 224x224, 1000 classes: 4,253,864 params (4,231,976 trainable), ~569 M multiply-adds.
 */
import { tf } from '../nets/backend.ts';
import { tagLayersModel } from '../nets/saved-model.ts';
import { UserError } from '../util/errors.ts';

export interface MobileNetConfig {
  /** Width multiplier (the paper's alpha): 1, 0.75, 0.5, 0.25, or any value in (0, 4]. */
  alpha: number;
  /** Square input size (the resolution multiplier): 224, 192, 160, 128, or as small as 32. */
  inputSize: number;
  /** Input channels (3 for RGB). */
  channels?: number;
  classes: number;
  /** Dropout rate before the classifier (Keras default 1e-3). */
  dropout?: number;
  /** BN epsilon (Keras' MobileNet uses 1e-3) and momentum (0.99). */
  bnEpsilon?: number;
  /** Seed for the weight initialisers (same seed, same weights). */
  seed?: number;
  name?: string;
}

/** Pointwise filters and depthwise stride of the 13 depthwise-separable blocks, in order. */
export const MOBILENET_BLOCKS: readonly (readonly [filters: number, stride: 1 | 2])[] = [
  [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2],
  [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
];

function check(cfg: MobileNetConfig): void {
  if (!(cfg.alpha > 0 && cfg.alpha <= 4)) throw new UserError(`MobileNet: alpha must be in (0, 4], got ${cfg.alpha}`);
  if (!Number.isInteger(cfg.inputSize) || cfg.inputSize < 32) {
    throw new UserError(`MobileNet: input size must be an integer >= 32 (the net downsamples 32x), got ${cfg.inputSize}`);
  }
  if (!Number.isInteger(cfg.classes) || cfg.classes < 1) throw new UserError(`MobileNet: classes must be an integer >= 1, got ${cfg.classes}`);
  const c = cfg.channels ?? 3;
  if (!Number.isInteger(c) || c < 1) throw new UserError(`MobileNet: channels must be an integer >= 1, got ${c}`);
  const d = cfg.dropout ?? 1e-3;
  if (!(d >= 0 && d < 1)) throw new UserError(`MobileNet: dropout must be in [0, 1), got ${d}`);
  if (Math.floor(32 * cfg.alpha) < 1) throw new UserError(`MobileNet: alpha ${cfg.alpha} leaves conv1 with no filters`);
}

/** Build MobileNetV1 as a functional tf.LayersModel (input [batch, size, size, channels], softmax output). */
export function buildMobileNet(cfg: MobileNetConfig): tf.LayersModel {
  check(cfg);
  const { alpha, inputSize, classes } = cfg;
  const eps = cfg.bnEpsilon ?? 1e-3;
  let seed = cfg.seed ?? 1;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const bn = (x: tf.SymbolicTensor, name: string): tf.SymbolicTensor =>
    tf.layers.batchNormalization({ axis: -1, epsilon: eps, momentum: 0.99, name }).apply(x) as tf.SymbolicTensor;
  const relu6 = (x: tf.SymbolicTensor, name: string): tf.SymbolicTensor =>
    tf.layers.reLU({ maxValue: 6, name }).apply(x) as tf.SymbolicTensor;

  const input = tf.input({ shape: [inputSize, inputSize, cfg.channels ?? 3], name: 'input' });
  let x = tf.layers
    .conv2d({ filters: Math.floor(32 * alpha), kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: init(), name: 'conv1' })
    .apply(input) as tf.SymbolicTensor;
  x = relu6(bn(x, 'conv1_bn'), 'conv1_relu');

  MOBILENET_BLOCKS.forEach(([filters, stride], i) => {
    const id = i + 1;
    if (stride === 2) x = tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: `conv_pad_${id}` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers
      .depthwiseConv2d({
        kernelSize: 3, strides: stride, padding: stride === 1 ? 'same' : 'valid', depthMultiplier: 1, useBias: false,
        depthwiseInitializer: init(), name: `conv_dw_${id}`,
      })
      .apply(x) as tf.SymbolicTensor;
    x = relu6(bn(x, `conv_dw_${id}_bn`), `conv_dw_${id}_relu`);
    x = tf.layers
      .conv2d({ filters: Math.max(1, Math.floor(filters * alpha)), kernelSize: 1, padding: 'same', useBias: false, kernelInitializer: init(), name: `conv_pw_${id}` })
      .apply(x) as tf.SymbolicTensor;
    x = relu6(bn(x, `conv_pw_${id}_bn`), `conv_pw_${id}_relu`);
  });

  const channelsOut = Math.max(1, Math.floor(1024 * alpha));
  x = tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reshape({ targetShape: [1, 1, channelsOut], name: 'reshape_1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: cfg.dropout ?? 1e-3, seed: seed++, name: 'dropout' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ filters: classes, kernelSize: 1, padding: 'same', useBias: true, kernelInitializer: init(), name: 'conv_preds' })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.reshape({ targetShape: [classes], name: 'reshape_2' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.activation({ activation: 'softmax', name: 'predictions' }).apply(x) as tf.SymbolicTensor;
  return tagLayersModel(tf.model({ inputs: input, outputs: out, name: cfg.name ?? `mobilenet_${alpha}_${inputSize}` }), 'mobilenet', cfg);
}
