/**
 * Export a tf.layers model's graph and weights to ONNX (opset 13) for onnxruntime.
 *
 * The graph keeps the tfjs model's interface: one channels-last input named 'planes'
 * [batch, rows, cols, planes] and one output per model output, named after its layer ('policy',
 * 'value'). Inside, 4-D tensors run channels-first (ONNX Conv is NCHW): the input is transposed once,
 * and transposed back before a Flatten so that flattening order matches tfjs.
 *
 * Batch norm that directly follows a linear convolution (its only consumer) is folded into it:
 *   s = gamma / sqrt(movingVariance + eps);  W' = W * s (per output channel);  b' = (b - movingMean) * s + beta
 * so the residual net exports as Conv / Relu / Add / Transpose / Flatten / Gemm / Tanh only.
 *
 * Supported layers: InputLayer, Conv2D, DepthwiseConv2D, BatchNormalization, Activation (relu, tanh,
 * sigmoid, softmax, linear), ReLU, Add, Flatten, GlobalAveragePooling2D, Dense, Concatenate, PositionBias. Anything else throws
 * naming the layer.
 */
import { tf } from './backend.ts';
import onnxProto from 'onnx-proto';
import { writeFileAtomic } from '../util/fs.ts';

const { onnx } = onnxProto;
type INodeProto = onnxProto.onnx.INodeProto;
type ITensorProto = onnxProto.onnx.ITensorProto;
type IAttributeProto = onnxProto.onnx.IAttributeProto;

export const ONNX_OPSET = 13;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const AT = onnx.AttributeProto.AttributeType;

/** An ONNX tensor in the graph: its name, rank, and whether a rank-4 tensor is channels-first. */
interface Value {
  name: string;
  rank: number;
  nchw: boolean;
}

const ints = (name: string, v: number[]): IAttributeProto => ({ name, type: AT.INTS, ints: v });
const int = (name: string, v: number): IAttributeProto => ({ name, type: AT.INT, i: v });
const float = (name: string, v: number): IAttributeProto => ({ name, type: AT.FLOAT, f: v });

function floatTensor(name: string, dims: number[], data: Float32Array): ITensorProto {
  return { name, dataType: FLOAT, dims, rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) };
}

function weightsOf(layer: tf.layers.Layer): Map<string, { shape: number[]; data: Float32Array }> {
  const m = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const w of layer.weights) {
    const key = w.originalName.split('/').pop()!.replace(/_\d+$/, '');
    m.set(key, { shape: w.shape.map((d) => d ?? 1), data: w.read().dataSync() as Float32Array });
  }
  return m;
}

/** The only layer that consumes a layer's output, or undefined when there are several or none. */
function soleConsumer(layer: tf.layers.Layer, model: tf.LayersModel): tf.layers.Layer | undefined {
  const consumers = layer.outboundNodes.map((n) => n.outboundLayer).filter((l) => model.layers.includes(l));
  const isOutput = model.outputs.some((o) => o.sourceLayer === layer);
  return consumers.length === 1 && !isOutput ? consumers[0] : undefined;
}

class GraphBuilder {
  readonly nodes: INodeProto[] = [];
  readonly inits: ITensorProto[] = [];
  private n = 0;

  node(opType: string, inputs: string[], base: string, attribute: IAttributeProto[] = []): string {
    const out = `${base}:${this.n++}`;
    this.nodes.push({ opType, input: inputs, output: [out], name: `${opType}_${this.n}`, attribute });
    return out;
  }

  init(base: string, dims: number[], data: Float32Array): string {
    const name = `${base}#${this.inits.length}`;
    this.inits.push(floatTensor(name, dims, data));
    return name;
  }

  activation(x: string, act: string, base: string, axis: number): string {
    switch (act) {
      case 'linear':
        return x;
      case 'relu':
        return this.node('Relu', [x], base);
      case 'tanh':
        return this.node('Tanh', [x], base);
      case 'sigmoid':
        return this.node('Sigmoid', [x], base);
      case 'softmax':
        return this.node('Softmax', [x], base, [int('axis', axis)]);
      default:
        throw new Error(`exportOnnx: activation '${act}' of layer '${base}' is not supported (relu, tanh, sigmoid, softmax, linear)`);
    }
  }
}

/** TF 'same' padding for one spatial dim: [before, after]. */
function samePads(size: number, k: number, stride: number, dilation: number): [number, number] {
  const eff = (k - 1) * dilation + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + eff - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [v[0] as number, (v[1] ?? v[0]) as number] : [v as number, v as number]);

/** Build the ONNX ModelProto bytes of a tf.layers model. */
export function toOnnxBytes(model: tf.LayersModel): Uint8Array {
  if (model.inputs.length !== 1) throw new Error(`exportOnnx: the model must have one input, it has ${model.inputs.length}`);
  const g = new GraphBuilder();
  const values = new Map<number, Value>(); // SymbolicTensor id -> graph value
  const folded = new Map<tf.layers.Layer, Value>(); // BN layers folded into their conv
  const inShape = model.inputs[0]!.shape;

  const inputOf = (layer: tf.layers.Layer): Value[] => {
    if (layer.inboundNodes.length !== 1) throw new Error(`exportOnnx: layer '${layer.name}' is used ${layer.inboundNodes.length} times; shared layers are not supported`);
    return layer.inboundNodes[0]!.inputTensors.map((t) => {
      const v = values.get(t.id);
      if (!v) throw new Error(`exportOnnx: input of layer '${layer.name}' was not produced by an exported layer`);
      return v;
    });
  };

  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const cfg = layer.getConfig();
    const outT = layer.inboundNodes[0]?.outputTensors ?? [];
    const rankOut = (outT[0]?.shape.length ?? 0) as number;
    const set = (v: Value): void => void values.set(outT[0]!.id, v);
    if (cls === 'InputLayer') {
      const rank = inShape.length;
      set(rank === 4 ? { name: g.node('Transpose', ['planes'], 'to_nchw', [ints('perm', [0, 3, 1, 2])]), rank, nchw: true } : { name: 'planes', rank, nchw: false });
      continue;
    }
    if (folded.has(layer)) {
      set(folded.get(layer)!);
      continue;
    }
    const ins = inputOf(layer);
    const x = ins[0]!;
    const w = weightsOf(layer);
    switch (cls) {
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        if (cfg['dataFormat'] === 'channelsFirst') throw new Error(`exportOnnx: layer '${layer.name}' is channelsFirst; only channelsLast models are supported`);
        const depthwise = cls === 'DepthwiseConv2D';
        const k = (depthwise ? w.get('depthwise_kernel') : w.get('kernel'))!;
        const [kh, kw, inC, last] = k.shape as [number, number, number, number];
        const outC = depthwise ? inC * last : last;
        // [kh, kw, inC, outC] -> [outC, inC, kh, kw]; depthwise [kh, kw, inC, mult] -> [inC*mult, 1, kh, kw]
        const W = new Float64Array(outC * (depthwise ? 1 : inC) * kh * kw);
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++)
            for (let c = 0; c < inC; c++)
              for (let o = 0; o < last; o++) {
                const src = k.data[((i * kw + j) * inC + c) * last + o]!;
                if (depthwise) W[((c * last + o) * kh + i) * kw + j] = src;
                else W[((o * inC + c) * kh + i) * kw + j] = src;
              }
        const b = new Float64Array(outC);
        const bias = w.get(depthwise ? 'depthwise_bias' : 'bias') ?? w.get('bias');
        if (bias) b.set(bias.data);
        const act = (cfg['activation'] as string | undefined) ?? 'linear';
        const next = act === 'linear' ? soleConsumer(layer, model) : undefined;
        const foldBn = next && next.getClassName() === 'BatchNormalization' && [-1, 3].includes(next.getConfig()['axis'] as number) ? next : undefined;
        if (foldBn) {
          const bn = weightsOf(foldBn);
          const eps = foldBn.getConfig()['epsilon'] as number;
          const per = W.length / outC;
          for (let o = 0; o < outC; o++) {
            const s = (bn.get('gamma')?.data[o] ?? 1) / Math.sqrt(bn.get('moving_variance')!.data[o]! + eps);
            for (let q = 0; q < per; q++) W[o * per + q]! *= s;
            b[o] = (b[o]! - bn.get('moving_mean')!.data[o]!) * s + (bn.get('beta')?.data[o] ?? 0);
          }
        }
        const [sh, sw] = pair(cfg['strides']);
        const [dh, dw] = pair(cfg['dilationRate']);
        const [H, Wd] = [layer.inboundNodes[0]!.inputTensors[0]!.shape[1] as number, layer.inboundNodes[0]!.inputTensors[0]!.shape[2] as number];
        const [pt, pb] = cfg['padding'] === 'same' ? samePads(H, kh, sh, dh) : [0, 0];
        const [pl, pr] = cfg['padding'] === 'same' ? samePads(Wd, kw, sw, dw) : [0, 0];
        const attrs = [ints('kernel_shape', [kh, kw]), ints('strides', [sh, sw]), ints('dilations', [dh, dw]), ints('pads', [pt, pl, pb, pr])];
        if (depthwise) attrs.push(int('group', inC));
        const wName = g.init(`${layer.name}/W`, [outC, depthwise ? 1 : inC, kh, kw], Float32Array.from(W));
        const bName = g.init(`${layer.name}/B`, [outC], Float32Array.from(b));
        const y = g.node('Conv', [x.name, wName, bName], layer.name, attrs);
        const out: Value = { name: g.activation(y, act, layer.name, 1), rank: 4, nchw: true };
        set(out);
        if (foldBn) folded.set(foldBn, out); // the BN layer's output is this conv's output
        break;
      }
      case 'BatchNormalization': {
        const axis = cfg['axis'] as number;
        if (axis !== -1 && axis !== x.rank - 1) throw new Error(`exportOnnx: batch norm '${layer.name}' normalises axis ${axis}; only the channel (last) axis is supported`);
        const C = w.get('moving_mean')!.shape[0]!;
        const gamma = w.get('gamma')?.data ?? new Float32Array(C).fill(1);
        const beta = w.get('beta')?.data ?? new Float32Array(C);
        const ins5 = [x.name, g.init(`${layer.name}/scale`, [C], gamma), g.init(`${layer.name}/B`, [C], beta), g.init(`${layer.name}/mean`, [C], w.get('moving_mean')!.data), g.init(`${layer.name}/var`, [C], w.get('moving_variance')!.data)];
        if (x.rank !== 2 && !x.nchw) throw new Error(`exportOnnx: batch norm '${layer.name}' on a rank-${x.rank} tensor is not supported`);
        set({ name: g.node('BatchNormalization', ins5, layer.name, [float('epsilon', cfg['epsilon'] as number)]), rank: x.rank, nchw: x.nchw });
        break;
      }
      case 'Activation':
        set({ ...x, name: g.activation(x.name, cfg['activation'] as string, layer.name, x.nchw ? 1 : -1) });
        break;
      case 'ReLU':
        if (cfg['maxValue'] !== null && cfg['maxValue'] !== undefined) throw new Error(`exportOnnx: ReLU '${layer.name}' with maxValue is not supported`);
        set({ ...x, name: g.node('Relu', [x.name], layer.name) });
        break;
      case 'Add': {
        if (ins.some((v) => v.nchw !== x.nchw || v.rank !== x.rank)) throw new Error(`exportOnnx: Add '${layer.name}' mixes tensor layouts`);
        let acc = x.name;
        for (const v of ins.slice(1)) acc = g.node('Add', [acc, v.name], layer.name);
        set({ ...x, name: acc });
        break;
      }
      case 'Concatenate': {
        const axis = cfg['axis'] as number;
        if (axis !== -1 && axis !== x.rank - 1) throw new Error(`exportOnnx: Concatenate '${layer.name}' on axis ${axis}; only the last axis is supported`);
        set({ ...x, name: g.node('Concat', ins.map((v) => v.name), layer.name, [int('axis', x.nchw ? 1 : x.rank - 1)]) });
        break;
      }
      case 'Flatten': {
        const src = x.nchw ? g.node('Transpose', [x.name], layer.name, [ints('perm', [0, 2, 3, 1])]) : x.name;
        set({ name: g.node('Flatten', [src], layer.name, [int('axis', 1)]), rank: 2, nchw: false });
        break;
      }
      case 'GlobalAveragePooling2D': {
        if (cfg['dataFormat'] === 'channelsFirst') throw new Error(`exportOnnx: layer '${layer.name}' is channelsFirst; only channelsLast models are supported`);
        if (!x.nchw || x.rank !== 4) throw new Error(`exportOnnx: GlobalAveragePooling2D '${layer.name}' needs a rank-4 image input`);
        const pooled = g.node('GlobalAveragePool', [x.name], layer.name); // [N, C, 1, 1]
        set({ name: g.node('Flatten', [pooled], layer.name, [int('axis', 1)]), rank: 2, nchw: false });
        break;
      }
      case 'Dense': {
        if (x.rank !== 2) throw new Error(`exportOnnx: Dense '${layer.name}' on a rank-${x.rank} input is not supported (flatten first)`);
        const k = w.get('kernel')!;
        const units = k.shape[1]!;
        const inputsG = [x.name, g.init(`${layer.name}/W`, k.shape, k.data)];
        inputsG.push(g.init(`${layer.name}/B`, [units], w.get('bias')?.data ?? new Float32Array(units)));
        const y = g.node('Gemm', inputsG, layer.name);
        set({ name: g.activation(y, (cfg['activation'] as string | undefined) ?? 'linear', layer.name, -1), rank: 2, nchw: false });
        break;
      }
      case 'PositionBias': {
        const bias = w.get('bias')!;
        const [H, W, C] = bias.shape as [number, number, number];
        const chw = new Float32Array(H * W * C);
        for (let h = 0; h < H; h++) for (let q = 0; q < W; q++) for (let c = 0; c < C; c++) chw[(c * H + h) * W + q] = bias.data[(h * W + q) * C + c]!;
        set({ ...x, name: g.node('Add', [x.name, g.init(`${layer.name}/bias`, [1, C, H, W], chw)], layer.name) });
        break;
      }
      default:
        throw new Error(
          `exportOnnx: layer '${layer.name}' of type ${cls} is not supported ` +
            '(InputLayer, Conv2D, DepthwiseConv2D, BatchNormalization, Activation, ReLU, Add, Concatenate, Flatten, GlobalAveragePooling2D, Dense, PositionBias)',
        );
    }
    if (rankOut && values.get(outT[0]!.id)?.rank !== rankOut) throw new Error(`exportOnnx: internal rank mismatch at '${layer.name}'`);
  }

  const dim = (d: number | null, i: number) => (d === null ? { dimParam: i === 0 ? 'batch' : `d${i}` } : { dimValue: d });
  const info = (name: string, shape: (number | null)[]) => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: shape.map(dim) } } } });
  const outputs = model.outputs.map((t) => {
    const v = values.get(t.id)!;
    const name = t.sourceLayer.name;
    const src = v.nchw ? g.node('Transpose', [v.name], name, [ints('perm', [0, 2, 3, 1])]) : v.name;
    g.nodes.push({ opType: 'Identity', input: [src], output: [name], name: `out_${name}` });
    return info(name, t.shape);
  });
  const proto = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'tengen',
    producerVersion: '0.1.0',
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    graph: { name: model.name, node: g.nodes, initializer: g.inits, input: [info('planes', inShape)], output: outputs },
  });
  return onnx.ModelProto.encode(proto).finish();
}

/** Names of the graph outputs of an exported model, in model output order. */
export function onnxOutputNames(model: tf.LayersModel): string[] {
  return model.outputs.map((t) => t.sourceLayer.name);
}

/** Export `model` to an ONNX file, written atomically (temp + fsync + rename). Returns the bytes written. */
export function exportOnnx(model: tf.LayersModel, path: string): Uint8Array {
  const bytes = toOnnxBytes(model);
  writeFileAtomic(path, bytes);
  return bytes;
}
