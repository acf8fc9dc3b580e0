import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../src/nets/backend.ts';
import { Graph, type Val } from '../../../src/nets/train/graph.ts';
import { grad } from '../../../src/nets/train/autodiff.ts';
import { conv2d } from '../../../src/nets/train/conv.ts';
import { Program, nativeRuntime, nativeRuntimeError } from '../../../src/nets/train/ort.ts';
import { Rng } from '../../../src/util/rng.ts';

beforeAll(async () => void (await initBackend({ backend: 'cpu', quiet: true })));

const ort = nativeRuntime();
if (!ort) console.warn(`onnxruntime-node does not load here (${nativeRuntimeError()}): graph gradient tests skipped`);

/** Random values away from the kinks of relu/abs/min (ties are measure-zero, but keep them out). */
function randn(n: number, rng: Rng, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => {
    const v = rng.normal() * scale;
    return Math.abs(v) < 1e-3 ? 0.01 : v;
  });
}

interface Case {
  inputs: Record<string, { shape: number[]; data: Float32Array }>;
  /** Which inputs are differentiated. */
  params: string[];
  /** The loss as graph ops... */
  graph(g: Graph, v: Record<string, Val>): Val;
  /** ...and as tfjs ops. */
  tfjs(v: Record<string, tf.Tensor>): tf.Scalar;
}

/** Gradients from the graph (run by onnxruntime, batch dimension symbolic) and from tf.variableGrads. */
function both(c: Case): { ours: Float32Array[]; theirs: Float32Array[]; lossOurs: number; lossTheirs: number } {
  const g = new Graph();
  const v: Record<string, Val> = {};
  // Parameters have static shapes, as in the agents; data inputs a symbolic batch dimension.
  for (const [k, x] of Object.entries(c.inputs)) v[k] = g.input(k, c.params.includes(k) || x.shape.length === 0 ? x.shape : ['N', ...x.shape.slice(1)]);
  const loss = c.graph(g, v);
  g.output('loss', loss);
  grad(g, loss, c.params.map((k) => v[k]!)).forEach((d, i) => g.output(`d${i}`, d));
  const p = new Program(g.toOnnx());
  const feeds = Object.fromEntries(Object.entries(c.inputs).map(([k, x]) => [k, p.tensor(x.data, x.shape)]));
  const r = p.run(feeds, Object.fromEntries(['loss', ...c.params.map((_, i) => `d${i}`)].map((k) => [k, null])));
  p.dispose();
  const vars = c.params.map((k) => tf.variable(tf.tensor(c.inputs[k]!.data, c.inputs[k]!.shape)));
  const res = tf.tidy(() => {
    const t: Record<string, tf.Tensor> = {};
    for (const [k, x] of Object.entries(c.inputs)) t[k] = c.params.includes(k) ? vars[c.params.indexOf(k)]! : tf.tensor(x.data, x.shape);
    const { value, grads } = tf.variableGrads(() => c.tfjs(t), vars);
    return { loss: value.dataSync()[0]!, grads: vars.map((x) => grads[x.name]!.dataSync() as Float32Array) };
  });
  vars.forEach((x) => x.dispose());
  return { ours: c.params.map((_, i) => r[`d${i}`]!.data as Float32Array), theirs: res.grads, lossOurs: (r['loss']!.data as Float32Array)[0]!, lossTheirs: res.loss };
}

function expectClose(a: Float32Array, b: Float32Array, tol = 2e-5): void {
  expect(a.length).toBe(b.length);
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(tol * Math.max(1, scale));
}

describe.skipIf(!ort)('graph gradients (onnxruntime) equal tf.variableGrads', () => {
  const rng = new Rng(7);
  const N = 6;

  it('an MLP (tanh and relu layers, Gemm with bias) under a policy-gradient loss with logSoftmax, mask and entropy', () => {
    const mask = new Float32Array(N * 3);
    for (let i = 0; i < N; i++) mask[i * 3 + (i % 3)] = 1;
    const r = both({
      inputs: { x: { shape: [N, 4], data: randn(N * 4, rng) }, w1: { shape: [4, 5], data: randn(20, rng, 0.5) }, b1: { shape: [5], data: randn(5, rng, 0.1) }, w2: { shape: [5, 5], data: randn(25, rng, 0.5) }, b2: { shape: [5], data: randn(5, rng, 0.1) }, w3: { shape: [5, 3], data: randn(15, rng, 0.5) }, b3: { shape: [3], data: randn(3, rng, 0.1) }, mask: { shape: [N, 3], data: mask }, adv: { shape: [N], data: randn(N, rng) } },
      params: ['w1', 'b1', 'w2', 'b2', 'w3', 'b3'],
      graph: (g, v) => {
        const h = g.relu(g.gemm(g.tanh(g.gemm(v['x']!, v['w1']!, v['b1']!)), v['w2']!, v['b2']!));
        const logp = g.logSoftmax(g.gemm(h, v['w3']!, v['b3']!));
        const lp = g.reduceSum(g.mul(logp, v['mask']!), [1]);
        const ent = g.neg(g.reduceSum(g.mul(g.exp(logp), logp), [1]));
        return g.add(g.neg(g.reduceMean(g.mul(v['adv']!, lp))), g.mul(g.neg(g.reduceMean(ent)), 0.01));
      },
      tfjs: (t) => {
        const h = tf.relu(tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(t['x'] as tf.Tensor2D, t['w1'] as tf.Tensor2D), t['b1']!)) as tf.Tensor2D, t['w2'] as tf.Tensor2D), t['b2']!));
        const logp = tf.logSoftmax(tf.add(tf.matMul(h as tf.Tensor2D, t['w3'] as tf.Tensor2D), t['b3']!));
        const lp = tf.sum(tf.mul(logp, t['mask']!), 1);
        const ent = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1));
        return tf.add(tf.neg(tf.mean(tf.mul(t['adv']!, lp))), tf.mul(tf.neg(tf.mean(ent)), 0.01)) as tf.Scalar;
      },
    });
    expect(r.lossOurs).toBeCloseTo(r.lossTheirs, 5);
    r.ours.forEach((d, i) => expectClose(d, r.theirs[i]!));
  });

  it('min, clip, abs, div, sqrt, square and broadcasting (PPO clipping, Huber, Gaussian log-probabilities)', () => {
    const r = both({
      inputs: { a: { shape: [N, 2], data: randn(2 * N, rng) }, s: { shape: [2], data: randn(2, rng, 0.3) }, w: { shape: [2, 1], data: randn(2, rng) }, u: { shape: [N], data: randn(N, rng) }, k: { shape: [], data: Float32Array.of(0.7) } },
      params: ['s', 'w'],
      graph: (g, v) => {
        const u = g.add(g.reshape(g.gemm(v['a']!, v['w']!), [-1], ['N']), v['u']!);
        v = { ...v, u };
        const z = g.div(v['a']!, g.exp(v['s']!));
        const lp = g.reduceSum(g.sub(g.mul(g.mul(z, z), -0.5), g.add(v['s']!, 0.9)), [1]);
        const ratio = g.exp(g.sub(lp, v['u']!));
        const pg = g.reduceMean(g.min(g.mul(v['u']!, ratio), g.mul(v['u']!, g.clip(ratio, 0.8, 1.2))));
        const d = g.abs(g.sub(v['u']!, g.sqrt(g.add(g.mul(v['u']!, v['u']!), 1))));
        const c = g.min(d, 1);
        return g.add(g.add(pg, g.reduceMean(g.add(g.mul(g.mul(c, c), 0.5), g.sub(d, c)))), g.mul(g.reduceSum(v['s']!), v['k']!));
      },
      tfjs: (t) => {
        t = { ...t, u: tf.add(tf.reshape(tf.matMul(t['a'] as tf.Tensor2D, t['w'] as tf.Tensor2D), [-1]), t['u']!) };
        const z = tf.div(t['a']!, tf.exp(t['s']!));
        const lp = tf.sum(tf.sub(tf.mul(tf.square(z), -0.5), tf.add(t['s']!, 0.9)), 1);
        const ratio = tf.exp(tf.sub(lp, t['u']!));
        const pg = tf.mean(tf.minimum(tf.mul(t['u']!, ratio), tf.mul(t['u']!, tf.clipByValue(ratio, 0.8, 1.2))));
        const d = tf.abs(tf.sub(t['u']!, tf.sqrt(tf.add(tf.mul(t['u']!, t['u']!), 1))));
        const c = tf.minimum(d, 1);
        return tf.add(tf.add(pg, tf.mean(tf.add(tf.mul(tf.square(c), 0.5), tf.sub(d, c)))), tf.mul(tf.sum(t['s']!), t['k']!)) as tf.Scalar;
      },
    });
    expect(r.lossOurs).toBeCloseTo(r.lossTheirs, 5);
    r.ours.forEach((d, i) => expectClose(d, r.theirs[i]!));
  });

  it('reshape, transpose, concat, slice, pad and expand', () => {
    const r = both({
      inputs: { x: { shape: [N, 6], data: randn(6 * N, rng) }, w: { shape: [3, 2], data: randn(6, rng) } },
      params: ['x', 'w'],
      graph: (g, v) => {
        const t = g.transpose(g.reshape(v['x']!, [0, 2, 3]), [0, 2, 1]); // [N, 3, 2]
        const a = g.pad(g.slice(t, [1], [3], [1]), [0, 1, 0, 0, 0, 0]); // [N, 3, 2]
        const y = g.concat([a, g.expandAs(g.reshape(v['w']!, [1, 3, 2]), t)], 1); // [N, 6, 2]
        return g.reduceSum(g.mul(g.reduceSum(y, [1]), g.reduceSum(t, [1])));
      },
      tfjs: (t) => {
        const tt = tf.transpose(tf.reshape(t['x']!, [N, 2, 3]), [0, 2, 1]);
        const a = tf.pad(tf.slice(tt, [0, 1, 0], [N, 2, 2]), [[0, 0], [1, 0], [0, 0]]);
        const y = tf.concat([a, tf.tile(tf.reshape(t['w']!, [1, 3, 2]), [N, 1, 1])], 1);
        return tf.sum(tf.mul(tf.sum(y, 1), tf.sum(tt, 1))) as tf.Scalar;
      },
    });
    expect(r.lossOurs).toBeCloseTo(r.lossTheirs, 4);
    r.ours.forEach((d, i) => expectClose(d, r.theirs[i]!));
  });

  for (const [k, recompute] of [[3, false], [3, true], [1, false], [5, false]] as const) {
    it(`a ${k}x${k} convolution as im2col + GEMM (input, kernel and bias gradients${recompute ? ', columns gathered again' : ''}) equals tf.conv2d 'same'`, () => {
      const [n, h, w, ci, co] = [3, 4, 5, 3, 4];
      const r = both({
        inputs: { x: { shape: [n * h * w, ci], data: randn(n * h * w * ci, rng) }, k: { shape: [k, k, ci, co], data: randn(k * k * ci * co, rng, 0.5) }, b: { shape: [co], data: randn(co, rng) }, t: { shape: [n * h * w, co], data: randn(n * h * w * co, rng) } },
        params: ['x', 'k', 'b', 't'],
        graph: (g, v) => g.reduceSum(g.mul(g.tanh(conv2d(g, v['x']!, v['k']!, v['b']!, { n, h, w, k }, recompute)), v['t']!)),
        tfjs: (t) => {
          const y = tf.add(tf.conv2d(tf.reshape(t['x']!, [n, h, w, ci]) as tf.Tensor4D, t['k'] as tf.Tensor4D, 1, 'same'), t['b']!);
          return tf.sum(tf.mul(tf.tanh(tf.reshape(y, [n * h * w, co])), t['t']!)) as tf.Scalar;
        },
      });
      expect(r.lossOurs).toBeCloseTo(r.lossTheirs, 4);
      r.ours.forEach((d, i) => expectClose(d, r.theirs[i]!));
    });
  }
});
