/**
 * The AlphaGo (Lee, 2016) networks, after Silver et al. 2016, "Methods: Neural network architecture".
 *
 * Policy network (SL and RL share it), `layers` = 13 conv layers by default:
 *   layer 1          zero-pad, conv 5x5, k filters, ReLU
 *   layers 2..L-1    zero-pad, conv 3x3, k filters, ReLU
 *   layer L          conv 1x1, 1 filter, with a different bias for each board point (PositionBias)
 *   softmax over the rows*cols points.
 * The paper's softmax covers board points only (the SL net never predicts a pass). `pass: true` adds
 * one pass logit, a dense unit on the flattened final plane, to the softmax (numActions = points + 1,
 * the layout of a Go game's action space). Outputs are probabilities (the paper's softmax), not logits.
 *
 * Value network, `layers` + 2 = 15 layers by default:
 *   layers 1..L-2 as the policy net (5x5 then 3x3, k filters, ReLU)
 *   layer L-1     an additional conv 3x3, k filters, ReLU
 *   layer L       conv 1x1, 1 filter, ReLU
 *   dense 256, ReLU; dense 1, tanh.
 * Input planes: 48 for the policy net; the value net adds the colour-to-play plane (49).
 */
import { tf } from './backend.ts';

/** Adds a learned bias per board point to a [rows, cols, 1] plane (the policy net's last layer). */
export class PositionBias extends tf.layers.Layer {
  static readonly className = 'PositionBias';
  private bias: tf.LayerVariable | null = null;

  constructor(args?: { name?: string; trainable?: boolean }) {
    super(args ?? {});
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (s.length !== 4 || s.slice(1).some((d) => d === null)) throw new Error(`PositionBias expects [batch, rows, cols, planes], got [${s.join(', ')}]`);
    this.bias = this.addWeight('bias', [s[1]!, s[2]!, s[3]!], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      return tf.add(x, this.bias!.read());
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override getClassName(): string {
    return PositionBias.className;
  }
}
tf.serialization.registerClass(PositionBias);

export interface LeeNetConfig {
  /** Board size (rows = cols); the paper: 19. */
  board: number;
  /** Input feature planes: paper 48 (policy) and 49 (value). */
  planes: number;
  /** Filters k of the hidden conv layers; paper 192 (128..384 compared). */
  filters: number;
  /** Conv layers of the policy net (default 13); the value net has these plus two dense layers. */
  layers?: number;
  /** Policy net only: add a pass logit to the softmax (default false, as the paper). */
  pass?: boolean;
  /** Value net only: hidden units of the dense layer (default 256). */
  valueHidden?: number;
  seed?: number;
}

export const LEE_POLICY_PLANES = 48;
export const LEE_VALUE_PLANES = 49;

function check(c: LeeNetConfig): number {
  const layers = c.layers ?? 13;
  for (const [k, v, min] of [['board', c.board, 1], ['planes', c.planes, 1], ['filters', c.filters, 1], ['layers', layers, 3]] as const) {
    if (!Number.isInteger(v) || v < min) throw new RangeError(`lee-nets: ${k} must be an integer >= ${min}, got ${v}`);
  }
  return layers;
}

/** conv layers 1..count: 5x5 first, 3x3 after, k filters, ReLU, 'same' padding. */
function trunk(x: tf.SymbolicTensor, c: LeeNetConfig, count: number, seeds: () => number | undefined): tf.SymbolicTensor {
  for (let i = 1; i <= count; i++) {
    x = tf.layers
      .conv2d({
        filters: c.filters,
        kernelSize: i === 1 ? 5 : 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: seeds() }),
        name: `conv${i}`,
      })
      .apply(x) as tf.SymbolicTensor;
  }
  return x;
}

function seeder(seed: number | undefined): () => number | undefined {
  let n = 0;
  return () => (seed === undefined ? undefined : seed * 7919 + n++);
}

/** AlphaGo's SL/RL policy network: [board, board, planes] -> probabilities over board points (+ pass). */
export function buildLeePolicyNet(c: LeeNetConfig): tf.LayersModel {
  const layers = check(c);
  const seeds = seeder(c.seed);
  const input = tf.input({ shape: [c.board, c.board, c.planes], name: 'planes' });
  let x = trunk(input, c, layers - 1, seeds);
  x = tf.layers
    .conv2d({ filters: 1, kernelSize: 1, useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: seeds() }), name: `conv${layers}` })
    .apply(x) as tf.SymbolicTensor;
  x = new PositionBias({ name: 'position_bias' }).apply(x) as tf.SymbolicTensor;
  let logits = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  if (c.pass) {
    const passLogit = tf.layers
      .dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: seeds() }), name: 'pass_logit' })
      .apply(logits) as tf.SymbolicTensor;
    logits = tf.layers.concatenate({ axis: -1, name: 'with_pass' }).apply([logits, passLogit]) as tf.SymbolicTensor;
  }
  const probs = tf.layers.activation({ activation: 'softmax', name: 'policy' }).apply(logits) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: probs, name: `lee_policy_${layers}x${c.filters}` });
}

/** AlphaGo's value network: [board, board, planes] -> tanh value for the player to move. */
export function buildLeeValueNet(c: LeeNetConfig): tf.LayersModel {
  const layers = check(c);
  const seeds = seeder(c.seed);
  const input = tf.input({ shape: [c.board, c.board, c.planes], name: 'planes' });
  let x = trunk(input, c, layers - 1, seeds); // layers 1..L-2 of the policy net, plus the extra conv L-1
  x = tf.layers
    .conv2d({ filters: 1, kernelSize: 1, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seeds() }), name: `conv${layers}` })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .dense({ units: c.valueHidden ?? 256, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seeds() }), name: 'value_fc' })
    .apply(x) as tf.SymbolicTensor;
  const v = tf.layers
    .dense({ units: 1, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: seeds() }), name: 'value' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: v, name: `lee_value_${layers + 2}x${c.filters}` });
}
