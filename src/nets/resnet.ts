/**
 * The AlphaGo Zero / AlphaZero residual policy-value network (Silver et al. 2017, "Methods: Neural
 * network architecture"), as a tf.layers functional model so that it saves, loads and summarises like
 * a Keras model.
 *
 *   input  [rows, cols, planes], channels-last
 *   stem   conv 3x3, F filters, no bias -> BN -> ReLU
 *   tower  (blocks - 1) residual blocks: conv 3x3 -> BN -> ReLU -> conv 3x3 -> BN -> + skip -> ReLU
 *   policy conv 1x1, 2 filters, no bias -> BN -> ReLU -> flatten -> dense numActions (logits)
 *          or, with `policyHead: 'conv'`, after the same conv/BN/ReLU: a 1x1 conv (1 filter, bias) gives
 *          one logit per board point, flattened in row-major order; when numActions is one more than
 *          the points (a pass, last), its logit is a dense layer over the two planes' global average
 *   value  conv 1x1, 1 filter, no bias -> BN -> ReLU -> flatten -> dense 256 -> ReLU -> dense 1 -> tanh
 *
 * The dense head (the paper's) must learn the board's geometry in its dense layer: on 9x9 Go it did not
 * within a 3-hour budget (bench/results/alphazero-go-9x9.md). The convolutional head shares one 1x1
 * filter across points, so a point's logit depends on its own features from the start: for games
 * whose actions are the board's points (Go, Othello, Gomoku, tic-tac-toe). Connect Four's columns
 * are not points, so it keeps the dense head.
 *
 * Blocks count as in the paper: a "20-block" net is the stem plus 19 residual blocks, so
 * `blocks: 1` is the stem and the heads alone. Outputs follow src/nets/policy-value.ts: [policy
 * logits, value]. Layer names are fixed ('stem_conv', 'res3_bn2', 'policy', 'value', ...), so saved
 * weights and the ONNX export line up by name.
 */
import { tf } from './backend.ts';

/** The L2 coefficient c of the AlphaGo Zero loss (z - v)^2 - pi.log p + c||theta||^2. */
export const ALPHAZERO_L2 = 1e-4;

export interface ResNetConfig {
  /** Paper-style block count (stem + blocks-1 residual blocks), >= 1. AlphaGo Zero: 20 or 40. */
  blocks: number;
  /** Filters per conv layer in the tower. AlphaGo Zero: 256. */
  filters: number;
  /** Observation shape [rows, cols, planes] (a Game's observationShape). */
  inputShape: readonly [number, number, number];
  /** Size of the policy output (a Game's numActions). */
  numActions: number;
  /**
   * 'dense' (default, AlphaGo Zero's): flatten -> dense numActions. 'conv': a logit per point from a 1x1
   * conv, plus a pass logit when numActions = rows*cols + 1; needs numActions to be rows*cols or
   * rows*cols + 1, actions numbered row-major as the observation's cells.
   */
  policyHead?: 'dense' | 'conv';
  /** Hidden units of the value head's dense layer (paper: 256). */
  valueHidden?: number;
  /** L2 coefficient on conv and dense kernels (the paper's c = 1e-4); 0 or absent: none. */
  l2?: number;
  /** Batch-norm epsilon (default 1e-3, the Keras default). */
  bnEpsilon?: number;
  /** Batch-norm moving-average momentum (default 0.99). */
  bnMomentum?: number;
  /** Seed for the weight initialisers (same seed, same initial weights). */
  seed?: number;
}

function checkInt(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`resnet: ${name} must be an integer >= ${min}, got ${v}`);
}

/** Validate a config; throws a RangeError saying which field is wrong and what is expected. */
export function checkResNetConfig(c: ResNetConfig): void {
  checkInt('blocks', c.blocks, 1);
  checkInt('filters', c.filters, 1);
  checkInt('numActions', c.numActions, 1);
  if (c.inputShape.length !== 3) throw new RangeError(`resnet: inputShape must be [rows, cols, planes], got [${c.inputShape.join(', ')}]`);
  c.inputShape.forEach((d, i) => checkInt(`inputShape[${i}]`, d, 1));
  if (c.valueHidden !== undefined) checkInt('valueHidden', c.valueHidden, 1);
  if (c.policyHead !== undefined && c.policyHead !== 'dense' && c.policyHead !== 'conv') {
    throw new RangeError(`resnet: policyHead must be 'dense' or 'conv', got ${JSON.stringify(c.policyHead)}`);
  }
  if (c.policyHead === 'conv') {
    const points = c.inputShape[0] * c.inputShape[1];
    if (c.numActions !== points && c.numActions !== points + 1) {
      throw new RangeError(
        `resnet: policyHead 'conv' needs one action per board point (${points}) or one more for a pass (${points + 1}), got numActions ${c.numActions}; use policyHead 'dense'`,
      );
    }
  }
  if (c.l2 !== undefined && !(c.l2 >= 0 && Number.isFinite(c.l2))) throw new RangeError(`resnet: l2 must be a finite number >= 0, got ${c.l2}`);
}

/** Builds layers with shared settings; a counter spreads the seed over initialisers. */
class LayerFactory {
  private seedCounter = 0;
  constructor(private readonly c: ResNetConfig) {}

  private init(): ReturnType<typeof tf.initializers.heNormal> {
    const seed = this.c.seed === undefined ? undefined : this.c.seed * 7919 + this.seedCounter++;
    return tf.initializers.heNormal({ seed });
  }

  private reg(): ReturnType<typeof tf.regularizers.l2> | undefined {
    return this.c.l2 ? tf.regularizers.l2({ l2: this.c.l2 }) : undefined;
  }

  conv(x: tf.SymbolicTensor, filters: number, kernel: number, name: string, useBias = false): tf.SymbolicTensor {
    return tf.layers
      .conv2d({ filters, kernelSize: kernel, padding: 'same', useBias, kernelInitializer: this.init(), kernelRegularizer: this.reg(), name })
      .apply(x) as tf.SymbolicTensor;
  }

  bn(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
    return tf.layers
      .batchNormalization({ axis: -1, epsilon: this.c.bnEpsilon ?? 1e-3, momentum: this.c.bnMomentum ?? 0.99, name })
      .apply(x) as tf.SymbolicTensor;
  }

  relu(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
    return tf.layers.activation({ activation: 'relu', name }).apply(x) as tf.SymbolicTensor;
  }

  dense(x: tf.SymbolicTensor, units: number, activation: 'linear' | 'relu' | 'tanh', name: string): tf.SymbolicTensor {
    const kernelInitializer = tf.initializers.glorotUniform({ seed: this.c.seed === undefined ? undefined : this.c.seed * 7919 + this.seedCounter++ });
    return tf.layers.dense({ units, activation, kernelInitializer, kernelRegularizer: this.reg(), name }).apply(x) as tf.SymbolicTensor;
  }
}

/** Build the residual policy-value net. */
export function buildResNet(config: ResNetConfig): tf.LayersModel {
  checkResNetConfig(config);
  const f = new LayerFactory(config);
  const F = config.filters;
  const input = tf.input({ shape: [...config.inputShape], name: 'planes' });

  let x = f.relu(f.bn(f.conv(input, F, 3, 'stem_conv'), 'stem_bn'), 'stem_relu');
  for (let b = 1; b < config.blocks; b++) {
    const skip = x;
    let y = f.relu(f.bn(f.conv(x, F, 3, `res${b}_conv1`), `res${b}_bn1`), `res${b}_relu1`);
    y = f.bn(f.conv(y, F, 3, `res${b}_conv2`), `res${b}_bn2`);
    y = tf.layers.add({ name: `res${b}_add` }).apply([y, skip]) as tf.SymbolicTensor;
    x = f.relu(y, `res${b}_relu2`);
  }

  const planes = f.relu(f.bn(f.conv(x, 2, 1, 'policy_conv'), 'policy_bn'), 'policy_relu');
  let p: tf.SymbolicTensor;
  if (config.policyHead === 'conv') {
    const points = config.inputShape[0] * config.inputShape[1];
    const hasPass = config.numActions === points + 1;
    const logits = f.conv(planes, 1, 1, 'policy_points', true);
    p = tf.layers.flatten({ name: hasPass ? 'policy_points_flatten' : 'policy' }).apply(logits) as tf.SymbolicTensor;
    if (hasPass) {
      const pooled = tf.layers.globalAveragePooling2d({ name: 'policy_pool' }).apply(planes) as tf.SymbolicTensor;
      const pass = f.dense(pooled, 1, 'linear', 'policy_pass');
      p = tf.layers.concatenate({ axis: -1, name: 'policy' }).apply([p, pass]) as tf.SymbolicTensor;
    }
  } else {
    p = tf.layers.flatten({ name: 'policy_flatten' }).apply(planes) as tf.SymbolicTensor;
    p = f.dense(p, config.numActions, 'linear', 'policy');
  }

  let v = f.relu(f.bn(f.conv(x, 1, 1, 'value_conv'), 'value_bn'), 'value_relu');
  v = tf.layers.flatten({ name: 'value_flatten' }).apply(v) as tf.SymbolicTensor;
  v = f.dense(v, config.valueHidden ?? 256, 'relu', 'value_fc');
  v = f.dense(v, 1, 'tanh', 'value');

  return tf.model({ inputs: input, outputs: [p, v], name: `resnet_${config.blocks}x${F}` });
}

/** A residual net sized for a game: `buildResNetForGame(game, { blocks: 6, filters: 64 })`. */
export function buildResNetForGame(
  game: { observationShape: readonly [number, number, number]; numActions: number },
  opts: Omit<ResNetConfig, 'inputShape' | 'numActions'>,
): tf.LayersModel {
  return buildResNet({ ...opts, inputShape: game.observationShape, numActions: game.numActions });
}
