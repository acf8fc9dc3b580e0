/**
 * Reverse-mode differentiation of a Graph (./graph.ts): `grad(g, loss, wrt)` appends the backward
 * pass to the same graph and returns d loss / d wrt[i] as graph values.
 *
 * Each rule below is the vector-Jacobian product of one op, written to match the gradient tfjs
 * registers for the same op (ties included: tf.minimum sends the gradient to `a` where a <= b,
 * tf.abs has slope -1 at 0, tf.clipByValue passes it where lo <= x <= hi), so a loss differentiated
 * here agrees with tf.variableGrads on the same loss to float rounding. Nodes marked `nondiff`
 * (comparisons, argmax, stopGradient) block the gradient, as values computed outside
 * tf.variableGrads do.
 */
import { type Dim, type Graph, type GraphNode, type Val, sameShape } from './graph.ts';

/** Sum `grad` over the axes it was broadcast along, giving `target`'s shape. */
export function unbroadcast(g: Graph, grad: Val, target: readonly Dim[]): Val {
  if (sameShape(grad.shape, target)) return grad;
  const lead = grad.shape.length - target.length;
  let r = grad;
  if (lead > 0) r = g.reduceSum(r, Array.from({ length: lead }, (_, i) => i), false);
  const axes: number[] = [];
  target.forEach((d, i) => {
    if (d === 1 && r.shape[i] !== 1) axes.push(i);
  });
  if (axes.length > 0) r = g.reduceSum(r, axes, true);
  return r;
}

/** Insert size-1 axes (ONNX Unsqueeze; `axes` refer to the output). */
function unsqueeze(g: Graph, x: Val, axes: number[], like: readonly Dim[]): Val {
  const shape = like.map((d, i) => (axes.includes(i) ? 1 : d));
  return g.addNode('Unsqueeze', [x], {}, shape, x.dtype, { extraInputs: [g.ints(axes)], meta: { axes } });
}

/** The number of elements a reduction over `axes` of x averages (a constant when static). */
function count(g: Graph, x: Val, axes: number[]): Val {
  const dims = axes.map((a) => x.shape[a]!);
  if (dims.every((d) => typeof d === 'number')) return g.constant((dims as number[]).reduce((a, b) => a * b, 1));
  const shape = g.addNode('Shape', [x], {}, [x.shape.length], 'int64', { nondiff: true });
  const picked = g.addNode('Gather', [shape], { axis: 0 }, [axes.length], 'int64', { nondiff: true, extraInputs: [g.ints(axes)] });
  const prod = g.addNode('ReduceProd', [picked], { keepdims: 0 }, [], 'int64', { nondiff: true });
  return g.cast(prod, 'float32');
}

export type GradRule = (g: Graph, n: GraphNode, dy: Val) => (Val | null)[];

const RULES: Record<string, GradRule> = {
  Identity: (_g, _n, dy) => [dy],
  Add: (g, n, dy) => [unbroadcast(g, dy, n.inputs[0]!.shape), unbroadcast(g, dy, n.inputs[1]!.shape)],
  Sub: (g, n, dy) => [unbroadcast(g, dy, n.inputs[0]!.shape), unbroadcast(g, g.neg(dy), n.inputs[1]!.shape)],
  Mul: (g, n, dy) => {
    const [a, b] = n.inputs as [Val, Val];
    return [unbroadcast(g, g.mul(dy, b), a.shape), unbroadcast(g, g.mul(dy, a), b.shape)];
  },
  Div: (g, n, dy) => {
    const [a, b] = n.inputs as [Val, Val];
    return [unbroadcast(g, g.div(dy, b), a.shape), unbroadcast(g, g.neg(g.div(g.mul(dy, a), g.mul(b, b))), b.shape)];
  },
  Min: (g, n, dy) => {
    const [a, b] = n.inputs as [Val, Val];
    const toA = g.lessOrEqual(a, b);
    return [unbroadcast(g, g.where(toA, dy, 0), a.shape), unbroadcast(g, g.where(toA, 0, dy), b.shape)];
  },
  Max: (g, n, dy) => {
    const [a, b] = n.inputs as [Val, Val];
    const toA = g.greaterOrEqual(a, b);
    return [unbroadcast(g, g.where(toA, dy, 0), a.shape), unbroadcast(g, g.where(toA, 0, dy), b.shape)];
  },
  Where: (g, n, dy) => {
    const [c, a, b] = n.inputs as [Val, Val, Val];
    return [null, unbroadcast(g, g.where(c, dy, 0), a.shape), unbroadcast(g, g.where(c, 0, dy), b.shape)];
  },
  Neg: (g, _n, dy) => [g.neg(dy)],
  Exp: (g, n, dy) => [g.mul(dy, n.output)],
  Log: (g, n, dy) => [g.div(dy, n.inputs[0]!)],
  Sqrt: (g, n, dy) => [g.div(dy, g.mul(n.output, 2))],
  Tanh: (g, n, dy) => [g.mul(dy, g.sub(1, g.mul(n.output, n.output)))],
  // dy * (y > 0) as a Cast mask: onnxruntime's Where is several times slower on large tensors.
  Relu: (g, n, dy) => [g.mul(dy, g.cast(g.greater(n.output, 0), 'float32'))],
  Abs: (g, n, dy) => [g.where(g.greater(n.inputs[0]!, 0), dy, g.neg(dy))],
  Clip: (g, n, dy) => {
    const [x, lo, hi] = n.inputs as [Val, Val, Val];
    return [g.where(g.and(g.greaterOrEqual(x, lo), g.lessOrEqual(x, hi)), dy, 0), null, null];
  },
  Cast: (_g, _n, dy) => [dy],
  Gemm: (g, n, dy) => {
    const [a, b, c] = n.inputs as [Val, Val, Val | undefined];
    const tA = n.attrs['transA'] === 1;
    const tB = n.attrs['transB'] === 1;
    // Y = A' B' with A' = tA ? A^T : A, B' = tB ? B^T : B.
    const da = tA ? g.gemm(b, dy, undefined, tB, true) : g.gemm(dy, b, undefined, false, !tB);
    const db = tB ? g.gemm(dy, a, undefined, true, tA) : g.gemm(a, dy, undefined, !tA, false);
    return c ? [da, db, unbroadcast(g, dy, c.shape)] : [da, db];
  },
  ReduceSum: (g, n, dy) => {
    const x = n.inputs[0]!;
    const axes = n.attrs['axes'] as number[];
    const kept = n.attrs['keepdims'] === 1 ? dy : unsqueeze(g, dy, axes, x.shape);
    return [g.expandAs(kept, x)];
  },
  ReduceMean: (g, n, dy) => {
    const x = n.inputs[0]!;
    const axes = n.attrs['axes'] as number[];
    const kept = n.attrs['keepdims'] === 1 ? dy : unsqueeze(g, dy, axes, x.shape);
    return [g.expandAs(g.div(kept, count(g, x, axes)), x)];
  },
  LogSoftmax: (g, n, dy) => {
    const axis = n.attrs['axis'] as number;
    return [g.sub(dy, g.mul(g.exp(n.output), g.reduceSum(dy, [axis], true)))];
  },
  Reshape: (g, n, dy) => {
    const x = n.inputs[0]!;
    const shape = g.addNode('Shape', [x], {}, [x.shape.length], 'int64', { nondiff: true });
    return [g.addNode('Reshape', [dy], {}, [...x.shape], dy.dtype, { extraInputs: [shape] })];
  },
  Transpose: (g, n, dy) => {
    const perm = n.attrs['perm'] as number[];
    const inv = perm.map((_, i) => perm.indexOf(i));
    return [g.transpose(dy, inv)];
  },
  Expand: (g, n, dy) => [unbroadcast(g, dy, n.inputs[0]!.shape)],
  Concat: (g, n, dy) => {
    const axis = n.attrs['axis'] as number;
    let at = 0;
    return n.inputs.map((x) => {
      const d = x.shape[axis];
      if (typeof d !== 'number') throw new Error('grad of Concat: static sizes along the axis only');
      const s = g.slice(dy, [at], [at + d], [axis]);
      at += d;
      return s;
    });
  },
  Slice: (g, n, dy) => {
    const x = n.inputs[0]!;
    if (n.attrs['reverse']) return [g.reverse(dy, n.attrs['reverse'] as number[])];
    const r = x.shape.length;
    const pads = new Array<number>(2 * r).fill(0);
    const starts = n.attrs['starts'] as number[];
    const ends = n.attrs['ends'] as number[];
    (n.attrs['axes'] as number[]).forEach((a, i) => {
      const d = x.shape[a] as number;
      const s = Math.max(0, starts[i]! < 0 ? starts[i]! + d : starts[i]!);
      const e = Math.min(d, ends[i]! < 0 ? ends[i]! + d : ends[i]!);
      pads[a] = s;
      pads[r + a] = d - e;
    });
    return [g.pad(dy, pads)];
  },
  Pad: (g, n, dy) => {
    const x = n.inputs[0]!;
    const pads = n.attrs['pads'] as number[];
    const r = x.shape.length;
    const axes = x.shape.map((_, i) => i).filter((i) => pads[i] !== 0 || pads[r + i] !== 0);
    return [g.slice(dy, axes.map((i) => pads[i]!), axes.map((i) => pads[i]! + (x.shape[i] as number)), axes)];
  },
};

/** Register (or replace) the gradient rule of an op type (e.g. Conv, from the conv-net builder). */
export function registerGradRule(op: string, rule: GradRule): void {
  RULES[op] = rule;
}

/**
 * d loss / d wrt[i], appended to `g`. `loss` must be a scalar. A wrt value that the loss does not
 * depend on gets a zero gradient of its own shape.
 */
export function grad(g: Graph, loss: Val, wrt: Val[]): Val[] {
  if (loss.shape.length !== 0) throw new Error(`grad: the loss must be a scalar, got shape [${loss.shape.join(',')}]`);
  // Forward reachability: which values depend on any of wrt.
  const active = new Set(wrt.map((v) => v.name));
  const nodes = g.nodes.slice(); // the backward pass adds nodes; walk only the forward ones
  for (const n of nodes) if (!n.nondiff && n.inputs.some((v) => active.has(v.name))) active.add(n.output.name);
  const grads = new Map<string, Val>([[loss.name, g.constant(1)]]);
  const accumulate = (v: Val, d: Val): void => {
    const prev = grads.get(v.name);
    grads.set(v.name, prev ? g.add(prev, d) : d);
  };
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    const dy = grads.get(n.output.name);
    if (!dy || n.nondiff || !active.has(n.output.name)) continue;
    const rule = RULES[n.op];
    if (!rule) throw new Error(`grad: no gradient rule for ${n.op} (on the path from the loss to the parameters)`);
    const dxs = rule(g, n, dy);
    n.inputs.forEach((x, k) => {
      const dx = dxs[k];
      if (dx && active.has(x.name)) accumulate(x, dx);
    });
  }
  return wrt.map((w) => grads.get(w.name) ?? g.constant(new Float32Array(w.shape.reduce<number>((a, d) => a * (d as number), 1)), w.shape as number[]));
}
