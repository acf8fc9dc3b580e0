/**
 * Recurrent cells written out gate by gate (so the mechanism is visible and each gate can be
 * returned for display), a loop that runs a cell over time with masking for padded batches, a
 * bidirectional wrapper and stacking. Weight layouts follow tf.layers (Keras), so a cell given the
 * same weights computes the same outputs as tf.layers.lstm / gru / simpleRNN:
 *
 *   LSTM  kernel [in, 4u], recurrent [u, 4u], bias [4u], gate order i, f, c, o
 *         i = s(x Wi + h Ui + bi)   f = s(x Wf + h Uf + bf)   g = tanh(x Wc + h Uc + bc)
 *         o = s(x Wo + h Uo + bo)   c' = f c + i g            h' = o tanh(c')
 *   GRU   kernel [in, 3u], recurrent [u, 3u], bias [3u], gate order z, r, h (reset before the product)
 *         z = s(x Wz + h Uz + bz)   r = s(x Wr + h Ur + br)
 *         h~ = tanh(x Wh + (r h) Uh + bh)                    h' = z h + (1 - z) h~
 *   RNN   h' = tanh(x W + h U + b)
 *
 * s is the recurrent activation: 'sigmoid' by default ('hardSigmoid' is tf.layers' default and is
 * available for equality with it).
 */
import { tf } from '../nets/backend.ts';
import { Rng } from '../util/rng.ts';
import { UserError } from '../util/errors.ts';
import { loadNamedWeights, readHeader, restore, saveNamedWeights } from '../nets/saved-model.ts';

export type RecurrentActivation = 'sigmoid' | 'hardSigmoid';
type T2 = tf.Tensor2D;

export interface CellStep {
  /** Output of the step (the new hidden state h). */
  h: T2;
  /** All recurrent states after the step ([h] or [h, c]). */
  states: T2[];
  /** Gate activations of the step, by name (i, f, g, o for LSTM; z, r, hTilde for GRU). */
  gates: Record<string, T2>;
}

export interface RecurrentCell {
  readonly kind: 'lstm' | 'gru' | 'rnn';
  readonly units: number;
  readonly inputSize: number;
  /** [kernel, recurrentKernel, bias] as trainable variables. */
  readonly weights: tf.Variable[];
  /** Zero initial states for a batch. */
  initialStates(batch: number): T2[];
  step(x: T2, states: T2[]): CellStep;
}

function recAct(kind: RecurrentActivation, x: tf.Tensor): T2 {
  if (kind === 'sigmoid') return tf.sigmoid(x) as T2;
  // Keras' hard sigmoid: clip(0.2 x + 0.5, 0, 1).
  return tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1) as T2;
}

function glorot(rng: Rng, rows: number, cols: number): Float32Array {
  const lim = Math.sqrt(6 / (rows + cols));
  return Float32Array.from({ length: rows * cols }, () => rng.uniform(-lim, lim));
}

let cellCounter = 0;

abstract class BaseCell implements RecurrentCell {
  abstract readonly kind: 'lstm' | 'gru' | 'rnn';
  readonly weights: tf.Variable[];
  protected readonly kernel: tf.Variable;
  protected readonly recurrent: tf.Variable;
  protected readonly bias: tf.Variable;

  constructor(
    readonly inputSize: number,
    readonly units: number,
    gates: number,
    readonly recurrentActivation: RecurrentActivation,
    seed: number,
    name: string,
  ) {
    if (!Number.isInteger(inputSize) || inputSize < 1) throw new UserError(`${name}: inputSize must be a positive integer, got ${inputSize}`);
    if (!Number.isInteger(units) || units < 1) throw new UserError(`${name}: units must be a positive integer, got ${units}`);
    const rng = new Rng(seed);
    name = `${name}_${++cellCounter}`; // tf variable names must be unique in the process
    this.kernel = tf.variable(tf.tensor2d(glorot(rng, inputSize, gates * units), [inputSize, gates * units]), true, `${name}/kernel`);
    this.recurrent = tf.variable(tf.tensor2d(glorot(rng, units, gates * units), [units, gates * units]), true, `${name}/recurrent_kernel`);
    const b = new Float32Array(gates * units);
    if (gates === 4) b.fill(1, units, 2 * units); // LSTM: forget-gate bias 1 (Keras' unit_forget_bias)
    this.bias = tf.variable(tf.tensor1d(b), true, `${name}/bias`);
    this.weights = [this.kernel, this.recurrent, this.bias];
  }

  initialStates(batch: number): T2[] {
    return [tf.zeros([batch, this.units])];
  }

  /** Copy weights in (e.g. from a tf.layers layer's getWeights()). */
  setWeights(values: tf.Tensor[]): void {
    if (values.length !== 3) throw new UserError(`${this.kind}: expected 3 weight tensors [kernel, recurrentKernel, bias], got ${values.length}`);
    this.weights.forEach((w, i) => {
      if (!tf.util.arraysEqual(w.shape, values[i]!.shape)) throw new UserError(`${this.kind}: weight ${i} must have shape [${w.shape}], got [${values[i]!.shape}]`);
      w.assign(values[i]!);
    });
  }

  abstract step(x: T2, states: T2[]): CellStep;

  /** What rebuilds this cell: its kind, sizes and recurrent activation. */
  get config(): CellConfig {
    return { kind: this.kind, inputSize: this.inputSize, units: this.units, recurrentActivation: this.recurrentActivation };
  }

  /** The weights by their saved names (kernel, recurrent_kernel, bias). */
  namedWeights(prefix = ''): Record<string, tf.Variable> {
    return { [`${prefix}kernel`]: this.kernel, [`${prefix}recurrent_kernel`]: this.recurrent, [`${prefix}bias`]: this.bias };
  }

  /** Save the cell to a directory (src/nets/saved-model.ts); loadCell or the class's load() reads it. */
  async save(dir: string): Promise<void> {
    await saveNamedWeights(dir, this.kind, this.config, this.namedWeights());
  }

  dispose(): void {
    this.weights.forEach((w) => w.dispose());
  }
}

/** The constructor arguments of a cell, as saved. */
export interface CellConfig {
  kind: 'lstm' | 'gru' | 'rnn';
  inputSize: number;
  units: number;
  recurrentActivation: RecurrentActivation;
}

function cellFromConfig(c: CellConfig, where: string): LSTMCell | GRUCell | SimpleRNNCell {
  const opts = { recurrentActivation: c.recurrentActivation };
  switch (c.kind) {
    case 'lstm':
      return new LSTMCell(c.inputSize, c.units, opts);
    case 'gru':
      return new GRUCell(c.inputSize, c.units, opts);
    case 'rnn':
      return new SimpleRNNCell(c.inputSize, c.units);
    default:
      throw new UserError(`${where}: unknown cell kind '${String((c as { kind: unknown }).kind)}'; expected lstm, gru or rnn`);
  }
}

/** A recurrent cell saved by cell.save(dir), of whichever kind it is. */
export async function loadCell(dir: string): Promise<LSTMCell | GRUCell | SimpleRNNCell> {
  const { kind } = readHeader(dir, ['lstm', 'gru', 'rnn']);
  const { config, weights } = await loadNamedWeights(dir, kind);
  return restore(weights, `loadCell(${dir})`, () => cellFromConfig(config as unknown as CellConfig, dir), (c) => c.namedWeights());
}

async function loadCellOf<C>(dir: string, kind: 'lstm' | 'gru' | 'rnn'): Promise<C> {
  readHeader(dir, kind);
  return (await loadCell(dir)) as C;
}

export class LSTMCell extends BaseCell {
  readonly kind = 'lstm' as const;
  /** An LSTM cell saved by save(dir). */
  static load(dir: string): Promise<LSTMCell> {
    return loadCellOf<LSTMCell>(dir, 'lstm');
  }
  constructor(inputSize: number, units: number, opts: { recurrentActivation?: RecurrentActivation; seed?: number; name?: string } = {}) {
    super(inputSize, units, 4, opts.recurrentActivation ?? 'sigmoid', opts.seed ?? 0, opts.name ?? 'lstm');
  }

  override initialStates(batch: number): T2[] {
    return [tf.zeros([batch, this.units]), tf.zeros([batch, this.units])];
  }

  step(x: T2, [h, c]: T2[]): CellStep {
    const z = tf.add(tf.add(tf.matMul(x, this.kernel), tf.matMul(h!, this.recurrent)), this.bias);
    const [zi, zf, zc, zo] = tf.split(z, 4, 1) as T2[];
    const i = recAct(this.recurrentActivation, zi!);
    const f = recAct(this.recurrentActivation, zf!);
    const g = tf.tanh(zc!);
    const o = recAct(this.recurrentActivation, zo!);
    const c2 = tf.add(tf.mul(f, c!), tf.mul(i, g)) as T2;
    const h2 = tf.mul(o, tf.tanh(c2)) as T2;
    return { h: h2, states: [h2, c2], gates: { i, f, g, o } };
  }
}

export class GRUCell extends BaseCell {
  readonly kind = 'gru' as const;
  /** A GRU cell saved by save(dir). */
  static load(dir: string): Promise<GRUCell> {
    return loadCellOf<GRUCell>(dir, 'gru');
  }
  constructor(inputSize: number, units: number, opts: { recurrentActivation?: RecurrentActivation; seed?: number; name?: string } = {}) {
    super(inputSize, units, 3, opts.recurrentActivation ?? 'sigmoid', opts.seed ?? 0, opts.name ?? 'gru');
  }

  step(x: T2, [h]: T2[]): CellStep {
    const u = this.units;
    const xz = tf.add(tf.matMul(x, this.kernel), this.bias);
    const [xZ, xR, xH] = tf.split(xz, 3, 1) as T2[];
    const rk = this.recurrent;
    const hZ = tf.matMul(h!, rk.slice([0, 0], [u, u]));
    const hR = tf.matMul(h!, rk.slice([0, u], [u, u]));
    const z = recAct(this.recurrentActivation, tf.add(xZ!, hZ));
    const r = recAct(this.recurrentActivation, tf.add(xR!, hR));
    const hTilde = tf.tanh(tf.add(xH!, tf.matMul(tf.mul(r, h!), rk.slice([0, 2 * u], [u, u])))) as T2;
    const h2 = tf.add(tf.mul(z, h!), tf.mul(tf.sub(1, z), hTilde)) as T2;
    return { h: h2, states: [h2], gates: { z, r, hTilde } };
  }
}

export class SimpleRNNCell extends BaseCell {
  readonly kind = 'rnn' as const;
  /** A simple RNN cell saved by save(dir). */
  static load(dir: string): Promise<SimpleRNNCell> {
    return loadCellOf<SimpleRNNCell>(dir, 'rnn');
  }
  constructor(inputSize: number, units: number, opts: { seed?: number; name?: string } = {}) {
    super(inputSize, units, 1, 'sigmoid', opts.seed ?? 0, opts.name ?? 'rnn');
  }

  step(x: T2, [h]: T2[]): CellStep {
    const h2 = tf.tanh(tf.add(tf.add(tf.matMul(x, this.kernel), tf.matMul(h!, this.recurrent)), this.bias)) as T2;
    return { h: h2, states: [h2], gates: {} };
  }
}

export interface RunOptions {
  /** [batch, time] with 1 for real steps and 0 for padding: padded steps keep the previous state and output. */
  mask?: tf.Tensor2D;
  initialStates?: T2[];
  /** Run from the last step to the first (outputs are returned in input order). */
  reverse?: boolean;
  /** Also return each step's gate activations, stacked to [batch, time, units]. */
  returnGates?: boolean;
}

export interface RunResult {
  /** [batch, time, units]. */
  outputs: tf.Tensor3D;
  finalStates: T2[];
  gates?: Record<string, tf.Tensor3D>;
}

/** Run a cell over a [batch, time, features] input. Call inside tf.tidy (or dispose the result). */
export function runCell(cell: RecurrentCell, x: tf.Tensor3D, opts: RunOptions = {}): RunResult {
  const [batch, time, feat] = x.shape;
  if (feat !== cell.inputSize) throw new UserError(`${cell.kind}: input has ${feat} features per step, the cell expects ${cell.inputSize}`);
  if (time === 0) throw new UserError(`${cell.kind}: empty sequence (time dimension 0)`);
  if (opts.mask && (opts.mask.shape[0] !== batch || opts.mask.shape[1] !== time)) throw new UserError(`mask must have shape [${batch}, ${time}], got [${opts.mask.shape}]`);
  let states = opts.initialStates ?? cell.initialStates(batch);
  const steps = tf.unstack(x, 1) as T2[];
  const masks = opts.mask ? (tf.unstack(opts.mask, 1) as tf.Tensor1D[]).map((m) => m.reshape([batch, 1]) as T2) : null;
  const outs: T2[] = new Array(time);
  const gateSteps: Record<string, T2[]> = {};
  let prevOut: T2 = tf.zeros([batch, cell.units]);
  const order = Array.from({ length: time }, (_, i) => (opts.reverse ? time - 1 - i : i));
  for (const t of order) {
    const r = cell.step(steps[t]!, states);
    if (masks) {
      const m = masks[t]!;
      const keep = (a: T2, b: T2): T2 => tf.add(tf.mul(m, a), tf.mul(tf.sub(1, m), b)) as T2;
      states = r.states.map((s, k) => keep(s, states[k]!));
      prevOut = keep(r.h, prevOut);
    } else {
      states = r.states;
      prevOut = r.h;
    }
    outs[t] = prevOut;
    if (opts.returnGates) for (const [k, v] of Object.entries(r.gates)) (gateSteps[k] ??= new Array(time))[t] = v;
  }
  const result: RunResult = { outputs: tf.stack(outs, 1) as tf.Tensor3D, finalStates: states };
  if (opts.returnGates) result.gates = Object.fromEntries(Object.entries(gateSteps).map(([k, v]) => [k, tf.stack(v, 1) as tf.Tensor3D]));
  return result;
}

/** Forward and backward cells over the same input, outputs merged per step ('concat' or 'sum'). */
export class Bidirectional {
  constructor(
    readonly forward: RecurrentCell,
    readonly backward: RecurrentCell,
    readonly merge: 'concat' | 'sum' = 'concat',
  ) {
    if (forward.inputSize !== backward.inputSize) throw new UserError('Bidirectional: both cells must take the same input size');
    if (merge === 'sum' && forward.units !== backward.units) throw new UserError("Bidirectional: 'sum' needs cells of equal units");
  }

  get outputSize(): number {
    return this.merge === 'concat' ? this.forward.units + this.backward.units : this.forward.units;
  }

  get weights(): tf.Variable[] {
    return [...this.forward.weights, ...this.backward.weights];
  }

  /** Save both cells and the merge mode to a directory (src/nets/saved-model.ts). */
  async save(dir: string): Promise<void> {
    const f = this.forward as BaseCell;
    const b = this.backward as BaseCell;
    if (!(f instanceof BaseCell) || !(b instanceof BaseCell)) throw new UserError('Bidirectional.save: both directions must be tengen cells (LSTMCell, GRUCell or SimpleRNNCell)');
    await saveNamedWeights(dir, 'bidirectional', { merge: this.merge, forward: f.config, backward: b.config }, { ...f.namedWeights('forward/'), ...b.namedWeights('backward/') });
  }

  /** A Bidirectional layer saved by save(dir). */
  static async load(dir: string): Promise<Bidirectional> {
    const { config, weights } = await loadNamedWeights(dir, 'bidirectional');
    const c = config as { merge: 'concat' | 'sum'; forward: CellConfig; backward: CellConfig };
    return restore(
      weights,
      `Bidirectional.load(${dir})`,
      () => new Bidirectional(cellFromConfig(c.forward, dir), cellFromConfig(c.backward, dir), c.merge),
      (bi) => ({ ...(bi.forward as BaseCell).namedWeights('forward/'), ...(bi.backward as BaseCell).namedWeights('backward/') }),
    );
  }

  dispose(): void {
    for (const c of [this.forward, this.backward]) if (c instanceof BaseCell) c.dispose();
  }

  run(x: tf.Tensor3D, opts: { mask?: tf.Tensor2D } = {}): { outputs: tf.Tensor3D; forward: RunResult; backward: RunResult } {
    const f = runCell(this.forward, x, { mask: opts.mask });
    const b = runCell(this.backward, x, { mask: opts.mask, reverse: true });
    const outputs = (this.merge === 'concat' ? tf.concat([f.outputs, b.outputs], 2) : tf.add(f.outputs, b.outputs)) as tf.Tensor3D;
    return { outputs, forward: f, backward: b };
  }
}

/** Layers of cells, each feeding its output sequence to the next. */
export function runStack(cells: RecurrentCell[], x: tf.Tensor3D, opts: { mask?: tf.Tensor2D } = {}): { outputs: tf.Tensor3D; finalStates: T2[][] } {
  let h = x;
  const finals: T2[][] = [];
  for (const c of cells) {
    const r = runCell(c, h, { mask: opts.mask });
    h = r.outputs;
    finals.push(r.finalStates);
  }
  return { outputs: h, finalStates: finals };
}
