import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, initBackend } from '../../src/nets/backend.ts';
import * as ort from 'onnxruntime-node';
import { buildResNet } from '../../src/nets/resnet.ts';
import { buildLeePolicyNet } from '../../src/nets/lee-nets.ts';
import { exportOnnx, toOnnxBytes } from '../../src/nets/onnx-export.ts';
import { OnnxEvaluator } from '../../src/nets/onnx-evaluator.ts';
import { NetEvaluator } from '../../src/nets/evaluator.ts';
import { createBestEvaluatorWithReason } from '../../src/nets/best-evaluator.ts';
import { makeGame } from '../../src/env/games/index.ts';
import { Rng } from '../../src/util/rng.ts';
import type { State } from '../../src/env/games/game.ts';
import { maxAbsDiff, randomFloats, randomizeBatchNorm } from './helpers.ts';

let dir = '';
beforeAll(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
  dir = mkdtempSync(join(tmpdir(), 'tengen-onnx-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tfOutputs(model: tf.LayersModel, obs: Float32Array, n: number): Float32Array[] {
  const [, r, c, p] = model.inputs[0]!.shape as number[];
  return tf.tidy(() => {
    const out = model.predict(tf.tensor4d(obs, [n, r!, c!, p!]));
    return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
  });
}

async function ortOutputs(bytes: Uint8Array, names: string[], obs: Float32Array, dims: number[]): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ planes: new ort.Tensor('float32', obs, dims) });
  await session.release();
  return names.map((n) => out[n]!.data as Float32Array);
}

describe('ONNX export', () => {
  it('gives the same policy logits and value as tfjs, with batch norm folded into the convs', async () => {
    const model = buildResNet({ blocks: 3, filters: 16, inputShape: [7, 6, 5], numActions: 43, seed: 3 });
    randomizeBatchNorm(model, 11);
    const n = 5;
    const obs = randomFloats(n * 7 * 6 * 5, 12);
    const bytes = toOnnxBytes(model);
    const [pOrt, vOrt] = await ortOutputs(bytes, ['policy', 'value'], obs, [n, 7, 6, 5]);
    const [pTf, vTf] = tfOutputs(model, obs, n);
    expect(pOrt!.length).toBe(n * 43);
    expect(maxAbsDiff(pOrt!, pTf!)).toBeLessThan(1e-4);
    expect(maxAbsDiff(vOrt!, vTf!)).toBeLessThan(1e-4);
    // folding: no BatchNormalization node survives in the graph
    expect(Buffer.from(bytes).includes(Buffer.from('BatchNormalization'))).toBe(false);
    model.dispose();
  });

  for (const numActions of [26, 25]) {
    it(`gives the same outputs as tfjs for the convolutional policy head (${numActions === 26 ? 'with' : 'without'} a pass logit)`, async () => {
      const model = buildResNet({ blocks: 2, filters: 8, inputShape: [5, 5, 3], numActions, seed: 8, policyHead: 'conv' });
      randomizeBatchNorm(model, 13);
      const n = 4;
      const obs = randomFloats(n * 5 * 5 * 3, 14);
      const [pOrt, vOrt] = await ortOutputs(toOnnxBytes(model), ['policy', 'value'], obs, [n, 5, 5, 3]);
      const [pTf, vTf] = tfOutputs(model, obs, n);
      expect(pOrt!.length).toBe(n * numActions);
      expect(maxAbsDiff(pOrt!, pTf!)).toBeLessThan(1e-4);
      expect(maxAbsDiff(vOrt!, vTf!)).toBeLessThan(1e-4);
      model.dispose();
    });
  }

  it('exports the Lee policy net (position bias, pass logit, softmax) with equal probabilities', async () => {
    const model = buildLeePolicyNet({ board: 5, planes: 6, filters: 8, layers: 4, pass: true, seed: 4 });
    const bias = model.getLayer('position_bias');
    bias.setWeights([tf.tensor3d(randomFloats(25, 5), [5, 5, 1])]);
    const obs = randomFloats(3 * 5 * 5 * 6, 6);
    const [pOrt] = await ortOutputs(toOnnxBytes(model), ['policy'], obs, [3, 5, 5, 6]);
    const [pTf] = tfOutputs(model, obs, 3);
    expect(maxAbsDiff(pOrt!, pTf!)).toBeLessThan(1e-5);
    model.dispose();
  });

  it('exports depthwise and strided convolutions, a standalone batch norm and a channel softmax', async () => {
    const x = tf.input({ shape: [7, 7, 3] });
    let y = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', name: 'dw' }).apply(x) as tf.SymbolicTensor;
    y = tf.layers.batchNormalization({ name: 'dw_bn' }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.reLU({ name: 'dw_relu' }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'strided' }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.batchNormalization({ name: 'after_relu_bn' }).apply(y) as tf.SymbolicTensor; // not foldable: after an activation
    const soft = tf.layers.activation({ activation: 'softmax', name: 'channel_softmax' }).apply(y) as tf.SymbolicTensor;
    const flat = tf.layers.flatten({ name: 'flat' }).apply(y) as tf.SymbolicTensor;
    const head = tf.layers.dense({ units: 3, activation: 'sigmoid', name: 'head' }).apply(flat) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: [head, soft] });
    randomizeBatchNorm(model, 21);
    const obs = randomFloats(2 * 7 * 7 * 3, 22);
    const bytes = toOnnxBytes(model);
    const got = await ortOutputs(bytes, ['head', 'channel_softmax'], obs, [2, 7, 7, 3]);
    const want = tfOutputs(model, obs, 2);
    expect(got[1]!.length).toBe(2 * 4 * 4 * 5);
    expect(maxAbsDiff(got[0]!, want[0]!)).toBeLessThan(1e-4);
    expect(maxAbsDiff(got[1]!, want[1]!)).toBeLessThan(1e-4);
    expect(Buffer.from(bytes).includes(Buffer.from('BatchNormalization'))).toBe(true);
    model.dispose();
  });

  it('writes the file atomically and names an unsupported layer', () => {
    const model = buildResNet({ blocks: 1, filters: 4, inputShape: [3, 3, 2], numActions: 9 });
    const path = join(dir, 'net.onnx');
    const bytes = exportOnnx(model, path);
    expect(Buffer.compare(readFileSync(path), Buffer.from(bytes))).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const x = tf.input({ shape: [4, 4, 2] });
    const odd = tf.model({ inputs: x, outputs: tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }).apply(x) as tf.SymbolicTensor });
    expect(() => toOnnxBytes(odd)).toThrow(/layer 'pool' of type MaxPooling2D is not supported/);
    model.dispose();
  });
});

function positions(count: number, seed: number): State[] {
  const game = makeGame('connect4');
  const rng = new Rng(seed);
  const out: State[] = [];
  while (out.length < count) {
    const s = game.newInitialState();
    const moves = rng.int(12);
    for (let i = 0; i < moves && !s.isTerminal(); i++) {
      const legal = s.legalActions();
      s.applyAction(legal[rng.int(legal.length)]!);
    }
    if (!s.isTerminal()) out.push(s);
  }
  return out;
}

describe('OnnxEvaluator', () => {
  it('evaluates game states like the tfjs NetEvaluator, and follows weight changes after refresh()', async () => {
    const game = makeGame('connect4');
    const model = buildResNet({ blocks: 2, filters: 8, inputShape: game.observationShape, numActions: game.numActions, seed: 7 });
    randomizeBatchNorm(model, 8);
    const states = positions(10, 9);
    const onnxEv = await OnnxEvaluator.create(game, model, { intraOpNumThreads: 1 });
    const tfEv = new NetEvaluator(game, model);
    const compare = async (): Promise<number> => {
      const [a, b] = await Promise.all([onnxEv.evaluate(states), tfEv.evaluate(states)]);
      let d = maxAbsDiff(a.value, b.value);
      a.policy.forEach((p, i) => (d = Math.max(d, maxAbsDiff(p, b.policy[i]!))));
      return d;
    };
    expect(await compare()).toBeLessThan(1e-4);

    // change the weights: the old session is stale until refresh()
    const dense = model.getLayer('value');
    const [k, bias] = dense.getWeights();
    dense.setWeights([tf.mul(k!, -3), tf.add(bias!, 0.5)]);
    expect(await compare()).toBeGreaterThan(1e-3);
    await onnxEv.refresh();
    expect(await compare()).toBeLessThan(1e-4);
    await onnxEv.dispose();
    model.dispose();
  });

  it('lets evaluations in flight finish when refresh() or dispose() replaces the session', async () => {
    const game = makeGame('connect4');
    const model = buildResNet({ blocks: 2, filters: 8, inputShape: game.observationShape, numActions: game.numActions, seed: 13 });
    const ev = await OnnxEvaluator.create(game, model);
    const states = positions(64, 14);
    const inFlight = [ev.evaluate(states), ev.evaluate(states)];
    await ev.refresh();
    const third = ev.evaluate(states);
    const done = await Promise.all([...inFlight, third]);
    done.forEach((d) => expect(d.value.length).toBe(64));
    const last = ev.evaluate(states);
    await ev.dispose();
    expect((await last).policy).toHaveLength(64);
    await expect(ev.evaluate(states)).rejects.toThrow(/used after dispose/);
    model.dispose();
  });

  it('is what createBestEvaluator picks here, and falls back to tfjs when the model cannot be exported', async () => {
    const game = makeGame('tictactoe');
    const model = buildResNet({ blocks: 1, filters: 4, inputShape: game.observationShape, numActions: game.numActions });
    const best = await createBestEvaluatorWithReason(game, model);
    expect(best.evaluator.kind).toBe('onnxruntime');
    expect(best.fallbackReason).toBeUndefined();
    await best.evaluator.dispose();

    const [r, c, p] = game.observationShape;
    const x = tf.input({ shape: [r, c, p] });
    const h = tf.layers.flatten().apply(tf.layers.maxPooling2d({ poolSize: 1 }).apply(x)) as tf.SymbolicTensor;
    const odd = tf.model({ inputs: x, outputs: [tf.layers.dense({ units: game.numActions }).apply(h) as tf.SymbolicTensor, tf.layers.dense({ units: 1, activation: 'tanh' }).apply(h) as tf.SymbolicTensor] });
    const fallback = await createBestEvaluatorWithReason(game, odd);
    expect(fallback.evaluator.kind).toMatch(/^tfjs-/);
    expect(fallback.fallbackReason).toMatch(/MaxPooling2D is not supported/);
    const ev = await fallback.evaluator.evaluate([game.newInitialState()]);
    expect(ev.policy[0]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    model.dispose();
    odd.dispose();
  });
});
