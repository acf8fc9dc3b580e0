/**
 * Parameters in one flat buffer, and the dense layers built on them in a Graph (./graph.ts).
 *
 * A ParamLayout lays tensors back to back; the parameters, their gradients and an optimizer's
 * slots all share it, so the optimizer (./optimizer.ts) is one loop over the whole buffer while the
 * graph sees each tensor through its own view.
 */
import type { Graph, Val } from './graph.ts';

export class ParamLayout {
  readonly shapes: number[][];
  readonly offsets: number[];
  readonly sizes: number[];
  readonly size: number;

  constructor(shapes: number[][]) {
    this.shapes = shapes.map((s) => s.slice());
    this.sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
    this.offsets = [];
    let off = 0;
    for (const n of this.sizes) {
      this.offsets.push(off);
      off += n;
    }
    this.size = off;
  }

  /** One subarray of `buf` per tensor (no copies). */
  views(buf: Float32Array): Float32Array[] {
    if (buf.length !== this.size) throw new Error(`ParamLayout: buffer of ${buf.length} floats, layout needs ${this.size}`);
    return this.offsets.map((o, i) => buf.subarray(o, o + this.sizes[i]!));
  }

  /** Copies of each tensor of `buf`. */
  read(buf: Float32Array): Float32Array[] {
    return this.views(buf).map((v) => v.slice());
  }

  /** Write one array per tensor into `buf` (saved weights), checking counts and sizes; `what` names it in errors. */
  write(buf: Float32Array, values: Float32Array[], what: string): void {
    if (values.length !== this.shapes.length) throw new Error(`${what}: checkpoint has ${values.length} tensors, the network has ${this.shapes.length}`);
    const views = this.views(buf);
    values.forEach((a, i) => {
      if (a.length !== views[i]!.length) throw new Error(`${what}: tensor ${i} has ${a.length} values, expected ${views[i]!.length} (shape ${this.shapes[i]!.join('x')})`);
      views[i]!.set(a);
    });
  }
}

export type DenseActivation = 'tanh' | 'relu' | 'linear';

/**
 * An MLP over `params` = [W0 [in, h1], b0 [h1], W1, b1, ...] (the layout of src/agents/common/mlp.ts):
 * each layer one Gemm with its bias, `activation` between layers, none after the last.
 */
export function mlpGraph(g: Graph, x: Val, params: Val[], activation: DenseActivation): Val {
  let h = x;
  const layers = params.length / 2;
  for (let l = 0; l < layers; l++) {
    h = g.gemm(h, params[2 * l]!, params[2 * l + 1]!);
    if (l + 1 < layers) h = activation === 'tanh' ? g.tanh(h) : activation === 'relu' ? g.relu(h) : h;
  }
  return h;
}

/** Shapes of an MLP's parameters for layer sizes [in, h1, ..., out]. */
export function mlpShapes(sizes: number[]): number[][] {
  const out: number[][] = [];
  for (let l = 0; l + 1 < sizes.length; l++) out.push([sizes[l]!, sizes[l + 1]!], [sizes[l + 1]!]);
  return out;
}
