/**
 * The kernels registered for wasm (src/nets/wasm/) agree with the pure-JS cpu backend, and a
 * small conv net trains on wasm. The backend is process-wide; vitest runs this file in its own
 * fork, and each comparison switches back to wasm.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, initBackend } from '../../src/nets/backend.ts';
import { registeredWasmKernels } from '../../src/nets/wasm/register.ts';

const TOL = 1e-4;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

/** Run f on wasm and on cpu (same seeds), return both results as flat arrays. */
async function onBoth(f: () => tf.Tensor[]): Promise<{ wasm: Float32Array[]; cpu: Float32Array[] }> {
  const run = (): Float32Array[] => tf.tidy(() => f().map((t) => t.dataSync() as Float32Array));
  await tf.setBackend('wasm');
  const wasm = run();
  await tf.setBackend('cpu');
  try {
    return { wasm, cpu: run() };
  } finally {
    await tf.setBackend('wasm');
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

async function expectSameGrads(f: () => tf.Tensor[]): Promise<void> {
  const { wasm, cpu } = await onBoth(f);
  expect(wasm.length).toBe(cpu.length);
  for (let i = 0; i < wasm.length; i++) {
    // non-trivial gradients: something to compare
    expect(cpu[i]!.some((v) => Math.abs(v) > 1e-3)).toBe(true);
    expect(maxAbsDiff(wasm[i]!, cpu[i]!)).toBeLessThan(TOL);
  }
}

const rnd = (shape: number[], seed: number): tf.Tensor => tf.randomUniform(shape, -0.5, 0.5, 'float32', seed);

describe('registered wasm kernels', () => {
  it('fill in the kernels wasm lacks', () => {
    for (const k of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'UnsortedSegmentSum', 'Einsum']) {
      expect(registeredWasmKernels).toContain(k);
      expect(tf.getKernel(k, 'wasm')).toBeDefined();
    }
  });
});

describe('conv2d gradients on wasm equal the cpu backend', () => {
  const cases: [string, number, 'same' | 'valid', number, number[], number[]][] = [
    ['stride 1 same', 1, 'same', 1, [2, 7, 6, 3], [3, 3, 3, 4]],
    ['stride 2 same', 2, 'same', 1, [2, 9, 8, 3], [3, 3, 3, 5]],
    ['stride 2 valid', 2, 'valid', 1, [2, 9, 8, 3], [3, 3, 3, 4]],
    ['stride 3 valid, 5x2 filter, unused edge', 3, 'valid', 1, [1, 12, 9, 2], [5, 2, 2, 3]],
    ['stride 2 same, 1x1 filter', 2, 'same', 1, [3, 6, 6, 4], [1, 1, 4, 2]],
    ['dilation 2 same', 1, 'same', 2, [2, 9, 8, 3], [3, 3, 3, 4]],
    ['dilation 3 valid', 1, 'valid', 3, [1, 11, 10, 2], [3, 2, 2, 3]],
  ];
  for (const [name, stride, pad, dil, xs, fs] of cases) {
    it(name, async () => {
      await expectSameGrads(() => {
        const x = rnd(xs, 1) as tf.Tensor4D;
        const f = rnd(fs, 2) as tf.Tensor4D;
        const y = tf.conv2d(x, f, stride, pad, 'NHWC', dil);
        const r = rnd(y.shape, 3);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad, 'NHWC', dil).mul(r).sum())([x, f]);
      });
    });
  }

  it('dilated conv1d (WaveNet style) gradient', async () => {
    await expectSameGrads(() => {
      const x = rnd([2, 16, 3], 4) as tf.Tensor3D;
      const f = rnd([2, 3, 4], 5) as tf.Tensor3D;
      return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv1d(a as tf.Tensor3D, b as tf.Tensor3D, 1, 'valid', 'NWC', 4).square().sum())([x, f]);
    });
  });

  it('conv2dTranspose (uses the replaced Conv2DBackpropInput) forward and gradients', async () => {
    await expectSameGrads(() => {
      const x = rnd([2, 4, 5, 3], 6) as tf.Tensor4D;
      const f = rnd([3, 3, 2, 3], 7) as tf.Tensor4D;
      const y = tf.conv2dTranspose(x, f, [2, 8, 10, 2], 2, 'same');
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [2, 8, 10, 2], 2, 'same').square().sum())([x, f]);
      return [y, ...g];
    });
  });
});

describe('depthwise conv gradients on wasm equal the cpu backend', () => {
  const cases: [string, number, 'same' | 'valid', number, number][] = [
    ['stride 1 same', 1, 'same', 1, 1],
    ['stride 2 same, multiplier 2', 2, 'same', 1, 2],
    ['stride 2 valid', 2, 'valid', 1, 1],
    ['dilation 2 valid, multiplier 3', 1, 'valid', 2, 3],
    ['dilation 2 same', 1, 'same', 2, 1],
  ];
  for (const [name, stride, pad, dil, mult] of cases) {
    it(name, async () => {
      await expectSameGrads(() => {
        const x = rnd([2, 9, 8, 3], 1) as tf.Tensor4D;
        const f = rnd([3, 3, 3, mult], 2) as tf.Tensor4D;
        const y = tf.depthwiseConv2d(x, f, stride, pad, 'NHWC', dil);
        const r = rnd(y.shape, 3);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad, 'NHWC', dil).mul(r).sum())([x, f]);
      });
    });
  }
});

describe('gather / embedding gradient (UnsortedSegmentSum) on wasm equals the cpu backend', () => {
  it('repeated indices add up', async () => {
    await expectSameGrads(() => {
      const table = rnd([6, 4], 1);
      const ids = tf.tensor2d([[1, 2, 1], [5, 1, 0]], [2, 3], 'int32');
      return [tf.grad((t: tf.Tensor) => tf.gather(t, ids).mul(rnd([2, 3, 4], 2)).sum())(table)];
    });
  });

  it('ids out of range are dropped, like TensorFlow', async () => {
    const { wasm, cpu } = await onBoth(() => [tf.unsortedSegmentSum(rnd([5, 3], 1), tf.tensor1d([0, -1, 2, 2, 9], 'int32'), 4)]);
    expect(maxAbsDiff(wasm[0]!, cpu[0]!)).toBeLessThan(TOL);
    expect(Array.from(wasm[0]!.slice(3, 6))).toEqual([0, 0, 0]); // segment 1 got only the dropped -1 row
  });

  it('einsum runs on wasm (cpu delegate)', async () => {
    const { wasm, cpu } = await onBoth(() => [tf.einsum('bij,bjk->bik', rnd([2, 3, 4], 1), rnd([2, 4, 5], 2))]);
    expect(maxAbsDiff(wasm[0]!, cpu[0]!)).toBeLessThan(TOL);
  });
});

describe('training on wasm', () => {
  it('kernels leak no wasm memory', () => {
    const x = rnd([2, 8, 8, 3], 1) as tf.Tensor4D;
    const f = rnd([3, 3, 3, 4], 2) as tf.Tensor4D;
    const dw = rnd([3, 3, 4, 2], 3) as tf.Tensor4D;
    const table = rnd([10, 4], 4);
    const step = (): void =>
      tf.tidy(() => {
        const gs = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, t: tf.Tensor) =>
          tf.depthwiseConv2d(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'), c as tf.Tensor4D, 1, 'same').sum().add(tf.gather(t, tf.tensor1d([1, 1, 3], 'int32')).sum()),
        )([x, f, dw, table]);
        gs.forEach((g) => g.dataSync());
      });
    step();
    const backend = tf.engine().backend;
    const ids = backend.numDataIds();
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(backend.numDataIds()).toBe(ids);
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose([x, f, dw, table]);
  });

  it('a small residual conv net with batch norm, depthwise conv, pooling and an embedding trains (loss falls)', async () => {
    const board = tf.input({ shape: [6, 6, 2] });
    let h = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(board) as tf.SymbolicTensor;
    h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
    h = tf.layers.reLU().apply(h) as tf.SymbolicTensor;
    let r = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 1, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(h) as tf.SymbolicTensor;
    r = tf.layers.batchNormalization().apply(r) as tf.SymbolicTensor;
    h = tf.layers.add().apply([h, r]) as tf.SymbolicTensor;
    h = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthwiseInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.conv2d({ filters: 4, kernelSize: 2, strides: 2, padding: 'valid', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
    const tok = tf.input({ shape: [3] });
    let e = tf.layers.embedding({ inputDim: 5, outputDim: 4, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: 5 }) }).apply(tok) as tf.SymbolicTensor;
    e = tf.layers.flatten().apply(e) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate().apply([h, e]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) }).apply(joined) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [board, tok], outputs: out });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    // Label: whether plane 0 has more stones than plane 1 (learnable from the boards).
    const boards = tf.tidy(() => tf.randomUniform([32, 6, 6, 2], 0, 1, 'float32', 7).greater(0.5).toFloat());
    const toks = tf.tidy(() => tf.randomUniform([32, 3], 0, 5, 'int32', 8).toFloat());
    const labels = tf.tidy(() => {
      const s = boards.sum([1, 2]) as tf.Tensor2D;
      return tf.oneHot(s.slice([0, 0], [-1, 1]).reshape([-1]).greater(s.slice([0, 1], [-1, 1]).reshape([-1])).toInt(), 2);
    });
    const hist = await model.fit([boards, toks], labels, { epochs: 25, batchSize: 32, shuffle: false, verbose: 0 });
    const losses = hist.history['loss'] as number[];
    expect(tf.getBackend()).toBe('wasm');
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.7);
    tf.dispose([boards, toks, labels]);
    model.dispose();
  });
});

describe('matMul with transposed operands on wasm (replaced kernel) equals the cpu backend', () => {
  for (const [ta, tb] of [[true, false], [false, true], [true, true]] as const) {
    it(`transposeA=${ta} transposeB=${tb}, 2-D and batched, with gradients`, async () => {
      await expectSameGrads(() => {
        const a = rnd(ta ? [5, 7] : [7, 5], 11);
        const b = rnd(tb ? [3, 5] : [5, 3], 12);
        const a3 = rnd(ta ? [2, 5, 7] : [2, 7, 5], 13);
        const b3 = rnd(tb ? [2, 3, 5] : [2, 5, 3], 14);
        const r = rnd([7, 3], 15);
        const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D, ta, tb).mul(r).sum())([a, b]);
        return [tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, ta, tb), tf.matMul(a3 as tf.Tensor3D, b3 as tf.Tensor3D, ta, tb), ga!, gb!];
      });
    });
  }
  it('is the registered replacement', () => {
    expect(registeredWasmKernels).toContain('BatchMatMul');
  });
});

describe('tile on wasm (replaced kernel) equals the cpu backend', () => {
  const cases: [number[], number[]][] = [
    [[1, 1, 1, 4], [3, 5, 2, 1]], // batch norm's gradient: a channel vector over [N, H, W, C]
    [[2, 3], [2, 3]],
    [[3, 1, 2], [1, 4, 1]],
    [[2, 2, 2], [1, 1, 1]],
    [[5], [3]],
    [[2, 0, 3], [2, 2, 2]], // empty input, empty output
    [[2, 3], [0, 2]],
  ];
  for (const [shape, reps] of cases) {
    it(`[${shape}] tiled by [${reps}] in float32, int32 and bool, with the gradient`, async () => {
      const { wasm, cpu } = await onBoth(() => {
        const size = shape.reduce((a, b) => a * b, 1);
        const x = rnd(shape, 21);
        const xi = tf.range(0, size, 1, 'int32').reshape(shape);
        const xb = tf.range(0, size, 1, 'int32').mod(3).equal(0).reshape(shape);
        const w = rnd(shape.map((s, i) => s * reps[i]!), 22);
        const g = tf.grad((t: tf.Tensor) => tf.tile(t, reps).mul(w).sum())(x);
        return [tf.tile(x, reps), tf.tile(xi, reps).toFloat(), tf.tile(xb, reps).toFloat(), g];
      });
      for (let i = 0; i < cpu.length; i++) {
        expect(wasm[i]!.length).toBe(cpu[i]!.length);
        expect(maxAbsDiff(wasm[i]!, cpu[i]!)).toBeLessThan(TOL);
      }
      // the outputs hold something to compare
      if (cpu[0]!.length > 0) expect(cpu[1]!.some((v) => v > 0)).toBe(true);
    });
  }
  it('a scalar tiles to itself', async () => {
    const { wasm, cpu } = await onBoth(() => [tf.tile(tf.scalar(2.5), [])]);
    expect(Array.from(wasm[0]!)).toEqual(Array.from(cpu[0]!));
  });
  it('is the registered replacement', () => {
    expect(registeredWasmKernels).toContain('Tile');
  });
});
