/**
 * A small builder for ONNX compute graphs with reverse-mode differentiation, so that a whole
 * training step (forward pass, loss, gradients) runs as one onnxruntime call in native code
 * instead of a hundred tfjs ops (see ./ort.ts for running it, ./autodiff.ts for `grad`).
 *
 *   const g = new Graph();
 *   const x = g.input('x', ['N', 4]);  const w = g.input('w', [4, 2]);  const b = g.input('b', [2]);
 *   const loss = g.reduceMean(g.square(g.gemm(x, w, b)));
 *   const [dw, db] = grad(g, loss, [w, b]);
 *   g.output('loss', loss); g.output('dw', dw); g.output('db', db);
 *   const bytes = g.toOnnx();
 *
 * Shapes are tracked statically; a dimension may be a name ('N', the batch) that is only known at
 * run time. Broadcasting follows numpy (right-aligned). Every node keeps its inputs and attributes
 * so that autodiff.ts can append the backward pass as more nodes of the same graph.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type INodeProto = onnxProto.onnx.INodeProto;
type ITensorProto = onnxProto.onnx.ITensorProto;
type IAttributeProto = onnxProto.onnx.IAttributeProto;
type IValueInfoProto = onnxProto.onnx.IValueInfoProto;

/** Opset 18: every Reduce* op takes its axes as an input. */
export const TRAIN_OPSET = 18;

export type Dim = number | string;
export type DType = 'float32' | 'int64' | 'bool';

export interface Val {
  readonly name: string;
  readonly shape: readonly Dim[];
  readonly dtype: DType;
}

/** Attribute values as autodiff reads them back (ints, floats, lists of ints). */
export type Attrs = Record<string, number | number[]>;

export interface NodeOptions {
  /** The output carries no gradient. */
  nondiff?: boolean;
  /** The output's name (default: generated). */
  name?: string;
  /** Constant ONNX inputs after the differentiable ones (axes, shapes, pads). */
  extraInputs?: Val[];
  /** What those constants hold, for gradient rules. */
  meta?: Attrs;
}

export interface GraphNode {
  readonly op: string;
  readonly inputs: readonly Val[];
  readonly output: Val;
  readonly attrs: Attrs;
  /** True for ops whose output carries no gradient (comparisons, argmax, stopGradient). */
  readonly nondiff: boolean;
  /** Composite ops (see Graph.composite): intermediate values their gradient rule reuses. */
  readonly saved?: Record<string, Val>;
}

const ELEM: Record<DType, number> = { float32: onnx.TensorProto.DataType.FLOAT, int64: onnx.TensorProto.DataType.INT64, bool: onnx.TensorProto.DataType.BOOL };
const AT = onnx.AttributeProto.AttributeType;
/** Attributes written as ONNX floats (everything else numeric is an int). */
const FLOAT_ATTRS = new Set(['alpha', 'beta', 'epsilon', 'momentum']);

const sameDim = (a: Dim, b: Dim): boolean => a === b;

/** numpy broadcast of two shapes; throws naming both when they do not broadcast. */
export function broadcastShapes(a: readonly Dim[], b: readonly Dim[], what: string): Dim[] {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x === 1) out.push(y);
    else if (y === 1 || sameDim(x, y)) out.push(x);
    else throw new Error(`${what}: shapes [${a.join(',')}] and [${b.join(',')}] do not broadcast`);
  }
  return out;
}

export function sameShape(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => sameDim(d, b[i]!));
}

const normAxis = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

export class Graph {
  readonly nodes: GraphNode[] = [];
  private readonly protoNodes: INodeProto[] = [];
  private readonly inits: ITensorProto[] = [];
  private readonly inputs: IValueInfoProto[] = [];
  private readonly outputs: IValueInfoProto[] = [];
  private readonly constCache = new Map<string, Val>();
  private counter = 0;
  /** Inside Graph.composite: nodes go to ONNX but not to the autodiff record. */
  private hidden = 0;

  input(name: string, shape: Dim[], dtype: DType = 'float32'): Val {
    const v: Val = { name, shape, dtype };
    this.inputs.push(valueInfo(v));
    return v;
  }

  output(name: string, v: Val): void {
    // Outputs get their own names through an Identity, so one value may be output twice.
    const out = this.addNode('Identity', [v], {}, [...v.shape], v.dtype, { nondiff: true, name });
    this.outputs.push(valueInfo(out));
  }

  /** A float32 constant (a scalar, or a tensor of the given shape); scalars are shared. */
  constant(value: number | Float32Array, shape: number[] = []): Val {
    if (typeof value === 'number') {
      const key = `f:${value}`;
      const hit = this.constCache.get(key);
      if (hit) return hit;
      const v = this.initializer(Float32Array.of(value), shape, 'float32');
      this.constCache.set(key, v);
      return v;
    }
    return this.initializer(value, shape, 'float32');
  }

  /** An int64 constant vector (axes, shapes, pads...). */
  ints(values: number[]): Val {
    const key = `i:${values.join(',')}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const v = this.initializer(BigInt64Array.from(values.map((x) => BigInt(x))), [values.length], 'int64');
    this.constCache.set(key, v);
    return v;
  }

  private initializer(data: Float32Array | BigInt64Array, dims: number[], dtype: DType): Val {
    const name = `const${this.counter++}`;
    const raw = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    this.inits.push({ name, dataType: ELEM[dtype], dims, rawData: raw });
    return { name, shape: dims, dtype };
  }

  /**
   * Append a node. `attrs` are written to ONNX; `o.meta` are recorded for autodiff only (axes,
   * shapes and pads that ONNX takes as the constant inputs `o.extraInputs`, which autodiff never sees).
   */
  addNode(op: string, inputs: Val[], attrs: Attrs, shape: Dim[], dtype: DType, o: NodeOptions = {}): Val {
    const output: Val = { name: o.name ?? `${op.toLowerCase()}${this.counter++}`, shape, dtype };
    const node: GraphNode = { op, inputs, output, attrs: { ...attrs, ...o.meta }, nondiff: o.nondiff ?? false };
    if (this.hidden === 0) this.nodes.push(node);
    const extraInputs = o.extraInputs ?? [];
    const attribute: IAttributeProto[] = Object.entries(attrs).map(([k, a]) =>
      Array.isArray(a) ? { name: k, type: AT.INTS, ints: a } : FLOAT_ATTRS.has(k) ? { name: k, type: AT.FLOAT, f: a } : { name: k, type: AT.INT, i: a },
    );
    this.protoNodes.push({ opType: op, input: [...inputs.map((v) => v.name), ...extraInputs.map((v) => v.name)], output: [output.name], name: output.name, attribute });
    return output;
  }

  /**
   * An op made of several ONNX nodes that autodiff treats as one: `build` emits the nodes (unseen
   * by autodiff) and returns the output and the intermediates the op's gradient rule needs, and
   * one node `op` over `inputs` is recorded (its rule: autodiff.registerGradRule).
   */
  composite(op: string, inputs: Val[], attrs: Attrs, build: () => { output: Val; saved?: Record<string, Val> }): Val {
    this.hidden++;
    let r: { output: Val; saved?: Record<string, Val> };
    try {
      r = build();
    } finally {
      this.hidden--;
    }
    const node: GraphNode = { op, inputs, output: r.output, attrs, nondiff: false, saved: r.saved };
    if (this.hidden === 0) this.nodes.push(node);
    return r.output;
  }

  /** An int64 constant tensor (gather indices). */
  intTensor(values: BigInt64Array, dims: number[]): Val {
    return this.initializer(values, dims, 'int64');
  }

  // ---- element-wise ----

  private binary(op: string, a: Val, b: Val, dtype: DType = a.dtype, nondiff = false): Val {
    return this.addNode(op, [a, b], {}, broadcastShapes(a.shape, b.shape, op), dtype, { nondiff });
  }
  private lift(x: Val | number): Val {
    return typeof x === 'number' ? this.constant(x) : x;
  }
  add(a: Val | number, b: Val | number): Val {
    return this.binary('Add', this.lift(a), this.lift(b));
  }
  sub(a: Val | number, b: Val | number): Val {
    return this.binary('Sub', this.lift(a), this.lift(b));
  }
  mul(a: Val | number, b: Val | number): Val {
    return this.binary('Mul', this.lift(a), this.lift(b));
  }
  div(a: Val | number, b: Val | number): Val {
    return this.binary('Div', this.lift(a), this.lift(b));
  }
  /** Element-wise minimum (gradient to `a` where a <= b, as tf.minimum). */
  min(a: Val | number, b: Val | number): Val {
    return this.binary('Min', this.lift(a), this.lift(b));
  }
  max(a: Val | number, b: Val | number): Val {
    return this.binary('Max', this.lift(a), this.lift(b));
  }
  greater(a: Val | number, b: Val | number): Val {
    return this.binary('Greater', this.lift(a), this.lift(b), 'bool', true);
  }
  greaterOrEqual(a: Val | number, b: Val | number): Val {
    return this.binary('GreaterOrEqual', this.lift(a), this.lift(b), 'bool', true);
  }
  lessOrEqual(a: Val | number, b: Val | number): Val {
    return this.binary('LessOrEqual', this.lift(a), this.lift(b), 'bool', true);
  }
  and(a: Val, b: Val): Val {
    return this.binary('And', a, b, 'bool', true);
  }
  where(cond: Val, a: Val | number, b: Val | number): Val {
    const x = this.lift(a);
    const y = this.lift(b);
    return this.addNode('Where', [cond, x, y], {}, broadcastShapes(cond.shape, broadcastShapes(x.shape, y.shape, 'Where'), 'Where'), x.dtype);
  }
  private unary(op: string, x: Val, attrs: Attrs = {}): Val {
    return this.addNode(op, [x], attrs, [...x.shape], x.dtype);
  }
  neg(x: Val): Val {
    return this.unary('Neg', x);
  }
  exp(x: Val): Val {
    return this.unary('Exp', x);
  }
  log(x: Val): Val {
    return this.unary('Log', x);
  }
  tanh(x: Val): Val {
    return this.unary('Tanh', x);
  }
  relu(x: Val): Val {
    return this.unary('Relu', x);
  }
  abs(x: Val): Val {
    return this.unary('Abs', x);
  }
  sqrt(x: Val): Val {
    return this.unary('Sqrt', x);
  }
  square(x: Val): Val {
    return this.mul(x, x);
  }
  /** x clipped to [lo, hi] (scalars); gradient passes where lo <= x <= hi, as tf.clipByValue. */
  clip(x: Val, lo: Val | number, hi: Val | number): Val {
    return this.addNode('Clip', [x, this.lift(lo), this.lift(hi)], {}, [...x.shape], x.dtype);
  }
  cast(x: Val, to: DType): Val {
    return this.addNode('Cast', [x], { to: ELEM[to] }, [...x.shape], to, { nondiff: to !== 'float32' || x.dtype !== 'float32' });
  }
  /** The same value, with no gradient flowing back through it. */
  stopGradient(x: Val): Val {
    return this.addNode('Identity', [x], {}, [...x.shape], x.dtype, { nondiff: true });
  }

  // ---- linear algebra ----

  /** Y = op(A) op(B) + C for 2-D A and B (op = transpose when the flag is set), C broadcast over rows. */
  gemm(a: Val, b: Val, c?: Val, transA = false, transB = false): Val {
    if (a.shape.length !== 2 || b.shape.length !== 2) throw new Error(`Gemm needs 2-D operands, got [${a.shape.join(',')}] and [${b.shape.join(',')}]`);
    const [m, k1] = transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
    const [k2, n] = transB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
    if (!sameDim(k1, k2)) throw new Error(`Gemm: inner dimensions ${k1} and ${k2} differ`);
    const attrs: Attrs = {};
    if (transA) attrs['transA'] = 1;
    if (transB) attrs['transB'] = 1;
    return this.addNode('Gemm', c ? [a, b, c] : [a, b], attrs, [m, n], 'float32');
  }

  // ---- reductions ----

  private reduce(op: string, x: Val, axes: number[] | null, keepdims: boolean, nondiff = false): Val {
    const rank = x.shape.length;
    const ax = (axes ?? x.shape.map((_, i) => i)).map((a) => normAxis(a, rank));
    const shape: Dim[] = [];
    x.shape.forEach((d, i) => {
      if (!ax.includes(i)) shape.push(d);
      else if (keepdims) shape.push(1);
    });
    return this.addNode(op, [x], { keepdims: keepdims ? 1 : 0 }, shape, x.dtype, { nondiff, extraInputs: [this.ints(ax)], meta: { axes: ax } });
  }
  /** Sum over `axes` (all when omitted). */
  reduceSum(x: Val, axes: number[] | null = null, keepdims = false): Val {
    return this.reduce('ReduceSum', x, axes, keepdims);
  }
  reduceMean(x: Val, axes: number[] | null = null, keepdims = false): Val {
    return this.reduce('ReduceMean', x, axes, keepdims);
  }
  /** Maximum over axes; no gradient (used for targets only). */
  reduceMax(x: Val, axes: number[] | null = null, keepdims = false): Val {
    return this.reduce('ReduceMax', x, axes, keepdims, true);
  }
  logSoftmax(x: Val, axis = -1): Val {
    return this.unary('LogSoftmax', x, { axis: normAxis(axis, x.shape.length) });
  }
  /** Index of the maximum along `axis` (int64, keeps the axis as size 1). */
  argMax(x: Val, axis: number): Val {
    const a = normAxis(axis, x.shape.length);
    return this.addNode('ArgMax', [x], { axis: a, keepdims: 1 }, x.shape.map((d, i) => (i === a ? 1 : d)), 'int64', { nondiff: true });
  }
  /** out[i][j] = x[i][idx[i][j]] along `axis` (no gradient). */
  gatherElements(x: Val, idx: Val, axis: number): Val {
    return this.addNode('GatherElements', [x, idx], { axis: normAxis(axis, x.shape.length) }, [...idx.shape], x.dtype, { nondiff: true });
  }

  // ---- shape ----

  /** Reshape to `shape` (numbers, -1 for one inferred dimension, 0 to copy the input's). */
  reshape(x: Val, shape: number[], resultShape?: Dim[]): Val {
    const out: Dim[] = resultShape ?? shape.map((d, i) => (d === 0 ? x.shape[i]! : d === -1 ? inferDim(x.shape, shape) : d));
    return this.addNode('Reshape', [x], {}, out, x.dtype, { extraInputs: [this.ints(shape)], meta: { shape } });
  }
  transpose(x: Val, perm: number[]): Val {
    return this.addNode('Transpose', [x], { perm }, perm.map((p) => x.shape[p]!), x.dtype);
  }
  /** Broadcast x to the shape of `like` (used by gradients of reductions). */
  expandAs(x: Val, like: Val): Val {
    const shape = this.addNode('Shape', [like], {}, [like.shape.length], 'int64', { nondiff: true });
    return this.addNode('Expand', [x], {}, [...like.shape], x.dtype, { extraInputs: [shape] });
  }
  concat(xs: Val[], axis: number): Val {
    const a = normAxis(axis, xs[0]!.shape.length);
    const shape = [...xs[0]!.shape];
    let total: Dim = 0;
    for (const x of xs) {
      const d = x.shape[a]!;
      total = typeof total === 'number' && typeof d === 'number' ? total + d : `${total}+${d}`;
    }
    shape[a] = total;
    return this.addNode('Concat', xs, { axis: a }, shape, xs[0]!.dtype);
  }
  /** x[..., starts:ends, ...] along `axes` (static bounds). */
  slice(x: Val, starts: number[], ends: number[], axes: number[]): Val {
    const shape = [...x.shape];
    axes.forEach((a, i) => {
      const d = shape[a];
      if (typeof d !== 'number') throw new Error('slice: static dimensions only');
      const s = Math.max(0, starts[i]! < 0 ? starts[i]! + d : starts[i]!);
      const e = Math.min(d, ends[i]! < 0 ? ends[i]! + d : ends[i]!);
      shape[a] = Math.max(0, e - s);
    });
    return this.addNode('Slice', [x], {}, shape, x.dtype, { extraInputs: [this.ints(starts), this.ints(ends), this.ints(axes)], meta: { starts, ends, axes } });
  }
  /** x with the order of its elements along `axes` reversed (static sizes). */
  reverse(x: Val, axes: number[]): Val {
    const big = 2 ** 31 - 1;
    return this.addNode('Slice', [x], {}, [...x.shape], x.dtype, {
      extraInputs: [this.ints(axes.map(() => -1)), this.ints(axes.map(() => -big)), this.ints(axes), this.ints(axes.map(() => -1))],
      meta: { reverse: axes },
    });
  }
  /** Rows of x along `axis` picked by constant int64 indices (output shape: x's with that axis replaced by idx's shape). */
  gather(x: Val, idx: Val, axis: number): Val {
    const a = normAxis(axis, x.shape.length);
    const shape = [...x.shape.slice(0, a), ...idx.shape, ...x.shape.slice(a + 1)];
    return this.addNode('Gather', [x], { axis: a }, shape, x.dtype, { extraInputs: [idx] });
  }
  /** Zero-pad: pads = [begin of each axis..., end of each axis...] (ONNX order). */
  pad(x: Val, pads: number[]): Val {
    const r = x.shape.length;
    const shape = x.shape.map((d, i) => (typeof d === 'number' ? d + pads[i]! + pads[r + i]! : d));
    return this.addNode('Pad', [x], {}, shape, x.dtype, { extraInputs: [this.ints(pads)], meta: { pads } });
  }

  /**
   * The serialized ONNX model, without the nodes no output depends on (a gradient rule also builds
   * the gradients of inputs that need none, e.g. d loss / d observations; they are dropped here).
   */
  toOnnx(): Uint8Array {
    const needed = new Set(this.outputs.map((o) => o.name!));
    const nodes: INodeProto[] = [];
    for (let i = this.protoNodes.length - 1; i >= 0; i--) {
      const n = this.protoNodes[i]!;
      if (!n.output!.some((o) => needed.has(o))) continue;
      nodes.push(n);
      for (const x of n.input!) needed.add(x);
    }
    nodes.reverse();
    const inits = this.inits.filter((t) => needed.has(t.name!));
    const graph = { name: 'train', node: nodes, initializer: inits, input: this.inputs, output: this.outputs };
    return onnx.ModelProto.encode({ irVersion: 8, producerName: 'tengen', opsetImport: [{ domain: '', version: TRAIN_OPSET }], graph }).finish();
  }
}

function inferDim(from: readonly Dim[], to: number[]): Dim {
  const known = to.filter((d) => d > 0).reduce((a, b) => a * b, 1);
  const total = from.every((d) => typeof d === 'number') ? (from as number[]).reduce((a, b) => a * b, 1) : null;
  if (total !== null) return total / known;
  const sym = from.filter((d) => typeof d === 'string');
  return sym.length === 1 ? sym[0]! : sym.join('*');
}

function valueInfo(v: Val): IValueInfoProto {
  return { name: v.name, type: { tensorType: { elemType: ELEM[v.dtype], shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}
