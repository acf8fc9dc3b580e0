/**
 * Convolution gradient kernels the wasm backend lacks, computed with wasm's own (XNNPACK)
 * convolution kernels rather than by copying to the slow pure-JS cpu backend.
 *
 *  - Conv2DBackpropFilter: the filter gradient is itself a convolution. With the batch and
 *    channel axes of the input swapped (x -> [Ci, H, W, N]) and the output gradient used as the
 *    filter (dy -> [Ho, Wo, N, Co]), a stride-1 convolution whose dilation is the forward
 *    stride yields [Ci, kh, kw, Co]; a transpose gives [kh, kw, Ci, Co].
 *  - DepthwiseConv2dNativeBackpropInput: a stride-1 depthwise convolution of the output gradient
 *    (spread out by the stride and padded in JS) with the spatially flipped filter, then a sum
 *    over the channel multiplier.
 *  - DepthwiseConv2dNativeBackpropFilter: a depthwise convolution of the input (batch folded into
 *    the channels, x -> [1, H, W, C*N]) with the output gradient as the filter, dilated by the
 *    forward stride; the sum over the batch and the pick of every dilation-th tap is a small JS
 *    loop over the result. (A direct JS loop over the heap was no faster and less accurate.)
 */
import * as tf from '@tensorflow/tfjs';
import { WasmOps, type Info, type WasmBackend } from './wasm-ops.ts';

type Shape4 = [number, number, number, number];
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

function requireNHWC(kernel: string, dataFormat: unknown): void {
  if (dataFormat === 'NCHW') throw new Error(`${kernel} on wasm supports channels-last (NHWC) data only, got NCHW`);
}

function conv2DBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): Info {
  const { x, dy } = args.inputs as { x: Info; dy: Info };
  const attrs = args.attrs as unknown as { strides: number | [number, number]; pad: Pad; dataFormat: string; dimRoundingMode?: Rounding; filterShape: Shape4 };
  requireNHWC('Conv2DBackpropFilter', attrs.dataFormat);
  const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const ops = new WasmOps(args.backend as WasmBackend);
  const [kh, kw, ci, co] = attrs.filterShape;
  const { top, left } = info.padInfo;
  // Pad the bottom/right just enough for kh x kw outputs (the forward pass's own padding there).
  const bottom = Math.max(0, kh + (info.outHeight - 1) * info.strideHeight - info.inHeight - top);
  const right = Math.max(0, kw + (info.outWidth - 1) * info.strideWidth - info.inWidth - left);
  const xt = ops.transpose(x, [3, 1, 2, 0]); // [Ci, H, W, N]
  const dyt = ops.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, N, Co]
  let r = ops.conv2d(xt, dyt, [info.strideHeight, info.strideWidth], [[0, 0], [top, bottom], [left, right], [0, 0]]);
  ops.free(xt, dyt);
  if (r.shape[1] !== kh || r.shape[2] !== kw) {
    const cropped = ops.slice(r, [0, 0, 0, 0], [ci, kh, kw, co]);
    ops.free(r);
    r = cropped;
  }
  const out = ops.transpose(r, [1, 2, 0, 3]);
  ops.free(r);
  return out;
}

/**
 * Copy dy [n, ho, wo, ch] into a zeroed [n, hp, wp, ch] frame at rows offT + y*sh and columns
 * offL + x*sw (positions outside the frame are dropped): the input of a stride-1 'valid'
 * convolution that maps an output gradient back onto the input's positions.
 */
function spreadInto(ops: WasmOps, dy: Info, hp: number, wp: number, offT: number, offL: number, sh: number, sw: number): Info {
  const [n, ho, wo, ch] = dy.shape as Shape4;
  const out = ops.zeros([n, hp, wp, ch]);
  const src = ops.view(dy);
  const dst = ops.view(out);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < ho; y++) {
      const r = offT + y * sh;
      if (r < 0 || r >= hp) continue;
      for (let xo = 0; xo < wo; xo++) {
        const col = offL + xo * sw;
        if (col < 0 || col >= wp) continue;
        const s = ((b * ho + y) * wo + xo) * ch;
        dst.set(src.subarray(s, s + ch), ((b * hp + r) * wp + col) * ch);
      }
    }
  }
  return out;
}

/**
 * Conv2DBackpropInput: wasm has one, but it runs at 1-3 GFLOP/s against 13-40 for its forward
 * Conv2D, so we replace it. dx is a stride-1 convolution of dy (spread out by the stride and
 * padded so a 'valid' conv lands on x's positions) with the filter rotated 180 degrees and its
 * in/out channel axes swapped ([kh, kw, Co, Ci]). At stride 1 the padding is passed to the
 * convolution and dy is not copied.
 */
function conv2DBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): Info {
  const { dy, filter } = args.inputs as { dy: Info; filter: Info };
  const attrs = args.attrs as unknown as { strides: number | [number, number]; pad: Pad; dataFormat: string; dimRoundingMode?: Rounding; inputShape: Shape4 };
  requireNHWC('Conv2DBackpropInput', attrs.dataFormat);
  const info = tf.backend_util.computeConv2DInfo(attrs.inputShape, filter.shape as Shape4, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const ops = new WasmOps(args.backend as WasmBackend);
  const [, h, w] = attrs.inputShape;
  const [kh, kw, ci, co] = filter.shape as Shape4;
  const { outHeight: ho, outWidth: wo, strideHeight: sh, strideWidth: sw } = info;
  const offT = kh - 1 - info.padInfo.top;
  const offL = kw - 1 - info.padInfo.left;
  const padB = h + kh - 1 - offT - ((ho - 1) * sh + 1);
  const padR = w + kw - 1 - offL - ((wo - 1) * sw + 1);
  // Rotated filter: transpose to [kh, kw, Co, Ci] on wasm, then reverse the (kh, kw) blocks.
  const ft = ops.transpose(filter, [0, 1, 3, 2]);
  const rot = ops.backend.makeOutput([kh, kw, co, ci], 'float32');
  {
    const src = ops.view(ft);
    const dst = ops.view(rot);
    const blk = co * ci;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const s = ((kh - 1 - i) * kw + (kw - 1 - j)) * blk;
        dst.set(src.subarray(s, s + blk), (i * kw + j) * blk);
      }
    }
  }
  ops.free(ft);
  let out: Info;
  if (sh === 1 && sw === 1 && offT >= 0 && offL >= 0 && padB >= 0 && padR >= 0) {
    out = ops.conv2d(dy, rot, [1, 1], [[0, 0], [offT, padB], [offL, padR], [0, 0]]);
  } else {
    const dyP = spreadInto(ops, dy, h + kh - 1, w + kw - 1, offT, offL, sh, sw);
    out = ops.conv2d(dyP, rot, [1, 1], [[0, 0], [0, 0], [0, 0], [0, 0]]);
    ops.free(dyP);
  }
  ops.free(rot);
  return out;
}

function depthwiseBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): Info {
  const { dy, filter } = args.inputs as { dy: Info; filter: Info };
  const attrs = args.attrs as unknown as { strides: number | [number, number]; dilations: number | [number, number]; pad: Pad; dimRoundingMode?: Rounding; inputShape: Shape4 };
  const info = tf.backend_util.computeConv2DInfo(attrs.inputShape, filter.shape as Shape4, attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, true);
  const ops = new WasmOps(args.backend as WasmBackend);
  const [n, h, w, c] = attrs.inputShape;
  const [kh, kw, , m] = filter.shape as Shape4;
  const cm = c * m;
  const { strideHeight: sh, strideWidth: sw } = info;
  const effH = info.effectiveFilterHeight;
  const effW = info.effectiveFilterWidth;
  const hp = h + effH - 1;
  const wp = w + effW - 1;
  // dy spread out by the stride inside a frame that a 'valid' convolution maps back onto x.
  const dyP = spreadInto(ops, dy, hp, wp, effH - 1 - info.padInfo.top, effW - 1 - info.padInfo.left, sh, sw);
  const flipped = ops.backend.makeOutput([kh, kw, cm, 1], 'float32');
  {
    const fs = ops.view(filter);
    const fd = ops.view(flipped);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const s = ((kh - 1 - i) * kw + (kw - 1 - j)) * cm;
        fd.set(fs.subarray(s, s + cm), (i * kw + j) * cm);
      }
    }
  }
  const res = ops.depthwiseConv2d(dyP, flipped, [info.dilationHeight, info.dilationWidth], [[0, 0], [0, 0], [0, 0], [0, 0]]);
  ops.free(dyP, flipped);
  if (m === 1) return res;
  const r5 = ops.reshape(res, [n, h, w, c, m]);
  const out = ops.sum(r5, [4]);
  ops.free(r5, res);
  return out;
}

function depthwiseBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): Info {
  const { x, dy } = args.inputs as { x: Info; dy: Info };
  const attrs = args.attrs as unknown as { strides: number | [number, number]; dilations: number | [number, number]; pad: Pad; dimRoundingMode?: Rounding; filterShape: Shape4 };
  const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, attrs.filterShape, attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, true);
  const ops = new WasmOps(args.backend as WasmBackend);
  const [n, h, w, c] = x.shape as Shape4;
  const [kh, kw, , m] = attrs.filterShape;
  const { outHeight: ho, outWidth: wo, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const effH = info.effectiveFilterHeight;
  const effW = info.effectiveFilterWidth;
  const bottom = Math.max(0, effH + (ho - 1) * sh - h - top);
  const right = Math.max(0, effW + (wo - 1) * sw - w - left);
  // x -> [1, H, W, C*N] (channel c*N + b); dy -> [Ho, Wo, C*N, m].
  const xt = ops.transpose(x, [1, 2, 3, 0]);
  const xr = ops.reshape(xt, [1, h, w, c * n]);
  const dy5 = ops.reshape(dy, [n, ho, wo, c, m]);
  const dyt = ops.transpose(dy5, [1, 2, 3, 0, 4]);
  const fr = ops.reshape(dyt, [ho, wo, c * n, m]);
  const r = ops.depthwiseConv2d(xr, fr, [sh, sw], [[0, 0], [top, bottom], [left, right], [0, 0]]);
  ops.free(xt, xr, dy5, dyt, fr);
  // r: [1, Hr, Wr, (c*N + b)*m + q]; keep taps (i*dh, j*dw) and sum over b.
  const wr = r.shape[2]!;
  const out = ops.backend.makeOutput([kh, kw, c, m], 'float32');
  const rv = ops.view(r);
  const ov = ops.view(out);
  const cnm = c * n * m;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const base = (i * dh * wr + j * dw) * cnm;
      const obase = (i * kw + j) * c * m;
      for (let ch = 0; ch < c; ch++) {
        for (let q = 0; q < m; q++) {
          let s = 0;
          for (let b = 0; b < n; b++) s += rv[base + (ch * n + b) * m + q]!;
          ov[obase + ch * m + q] = s;
        }
      }
    }
  }
  ops.free(r);
  return out;
}

export const convGradKernels: tf.KernelConfig[] = [
  { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2DBackpropInput as unknown as tf.KernelFunc },
  { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc },
  { kernelName: 'DepthwiseConv2dNativeBackpropInput', backendName: 'wasm', kernelFunc: depthwiseBackpropInput as unknown as tf.KernelFunc },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', backendName: 'wasm', kernelFunc: depthwiseBackpropFilter as unknown as tf.KernelFunc },
];
