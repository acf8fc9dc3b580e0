/**
 * Gradients of Conv2D and DepthwiseConv2dNative with dilations > 1. tfjs itself rejects these
 * ("dilation rates greater than 1 are not yet supported in gradients"), and its cpu depthwise
 * backprop kernels ignore dilations; dilated (atrous) convolutions, e.g. WaveNet's dilated
 * causal conv1d, need them to train.
 *
 * A conv with dilation d equals a conv with the filter spread out by d (zeros between taps):
 * effective size (k - 1) * d + 1, the same size 'same' padding is computed from. So the input
 * gradient is the backprop-input kernel with the spread filter, and the filter gradient is the
 * backprop-filter kernel for the spread shape, read back at every d-th tap; both kernels then
 * run with dilation 1, which every backend supports. Registered globally (gradients do not
 * depend on the backend); with dilation 1 tfjs's own gradient runs unchanged.
 * Note: tf.fused.conv2d (used by tf.layers.conv2d) carries its own gradient that still rejects
 * dilations > 1; use tf.conv2d / tf.conv1d / tf.depthwiseConv2d for dilated convs that train.
 */
import * as tf from '@tensorflow/tfjs';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;
type Shape4 = [number, number, number, number];
interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: Rounding;
}

let registered = false;

/** Spread a [kh, kw, a, b] filter by the dilations: zeros between the taps. */
function spreadFilter(f: tf.Tensor4D, dh: number, dw: number): tf.Tensor4D {
  const [kh, kw, a, b] = f.shape;
  const padded = tf.pad(f.reshape([kh, 1, kw, 1, a, b]), [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], [0, 0], [0, 0]]);
  return padded.reshape([kh * dh, kw * dw, a, b]).slice([0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, a, b]) as tf.Tensor4D;
}

function dilationPair(d: number | [number, number] | undefined): [number, number] {
  if (d === undefined || d === null) return [1, 1];
  return typeof d === 'number' ? [d, d] : d;
}

function override(kernelName: 'Conv2D' | 'DepthwiseConv2dNative', backpropInput: string, backpropFilter: string): void {
  const original = tf.getGradient(kernelName);
  if (!original) return;
  tf.registerGradient({
    kernelName,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const a = attrs as unknown as ConvAttrs;
      const [dh, dw] = dilationPair(a.dilations);
      if ((dh === 1 && dw === 1) || a.dataFormat === 'NCHW') return original.gradFunc(dy, saved, attrs);
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const g = dy as tf.Tensor4D;
      const [kh, kw, p, q] = filter.shape;
      const spreadShape: Shape4 = [(kh - 1) * dh + 1, (kw - 1) * dw + 1, p, q];
      const common = { strides: a.strides, pad: a.pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: a.dimRoundingMode };
      const run = (name: string, inputs: tf.NamedTensorMap, extra: Record<string, unknown>): tf.Tensor4D =>
        tf.engine().runKernel(name, inputs, { ...common, ...extra } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
      return {
        x: () => tf.tidy(() => run(backpropInput, { dy: g, filter: spreadFilter(filter, dh, dw) }, { inputShape: x.shape })),
        filter: () =>
          tf.tidy(() => {
            const full = run(backpropFilter, { x, dy: g }, { filterShape: spreadShape });
            return tf.stridedSlice(full, [0, 0, 0, 0], spreadShape, [dh, dw, 1, 1]) as tf.Tensor4D;
          }),
      };
    },
  });
}

/** Install the dilation-aware gradients (idempotent). */
export function registerDilatedConvGrad(): void {
  if (registered) return;
  registered = true;
  override('Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter');
  override('DepthwiseConv2dNative', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter');
}
