import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, tf } from '../../src/nets/backend.ts';
import { Bidirectional, GRUCell, LSTMCell, loadCell, runCell, runStack, SimpleRNNCell, type RecurrentCell } from '../../src/sequence/recurrent.ts';
import { Rng } from '../../src/util/rng.ts';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
});

function randomInput(shape: [number, number, number], seed: number): tf.Tensor3D {
  const rng = new Rng(seed);
  return tf.tensor3d(Float32Array.from({ length: shape[0] * shape[1] * shape[2] }, () => rng.uniform(-1, 1)), shape);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** A tf.layers recurrent layer with the cell's weights copied in, returning sequences. */
function referenceLayer(cell: RecurrentCell & { setWeights(v: tf.Tensor[]): void }, inputSize: number): tf.layers.Layer {
  const common = { units: cell.units, returnSequences: true, inputShape: [null, inputSize] as [null, number] };
  const layer =
    cell.kind === 'lstm'
      ? tf.layers.lstm({ ...common, recurrentActivation: 'sigmoid' })
      : cell.kind === 'gru'
        ? tf.layers.gru({ ...common, recurrentActivation: 'sigmoid' })
        : tf.layers.simpleRNN(common);
  layer.apply(tf.zeros([1, 1, inputSize]));
  const rng = new Rng(11);
  // Random non-trivial weights, shared by both.
  const values = layer.getWeights().map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => rng.uniform(-0.8, 0.8)), w.shape));
  layer.setWeights(values);
  cell.setWeights(values);
  return layer;
}

describe('recurrent cells equal tf.layers given the same weights', () => {
  const makers: Array<[string, () => LSTMCell | GRUCell | SimpleRNNCell]> = [
    ['LSTM', () => new LSTMCell(5, 7)],
    ['GRU', () => new GRUCell(5, 7)],
    ['SimpleRNN', () => new SimpleRNNCell(5, 7)],
  ];
  for (const [name, make] of makers) {
    it(name, () => {
      const cell = make();
      const layer = referenceLayer(cell, 5);
      const x = randomInput([3, 6, 5], 2);
      const ours = tf.tidy(() => runCell(cell, x).outputs);
      const theirs = layer.apply(x) as tf.Tensor;
      expect(maxAbsDiff(ours, theirs)).toBeLessThan(1e-5);
      tf.dispose([ours, theirs, x]);
    });
  }

  it('hard-sigmoid LSTM (tf.layers default) matches too', () => {
    const cell = new LSTMCell(4, 3, { recurrentActivation: 'hardSigmoid' });
    const layer = tf.layers.lstm({ units: 3, returnSequences: true, inputShape: [null, 4] });
    layer.apply(tf.zeros([1, 1, 4]));
    cell.setWeights(layer.getWeights());
    const x = randomInput([2, 5, 4], 3);
    expect(maxAbsDiff(tf.tidy(() => runCell(cell, x).outputs), layer.apply(x) as tf.Tensor)).toBeLessThan(1e-5);
  });

  it('bidirectional concat equals tf.layers.bidirectional', () => {
    const fwd = new GRUCell(4, 3);
    const bwd = new GRUCell(4, 3);
    const layer = tf.layers.bidirectional({ layer: tf.layers.gru({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid' }) as tf.RNN, mergeMode: 'concat', inputShape: [null, 4] });
    layer.apply(tf.zeros([1, 1, 4]));
    const w = layer.getWeights();
    fwd.setWeights(w.slice(0, 3));
    bwd.setWeights(w.slice(3, 6));
    const x = randomInput([2, 5, 4], 4);
    const ours = tf.tidy(() => new Bidirectional(fwd, bwd).run(x).outputs);
    expect(maxAbsDiff(ours, layer.apply(x) as tf.Tensor)).toBeLessThan(1e-5);
  });
});

describe('masking, gates, gradients', () => {
  it('padding steps leave the final state as on the unpadded sequence', () => {
    const cell = new LSTMCell(3, 4, { seed: 5 });
    const x = randomInput([1, 6, 3], 7);
    const short = x.slice([0, 0, 0], [1, 4, 3]) as tf.Tensor3D;
    const mask = tf.tensor2d([[1, 1, 1, 1, 0, 0]]);
    const padded = runCell(cell, x, { mask });
    const plain = runCell(cell, short);
    expect(maxAbsDiff(padded.finalStates[0]!, plain.finalStates[0]!)).toBeLessThan(1e-6);
    expect(maxAbsDiff(padded.finalStates[1]!, plain.finalStates[1]!)).toBeLessThan(1e-6);
    // The output at a padded step repeats the last real output.
    const o = padded.outputs.arraySync()[0]!;
    expect(o[5]).toEqual(o[3]);
  });

  it('returns gate activations in (0, 1) for the sigmoid gates', () => {
    const cell = new LSTMCell(3, 2);
    const r = runCell(cell, randomInput([2, 4, 3], 1), { returnGates: true });
    expect(Object.keys(r.gates!).sort()).toEqual(['f', 'g', 'i', 'o']);
    const f = r.gates!['f']!.dataSync();
    expect(f.every((v) => v > 0 && v < 1)).toBe(true);
    expect(r.gates!['f']!.shape).toEqual([2, 4, 2]);
  });

  it('gradients flow to every weight of a stacked net, and a few steps lower the loss', () => {
    const cells = [new GRUCell(3, 5, { seed: 1 }), new LSTMCell(5, 2, { seed: 2 })];
    const x = randomInput([4, 5, 3], 9);
    const target = tf.tensor2d([[0.5, -0.5], [0.2, 0.1], [-0.3, 0.4], [0, 0]]);
    const opt = tf.train.adam(0.05);
    const lossFn = (): tf.Scalar => tf.tidy(() => tf.losses.meanSquaredError(target, runStack(cells, x).finalStates[1]![0]!) as tf.Scalar);
    const before = lossFn().dataSync()[0]!;
    const vars = cells.flatMap((c) => c.weights);
    const { grads } = tf.variableGrads(lossFn, vars);
    for (const v of vars) expect(tf.tidy(() => tf.sum(tf.abs(grads[v.name]!)).dataSync()[0]!)).toBeGreaterThan(0);
    tf.dispose(Object.values(grads));
    opt.minimize(lossFn, true, vars)?.dispose(); // creates the optimizer's slots
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) opt.minimize(lossFn, true, vars)?.dispose();
    expect(tf.memory().numTensors).toBe(n0); // no tensor leaks per step
    const after = lossFn().dataSync()[0]!;
    expect(after).toBeLessThan(before * 0.8);
  });

  it('rejects wrong shapes and empty sequences clearly', () => {
    const cell = new GRUCell(3, 2);
    expect(() => runCell(cell, tf.zeros([1, 4, 5]) as tf.Tensor3D)).toThrow(/input has 5 features per step, the cell expects 3/);
    expect(() => runCell(cell, tf.zeros([1, 0, 3]) as tf.Tensor3D)).toThrow(/empty sequence/);
    expect(() => runCell(cell, tf.zeros([2, 4, 3]) as tf.Tensor3D, { mask: tf.ones([2, 3]) as tf.Tensor2D })).toThrow(/mask must have shape \[2, 4\]/);
    expect(() => new LSTMCell(0, 3)).toThrow(/inputSize must be a positive integer/);
  });
});

describe('saving recurrent cells and layers', () => {
  it('LSTM, GRU and simple RNN cells and a Bidirectional layer round-trip: same outputs to 1e-6', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tengen-rnn-'));
    const x = randomInput([2, 5, 3], 8);
    const cells = [new LSTMCell(3, 4, { seed: 1, recurrentActivation: 'hardSigmoid' }), new GRUCell(3, 4, { seed: 2 }), new SimpleRNNCell(3, 4, { seed: 3 })];
    for (const cell of cells) {
      const dir = join(root, cell.kind);
      await cell.save(dir);
      const loaded = await loadCell(dir);
      expect(loaded.kind).toBe(cell.kind);
      expect(loaded.recurrentActivation).toBe(cell.recurrentActivation);
      expect(maxAbsDiff(runCell(cell, x).outputs, runCell(loaded, x).outputs)).toBeLessThan(1e-6);
      loaded.dispose();
    }
    const lstm = await LSTMCell.load(join(root, 'lstm'));
    expect(lstm).toBeInstanceOf(LSTMCell);
    lstm.dispose();
    await expect(GRUCell.load(join(root, 'lstm'))).rejects.toThrow(/holds a lstm model, expected gru/);

    const bi = new Bidirectional(new LSTMCell(3, 4, { seed: 5 }), new GRUCell(3, 2, { seed: 6 }), 'concat');
    await bi.save(join(root, 'bi'));
    const bi2 = await Bidirectional.load(join(root, 'bi'));
    expect(bi2.outputSize).toBe(6);
    expect(maxAbsDiff(bi.run(x).outputs, bi2.run(x).outputs)).toBeLessThan(1e-6);
    cells.forEach((c) => c.dispose());
    bi.dispose();
    bi2.dispose();
    rmSync(root, { recursive: true, force: true });
  });
});
