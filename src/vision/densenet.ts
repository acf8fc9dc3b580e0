/**
 * DenseNet (Huang et al. 2017, "Densely Connected Convolutional Networks"), DenseNet-BC form, built as
 * a tf.layers functional model with the layer structure of Keras' `keras.applications.DenseNet121`:
 *
 *   stem (imagenet)  zero-pad 3, conv 7x7/2 64 no bias, BN, ReLU, zero-pad 1, max-pool 3x3/2
 *   stem (small)     conv 3x3 2k no bias (for 32x32 inputs, as the paper's CIFAR nets)
 *   dense block      n layers, each: BN, ReLU, conv 1x1 4k (no bias), BN, ReLU, conv 3x3 k (no bias),
 *                    concatenated onto its input (k = growth rate)
 *   transition       BN, ReLU, conv 1x1 floor(C x compression) (no bias), avg-pool 2x2/2
 *   head             BN, ReLU, global average pool, dense classes softmax
 *
 * DenseNet-121 is blocks [6, 12, 24, 16], k 32, compression 0.5: 8,062,504 params (7,978,856
 * trainable) at 224x224 with 1000 classes. BN uses epsilon 1.001e-5 as Keras does.
 */
import { tf } from '../nets/backend.ts';
import { tagLayersModel } from '../nets/saved-model.ts';
import { UserError } from '../util/errors.ts';

export interface DenseNetConfig {
  /** Layers per dense block, e.g. [6, 12, 24, 16] for DenseNet-121. */
  blocks: number[];
  /** Growth rate k. */
  growth: number;
  /** Transition compression theta in (0, 1]. */
  compression?: number;
  inputSize: number;
  channels?: number;
  classes: number;
  /** 'imagenet': 7x7/2 conv + 3x3/2 max-pool stem with 64 filters; 'small': one 3x3 conv with 2k filters. */
  stem?: 'imagenet' | 'small';
  seed?: number;
  name?: string;
}

export const DENSENET121_BLOCKS = [6, 12, 24, 16] as const;

function check(cfg: DenseNetConfig): void {
  if (cfg.blocks.length < 1 || cfg.blocks.some((b) => !Number.isInteger(b) || b < 1)) {
    throw new UserError(`DenseNet: blocks must be one or more integers >= 1, got [${cfg.blocks.join(', ')}]`);
  }
  if (!Number.isInteger(cfg.growth) || cfg.growth < 1) throw new UserError(`DenseNet: growth must be an integer >= 1, got ${cfg.growth}`);
  const c = cfg.compression ?? 0.5;
  if (!(c > 0 && c <= 1)) throw new UserError(`DenseNet: compression must be in (0, 1], got ${c}`);
  const down = (cfg.stem ?? 'imagenet') === 'imagenet' ? 4 * 2 ** (cfg.blocks.length - 1) : 2 ** (cfg.blocks.length - 1);
  if (!Number.isInteger(cfg.inputSize) || cfg.inputSize < down) {
    throw new UserError(`DenseNet: input size must be an integer >= ${down} for ${cfg.blocks.length} blocks with this stem, got ${cfg.inputSize}`);
  }
  if (!Number.isInteger(cfg.classes) || cfg.classes < 1) throw new UserError(`DenseNet: classes must be an integer >= 1, got ${cfg.classes}`);
}

/** Build a DenseNet-BC as a functional tf.LayersModel. */
export function buildDenseNet(cfg: DenseNetConfig): tf.LayersModel {
  check(cfg);
  const k = cfg.growth;
  const compression = cfg.compression ?? 0.5;
  let seed = cfg.seed ?? 1;
  const init = () => tf.initializers.heNormal({ seed: seed++ });
  const S = (l: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor => l.apply(x) as tf.SymbolicTensor;
  const bnRelu = (x: tf.SymbolicTensor, name: string): tf.SymbolicTensor =>
    S(tf.layers.activation({ activation: 'relu', name: `${name}_relu` }), S(tf.layers.batchNormalization({ axis: -1, epsilon: 1.001e-5, name: `${name}_bn` }), x));
  const conv = (x: tf.SymbolicTensor, filters: number, size: number, name: string, strides = 1, padding: 'same' | 'valid' = 'same'): tf.SymbolicTensor =>
    S(tf.layers.conv2d({ filters, kernelSize: size, strides, padding, useBias: false, kernelInitializer: init(), name }), x);

  const input = tf.input({ shape: [cfg.inputSize, cfg.inputSize, cfg.channels ?? 3], name: 'input' });
  let x: tf.SymbolicTensor;
  if ((cfg.stem ?? 'imagenet') === 'imagenet') {
    x = S(tf.layers.zeroPadding2d({ padding: [[3, 3], [3, 3]], name: 'zero_padding2d' }), input);
    x = conv(x, 64, 7, 'conv1_conv', 2, 'valid');
    x = bnRelu(x, 'conv1');
    x = S(tf.layers.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: 'zero_padding2d_1' }), x);
    x = S(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1' }), x);
  } else {
    x = conv(input, 2 * k, 3, 'conv1_conv');
  }
  let channels = x.shape[3]!;

  cfg.blocks.forEach((layers, bi) => {
    const b = bi + 2; // Keras names the blocks conv2..conv5 and transitions pool2..pool4
    for (let l = 1; l <= layers; l++) {
      const name = `conv${b}_block${l}`;
      let y = bnRelu(x, `${name}_0`);
      y = conv(y, 4 * k, 1, `${name}_1_conv`);
      y = bnRelu(y, `${name}_1`);
      y = conv(y, k, 3, `${name}_2_conv`);
      x = S(tf.layers.concatenate({ axis: -1, name: `${name}_concat` }), [x, y]);
      channels += k;
    }
    if (bi < cfg.blocks.length - 1) {
      const name = `pool${b}`;
      x = bnRelu(x, name);
      channels = Math.max(1, Math.floor(channels * compression));
      x = conv(x, channels, 1, `${name}_conv`);
      x = S(tf.layers.averagePooling2d({ poolSize: 2, strides: 2, name: `${name}_pool` }), x);
    }
  });

  x = S(tf.layers.batchNormalization({ axis: -1, epsilon: 1.001e-5, name: 'bn' }), x);
  x = S(tf.layers.activation({ activation: 'relu', name: 'relu' }), x);
  x = S(tf.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
  const out = S(tf.layers.dense({ units: cfg.classes, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }), name: 'predictions' }), x);
  return tagLayersModel(tf.model({ inputs: input, outputs: out, name: cfg.name ?? `densenet_${cfg.blocks.join('-')}_k${k}` }), 'densenet', cfg);
}
