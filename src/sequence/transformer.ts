/**
 * Transformer encoder-decoder (Vaswani et al. 2017): sinusoidal positional encoding, multi-head
 * scaled dot-product attention with padding and causal masks, position-wise feed-forward layers,
 * layer normalisation around every sub-layer (pre-norm by default, which trains stably without a
 * long warm-up; post-norm as in the paper is an option), label-smoothed cross-entropy and the
 * paper's warm-up learning-rate schedule. Attention weights are returned for display.
 */
import { tf } from '../nets/backend.ts';
import { Rng } from '../util/rng.ts';
import { UserError } from '../util/errors.ts';
import { causalMask, scaledDotProductAttention } from './attention.ts';
import { BOS, EOS, PAD, readVocabPair, vocabPairJson, type Vocab } from './data/vocab.ts';
import { padBatch } from './seq2seq.ts';
import { loadNamedWeights, restore, saveNamedWeights, stripPrefix, type SaveNamedOptions } from '../nets/saved-model.ts';

export interface TransformerOptions {
  dModel: number;
  heads: number;
  ffDim: number;
  encoderLayers: number;
  decoderLayers: number;
  dropout: number;
  /** Layer norm before each sub-layer (true) or after the residual add, as in the paper (false). */
  preNorm: boolean;
  maxLen: number;
  seed: number;
}

export const DEFAULT_TRANSFORMER: Readonly<TransformerOptions> = Object.freeze({ dModel: 128, heads: 4, ffDim: 256, encoderLayers: 2, decoderLayers: 2, dropout: 0.1, preNorm: true, maxLen: 128, seed: 0 });

/** PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(pos / 10000^(2i/d)). */
export function positionalEncoding(maxLen: number, d: number): tf.Tensor2D {
  const pe = new Float32Array(maxLen * d);
  for (let pos = 0; pos < maxLen; pos++)
    for (let i = 0; i < d; i += 2) {
      const angle = pos / Math.pow(10000, i / d);
      pe[pos * d + i] = Math.sin(angle);
      if (i + 1 < d) pe[pos * d + i + 1] = Math.cos(angle);
    }
  return tf.tensor2d(pe, [maxLen, d]);
}

/** lr(step) = d^-0.5 * min(step^-0.5, step * warmup^-1.5), scaled by `factor`. */
export function warmupLearningRate(step: number, dModel: number, warmup = 4000, factor = 1): number {
  const s = Math.max(1, step);
  return factor * Math.pow(dModel, -0.5) * Math.min(Math.pow(s, -0.5), s * Math.pow(warmup, -1.5));
}

/** Layer normalisation over the last axis. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps = 1e-6): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), gamma), beta);
}

let counter = 0;

class Params {
  readonly list: tf.Variable[] = [];
  private readonly rng: Rng;
  private readonly prefix: string;
  constructor(seed: number) {
    this.rng = new Rng(seed);
    this.prefix = `transformer${++counter}`;
  }
  dense(rows: number, cols: number, name: string): tf.Variable {
    const lim = Math.sqrt(6 / (rows + cols));
    return this.add(tf.tensor2d(Float32Array.from({ length: rows * cols }, () => this.rng.uniform(-lim, lim)), [rows, cols]), name);
  }
  vec(n: number, value: number, name: string): tf.Variable {
    return this.add(tf.fill([n], value), name);
  }
  embedding(rows: number, cols: number, name: string): tf.Variable {
    return this.add(tf.tensor2d(Float32Array.from({ length: rows * cols }, () => this.rng.normal(0, Math.pow(cols, -0.5))), [rows, cols]), name);
  }
  private add(t: tf.Tensor, name: string): tf.Variable {
    const v = tf.variable(t, true, `${this.prefix}/${name}`);
    t.dispose();
    this.list.push(v);
    return v;
  }
}

interface MhaWeights {
  wq: tf.Variable;
  wk: tf.Variable;
  wv: tf.Variable;
  wo: tf.Variable;
}
interface Norm {
  g: tf.Variable;
  b: tf.Variable;
}
interface FfWeights {
  w1: tf.Variable;
  b1: tf.Variable;
  w2: tf.Variable;
  b2: tf.Variable;
}
interface EncLayer {
  self: MhaWeights;
  ff: FfWeights;
  n1: Norm;
  n2: Norm;
}
interface DecLayer extends EncLayer {
  cross: MhaWeights;
  n3: Norm;
}

export class Transformer {
  readonly opts: TransformerOptions;
  readonly srcVocab: Vocab;
  readonly tgtVocab: Vocab;
  readonly variables: tf.Variable[];
  private readonly srcEmb: tf.Variable;
  private readonly tgtEmb: tf.Variable;
  private readonly pe: tf.Tensor2D;
  private readonly enc: EncLayer[];
  private readonly dec: DecLayer[];
  private readonly encNorm: Norm;
  private readonly decNorm: Norm;
  private readonly outW: tf.Variable;
  private dropoutSeed = 0;

  constructor(srcVocab: Vocab, tgtVocab: Vocab, options: Partial<TransformerOptions> = {}) {
    const o: TransformerOptions = { ...DEFAULT_TRANSFORMER, ...options };
    for (const k of ['dModel', 'heads', 'ffDim', 'encoderLayers', 'decoderLayers', 'maxLen'] as const) if (!Number.isInteger(o[k]) || o[k] < 1) throw new UserError(`${k} must be a positive integer, got ${o[k]}`);
    if (o.dModel % o.heads !== 0) throw new UserError(`dModel (${o.dModel}) must be divisible by heads (${o.heads})`);
    if (!(o.dropout >= 0 && o.dropout < 1)) throw new UserError(`dropout must be in [0, 1), got ${o.dropout}`);
    this.opts = o;
    this.srcVocab = srcVocab;
    this.tgtVocab = tgtVocab;
    const p = new Params(o.seed);
    const D = o.dModel;
    const mha = (n: string): MhaWeights => ({ wq: p.dense(D, D, `${n}/wq`), wk: p.dense(D, D, `${n}/wk`), wv: p.dense(D, D, `${n}/wv`), wo: p.dense(D, D, `${n}/wo`) });
    const norm = (n: string): Norm => ({ g: p.vec(D, 1, `${n}/gamma`), b: p.vec(D, 0, `${n}/beta`) });
    const ff = (n: string): FfWeights => ({ w1: p.dense(D, o.ffDim, `${n}/w1`), b1: p.vec(o.ffDim, 0, `${n}/b1`), w2: p.dense(o.ffDim, D, `${n}/w2`), b2: p.vec(D, 0, `${n}/b2`) });
    this.srcEmb = p.embedding(srcVocab.size, D, 'src_emb');
    this.tgtEmb = p.embedding(tgtVocab.size, D, 'tgt_emb');
    this.enc = Array.from({ length: o.encoderLayers }, (_, i) => ({ self: mha(`enc${i}/self`), ff: ff(`enc${i}/ff`), n1: norm(`enc${i}/n1`), n2: norm(`enc${i}/n2`) }));
    this.dec = Array.from({ length: o.decoderLayers }, (_, i) => ({ self: mha(`dec${i}/self`), cross: mha(`dec${i}/cross`), ff: ff(`dec${i}/ff`), n1: norm(`dec${i}/n1`), n2: norm(`dec${i}/n2`), n3: norm(`dec${i}/n3`) }));
    this.encNorm = norm('enc_norm');
    this.decNorm = norm('dec_norm');
    this.outW = p.dense(D, tgtVocab.size, 'out');
    this.variables = p.list;
    this.pe = positionalEncoding(o.maxLen, D);
  }

  private drop(x: tf.Tensor, training: boolean): tf.Tensor {
    return training && this.opts.dropout > 0 ? tf.dropout(x, this.opts.dropout, undefined, this.opts.seed * 7919 + ++this.dropoutSeed) : x;
  }

  /** Multi-head attention: x [B, Tq, D] attends to y [B, Tk, D]; mask broadcastable to [B, h, Tq, Tk]. */
  private attend(w: MhaWeights, x: tf.Tensor3D, y: tf.Tensor3D, mask: tf.Tensor | undefined): { out: tf.Tensor3D; weights: tf.Tensor } {
    const [B, Tq, D] = x.shape;
    const Tk = y.shape[1];
    const h = this.opts.heads;
    const dk = D / h;
    const split = (t: tf.Tensor, T: number): tf.Tensor4D => tf.transpose(t.reshape([B, T, h, dk]), [0, 2, 1, 3]) as tf.Tensor4D;
    const proj = (t: tf.Tensor3D, m: tf.Variable, T: number): tf.Tensor4D => split(tf.matMul(t.reshape([B * T, D]), m), T);
    const { output, weights } = scaledDotProductAttention(proj(x, w.wq, Tq), proj(y, w.wk, Tk), proj(y, w.wv, Tk), mask);
    const merged = tf.transpose(output, [0, 2, 1, 3]).reshape([B * Tq, D]);
    return { out: tf.matMul(merged, w.wo).reshape([B, Tq, D]) as tf.Tensor3D, weights };
  }

  private feedForward(f: FfWeights, x: tf.Tensor3D): tf.Tensor3D {
    const [B, T, D] = x.shape;
    const h = tf.relu(tf.add(tf.matMul(x.reshape([B * T, D]), f.w1), f.b1));
    return tf.add(tf.matMul(h, f.w2), f.b2).reshape([B, T, D]) as tf.Tensor3D;
  }

  /** Residual sub-layer with pre- or post-norm. */
  private sub(x: tf.Tensor3D, n: Norm, fn: (y: tf.Tensor3D) => tf.Tensor3D, training: boolean): tf.Tensor3D {
    if (this.opts.preNorm) return tf.add(x, this.drop(fn(layerNorm(x, n.g, n.b) as tf.Tensor3D), training)) as tf.Tensor3D;
    return layerNorm(tf.add(x, this.drop(fn(x), training)), n.g, n.b) as tf.Tensor3D;
  }

  private embed(emb: tf.Variable, ids: tf.Tensor2D, training: boolean): tf.Tensor3D {
    const T = ids.shape[1];
    if (T > this.opts.maxLen) throw new UserError(`sequence of ${T} tokens is longer than maxLen ${this.opts.maxLen}`);
    const e = tf.mul(tf.gather(emb, ids), Math.sqrt(this.opts.dModel));
    return this.drop(tf.add(e, this.pe.slice([0, 0], [T, this.opts.dModel])), training) as tf.Tensor3D;
  }

  /** Encoder memory [B, S, D] and the source padding mask [B, 1, 1, S]. */
  encode(src: tf.Tensor2D, srcMask: tf.Tensor2D, training = false): { memory: tf.Tensor3D; mask: tf.Tensor4D } {
    const [B, S] = src.shape;
    const mask = srcMask.reshape([B, 1, 1, S]) as tf.Tensor4D;
    let x = this.embed(this.srcEmb, src, training);
    for (const l of this.enc) {
      x = this.sub(x, l.n1, (y) => this.attend(l.self, y, y, mask).out, training);
      x = this.sub(x, l.n2, (y) => this.feedForward(l.ff, y), training);
    }
    if (this.opts.preNorm) x = layerNorm(x, this.encNorm.g, this.encNorm.b) as tf.Tensor3D;
    return { memory: x, mask };
  }

  /** Logits [B, T, V] for decoder inputs [B, T]; also the last layer's cross-attention weights [B, h, T, S]. */
  decode(tgtIn: tf.Tensor2D, memory: tf.Tensor3D, srcMask: tf.Tensor4D, training = false): { logits: tf.Tensor3D; cross: tf.Tensor } {
    const [B, T] = tgtIn.shape;
    const selfMask = causalMask(T).reshape([1, 1, T, T]);
    let x = this.embed(this.tgtEmb, tgtIn, training);
    let cross: tf.Tensor = tf.zeros([0]);
    for (const l of this.dec) {
      x = this.sub(x, l.n1, (y) => this.attend(l.self, y, y, selfMask).out, training);
      x = this.sub(
        x,
        l.n3,
        (y) => {
          const r = this.attend(l.cross, y, memory, srcMask);
          cross = r.weights;
          return r.out;
        },
        training,
      );
      x = this.sub(x, l.n2, (y) => this.feedForward(l.ff, y), training);
    }
    if (this.opts.preNorm) x = layerNorm(x, this.decNorm.g, this.decNorm.b) as tf.Tensor3D;
    const D = this.opts.dModel;
    const logits = tf.matMul(x.reshape([B * T, D]), this.outW).reshape([B, T, this.tgtVocab.size]) as tf.Tensor3D;
    return { logits, cross };
  }

  /** Label-smoothed cross-entropy per target token (padding excluded); pairs are ids without BOS/EOS. */
  loss(src: readonly (readonly number[])[], tgt: readonly (readonly number[])[], opts: { labelSmoothing?: number; training?: boolean } = {}): tf.Scalar {
    if (src.length !== tgt.length || src.length === 0) throw new UserError(`loss needs the same positive number of sources and targets, got ${src.length} and ${tgt.length}`);
    if (src.some((s) => s.length === 0)) throw new UserError('empty source sentence in the batch');
    const ls = opts.labelSmoothing ?? 0.1;
    return tf.tidy(() => {
      const pad = this.srcVocab.id(PAD);
      const s = padBatch(src, pad);
      const bos = this.tgtVocab.id(BOS);
      const eos = this.tgtVocab.id(EOS);
      const inp = padBatch(tgt.map((t) => [bos, ...t]), this.tgtVocab.id(PAD));
      const out = padBatch(tgt.map((t) => [...t, eos]), this.tgtVocab.id(PAD));
      const { memory, mask } = this.encode(s.ids, s.mask, opts.training ?? true);
      const { logits } = this.decode(inp.ids, memory, mask, opts.training ?? true);
      const V = this.tgtVocab.size;
      const target = tf.oneHot(out.ids, V).toFloat();
      const smooth = tf.add(tf.mul(target, 1 - ls), ls / V);
      const nll = tf.neg(tf.sum(tf.mul(smooth, tf.logSoftmax(logits)), 2));
      return tf.div(tf.sum(tf.mul(nll, out.mask)), tf.sum(out.mask)) as tf.Scalar;
    });
  }

  trainStep(optimizer: tf.Optimizer, src: readonly (readonly number[])[], tgt: readonly (readonly number[])[], labelSmoothing = 0.1): number {
    const l = optimizer.minimize(() => this.loss(src, tgt, { labelSmoothing, training: true }), true, this.variables)!;
    const v = l.dataSync()[0]!;
    l.dispose();
    return v;
  }

  /** Greedy or beam-search translation of one tokenised sentence, with the last layer's cross-attention (mean over heads). */
  translate(srcTokens: readonly string[], opts: { beam?: number; maxLen?: number; lengthPenalty?: number } = {}): { tokens: string[]; attention: number[][] } {
    if (srcTokens.length === 0) throw new UserError('cannot translate an empty sentence');
    const beam = opts.beam ?? 1;
    const maxLen = Math.min(opts.maxLen ?? 2 * srcTokens.length + 10, this.opts.maxLen - 1);
    const alpha = opts.lengthPenalty ?? 0.6;
    const eos = this.tgtVocab.id(EOS);
    const ids = this.srcVocab.encode(srcTokens);
    const { memory, mask } = tf.tidy(() => {
      const s = padBatch([ids], this.srcVocab.id(PAD));
      return this.encode(s.ids, s.mask, false);
    });
    let hyps: Array<{ ids: number[]; logProb: number; done: boolean }> = [{ ids: [this.tgtVocab.id(BOS)], logProb: 0, done: false }];
    for (let step = 0; step < maxLen && hyps.some((h) => !h.done); step++) {
      const cands: typeof hyps = [];
      for (const h of hyps) {
        if (h.done) {
          cands.push(h);
          continue;
        }
        const logp = tf.tidy(() => {
          const { logits } = this.decode(tf.tensor2d([h.ids], [1, h.ids.length], 'int32'), memory, mask);
          return tf.logSoftmax(logits.slice([0, h.ids.length - 1, 0], [1, 1, -1]).reshape([-1])).dataSync();
        });
        const order = Array.from(logp.keys()).sort((a, b) => logp[b]! - logp[a]!).slice(0, beam);
        for (const a of order) cands.push({ ids: [...h.ids, a], logProb: h.logProb + logp[a]!, done: a === eos });
      }
      const score = (h: { ids: number[]; logProb: number }): number => h.logProb / Math.pow((5 + h.ids.length - 1) / 6, alpha);
      hyps = cands.sort((a, b) => score(b) - score(a)).slice(0, beam);
    }
    const best = hyps[0]!;
    const attention = tf.tidy(() => {
      const { cross } = this.decode(tf.tensor2d([best.ids], [1, best.ids.length], 'int32'), memory, mask);
      return tf.mean(cross, 1).arraySync() as number[][][];
    })[0]!;
    tf.dispose([memory, mask]);
    const tokens = this.tgtVocab.decode(best.ids);
    return { tokens, attention: attention.slice(0, tokens.length + 1) };
  }

  /** Save options, both vocabularies (vocab.json) and weights to `dir` (the format of src/nets/saved-model.ts). */
  async save(dir: string, opts: Pick<SaveNamedOptions, 'precision'> = {}): Promise<void> {
    await saveNamedWeights(dir, 'transformer', this.opts, stripPrefix(this.variables), { extra: { vocab: vocabPairJson(this.srcVocab, this.tgtVocab) }, precision: opts.precision });
  }

  /** A Transformer saved by save() (or by `bench/translate.ts --save`). */
  static async load(dir: string): Promise<Transformer> {
    const { config, weights, extra } = await loadNamedWeights(dir, 'transformer');
    return restore(
      weights,
      `Transformer.load(${dir})`,
      () => {
        const vocab = readVocabPair(extra('vocab'), dir);
        return new Transformer(vocab.src, vocab.tgt, config as Partial<TransformerOptions>);
      },
      (m) => stripPrefix(m.variables),
    );
  }

  dispose(): void {
    this.variables.forEach((v) => v.dispose());
    this.pe.dispose();
  }
}
