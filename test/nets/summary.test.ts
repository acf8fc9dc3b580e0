import { beforeAll, describe, expect, it } from 'vitest';
import { tf, initBackend } from '../../src/nets/backend.ts';
import { buildResNet } from '../../src/nets/resnet.ts';
import { buildLeePolicyNet, buildLeeValueNet } from '../../src/nets/lee-nets.ts';
import { formatSummary, layerMacs, summarizeModel } from '../../src/nets/summary.ts';
import { buildArch, getArch, registerArch, resolveArchOptions } from '../../src/nets/archs.ts';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
});

// Hand formulas from the architecture description (not from the code):
const conv = (k: number, cin: number, cout: number, bias = false): number => k * k * cin * cout + (bias ? cout : 0);
const dense = (nin: number, nout: number): number => nin * nout + nout;
const bn = (c: number) => ({ trainable: 2 * c, non: 2 * c }); // gamma, beta | moving mean, moving variance

function resnetCounts(B: number, F: number, N: number, P: number, A: number) {
  const pts = N * N;
  const bns = [F, ...Array<number>(2 * (B - 1)).fill(F), 2, 1];
  const weights = conv(3, P, F) + (B - 1) * 2 * conv(3, F, F) + conv(1, F, 2) + dense(2 * pts, A) + conv(1, F, 1) + dense(pts, 256) + dense(256, 1);
  const trainable = weights + bns.reduce((a, c) => a + bn(c).trainable, 0);
  const non = bns.reduce((a, c) => a + bn(c).non, 0);
  const macs = pts * (9 * P * F + (B - 1) * 2 * 9 * F * F + 2 * F + F) + 2 * pts * A + pts * 256 + 256;
  return { total: trainable + non, trainable, non, macs };
}

describe('parameter counts', () => {
  it('matches the AlphaGo Zero 20-block, 256-filter, 19x19, 17-plane net', () => {
    const model = buildResNet({ blocks: 20, filters: 256, inputShape: [19, 19, 17], numActions: 362 });
    const s = summarizeModel(model);
    const want = resnetCounts(20, 256, 19, 17, 362);
    expect(s.totalParams).toBe(want.total);
    expect(s.trainableParams).toBe(want.trainable);
    expect(s.nonTrainableParams).toBe(want.non);
    expect(s.totalParams).toBe(model.countParams());
    expect(s.macs).toBe(want.macs);
    // 19 residual blocks: 2 convs each, plus the stem and the two head convs
    expect(s.rows.filter((r) => r.type === 'Conv2D')).toHaveLength(1 + 2 * 19 + 2);
    const text = formatSummary(s);
    expect(text).toContain(`Total params: ${want.total}\n`);
    expect(text).toContain(`Trainable params: ${want.trainable}\n`);
    expect(text).toContain(`Non-trainable params: ${want.non}\n`);
    model.dispose();
  });

  it.each([
    [1, 8, 3, 3, 9],
    [3, 16, 6, 2, 7],
    [6, 64, 9, 17, 82],
  ])('matches the formula for blocks=%i filters=%i board=%i planes=%i actions=%i', (B, F, N, P, A) => {
    const model = buildResNet({ blocks: B, filters: F, inputShape: [N, N, P], numActions: A });
    const s = summarizeModel(model);
    const want = resnetCounts(B, F, N, P, A);
    expect([s.totalParams, s.trainableParams, s.nonTrainableParams, s.macs]).toEqual([want.total, want.trainable, want.non, want.macs]);
    model.dispose();
  });

  it('counts the AlphaGo Lee policy and value nets (13 conv layers, k=192, 19x19)', () => {
    const k = 192;
    const polNet = buildLeePolicyNet({ board: 19, planes: 48, filters: k });
    const pol = summarizeModel(polNet);
    // layer 1: 5x5 conv with bias; layers 2..12: 3x3 with bias; layer 13: 1x1, 1 filter, no shared bias; a bias per point
    expect(pol.totalParams).toBe(conv(5, 48, k, true) + 11 * conv(3, k, k, true) + conv(1, k, 1) + 19 * 19);
    expect(pol.nonTrainableParams).toBe(0);
    expect(pol.rows.filter((r) => r.type === 'Conv2D')).toHaveLength(13);
    const valNet = buildLeeValueNet({ board: 19, planes: 49, filters: k });
    const val = summarizeModel(valNet);
    // layers 1..12 as the policy trunk, 1x1 conv with bias, dense 256, dense 1
    expect(val.totalParams).toBe(conv(5, 49, k, true) + 11 * conv(3, k, k, true) + conv(1, k, 1, true) + dense(361, 256) + dense(256, 1));
    expect(val.rows.filter((r) => r.type === 'Conv2D' || r.type === 'Dense')).toHaveLength(15);
    polNet.dispose();
    valNet.dispose();
  });

  it('adds one pass logit to the Lee policy net on request', () => {
    const m = buildLeePolicyNet({ board: 5, planes: 4, filters: 3, layers: 3, pass: true });
    expect(m.outputs[0]!.shape).toEqual([null, 26]);
    expect(summarizeModel(m).totalParams).toBe(conv(5, 4, 3, true) + conv(3, 3, 3, true) + conv(1, 3, 1) + 25 + dense(25, 1));
    m.dispose();
  });
});

describe('multiply-add counter', () => {
  it('counts depthwise, separable, strided conv and per-position dense layers of any model', () => {
    const x = tf.input({ shape: [8, 8, 4] });
    let y = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', name: 'dw' }).apply(x) as tf.SymbolicTensor;
    y = tf.layers.separableConv2d({ filters: 6, kernelSize: 3, padding: 'same', name: 'sep' }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'valid', name: 'strided' }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.dense({ units: 7, name: 'perpos' }).apply(y) as tf.SymbolicTensor;
    const m = tf.model({ inputs: x, outputs: y });
    const macs = Object.fromEntries(m.layers.map((l) => [l.name, layerMacs(l)]));
    expect(macs['dw']).toBe(8 * 8 * 4 * 2 * 9);
    expect(macs['sep']).toBe(8 * 8 * 8 * 9 + 8 * 8 * 8 * 6);
    expect(macs['strided']).toBe(3 * 3 * 5 * 9 * 6); // valid, stride 2: (8-3)/2+1 = 3
    expect(macs['perpos']).toBe(3 * 3 * 5 * 7);
    expect(summarizeModel(m).macs).toBe(macs['dw']! + macs['sep']! + macs['strided']! + macs['perpos']!);
    m.dispose();
  });
});

describe('generic models', () => {
  it('counts nested models and frozen layers as Keras does', () => {
    const inner = tf.sequential({
      layers: [tf.layers.conv2d({ inputShape: [5, 5, 2], filters: 3, kernelSize: 3, padding: 'same' }), tf.layers.batchNormalization()],
    });
    const x = tf.input({ shape: [5, 5, 2] });
    const y = tf.layers.flatten().apply(inner.apply(x) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const m = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 4 }).apply(y) as tf.SymbolicTensor });
    inner.layers[0]!.trainable = false;
    const s = summarizeModel(m);
    const frozenConv = conv(3, 2, 3, true);
    expect(s.nonTrainableParams).toBe(frozenConv + bn(3).non);
    expect(s.trainableParams).toBe(bn(3).trainable + dense(75, 4));
    expect(s.totalParams).toBe(m.countParams());
    expect(s.macs).toBe(25 * 9 * 2 * 3 + 75 * 4);
    m.dispose();
  });
});

describe('arch registry', () => {
  it('derives resnet actions from the board (points + pass) and rejects options an arch does not take', () => {
    expect(resolveArchOptions(getArch('resnet'), { board: 9 })['actions']).toBe(82);
    expect(() => resolveArchOptions(getArch('lee-policy'), { blocks: 3 })).toThrow(/takes no --blocks option/);
    expect(() => resolveArchOptions(getArch('resnet'), { filters: 0 })).toThrow(/--filters must be an integer >= 1/);
    expect(() => resolveArchOptions(getArch('resnet'), { blocks: 2.5 })).toThrow(/integer/);
    expect(() => getArch('nope')).toThrow(/unknown arch 'nope'; known archs: .*resnet/);
  });

  it('lets other modules register an arch', () => {
    registerArch({
      name: 'test-mlp',
      description: 'a two-layer perceptron',
      options: [{ name: 'hidden', description: 'hidden units', default: 4, min: 1 }],
      build: (o) => tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: o['hidden']! }), tf.layers.dense({ units: 2 })] }),
    });
    const m = buildArch('test-mlp', { hidden: 5 });
    expect(summarizeModel(m).totalParams).toBe(dense(3, 5) + dense(5, 2));
    expect(() => registerArch({ ...getArch('test-mlp') })).toThrow(/already registered/);
  });
});
