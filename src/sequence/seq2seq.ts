/**
 * Encoder-decoder with attention (Bahdanau et al. 2015; Luong et al. 2015), GRU or LSTM cells.
 *
 * Encoder: embeddings -> GRU/LSTM over the (padded, masked) source; with `bidirectional`, a forward
 * and a backward cell of hidden/2 units each, whose outputs (the attention keys) and final states
 * (the decoder's initial state) are concatenated, so the decoder sees `hidden` units either way.
 * Decoder, per target step t, with previous state s and previous token y:
 *   bahdanau: context from s (additive attention), s' = GRU([emb(y); context], s), logits = W_o [s'; context]
 *   luong:    s' = GRU([emb(y); h~_prev], s) (input feeding), context from s' (general attention),
 *             h~ = tanh(W_c [context; s']), logits = W_o h~
 * Training uses teacher forcing with a masked cross-entropy; decoding is greedy or beam search and
 * returns the attention weights (one row per output token) for display.
 */
import { tf } from '../nets/backend.ts';
import { Rng } from '../util/rng.ts';
import { UserError } from '../util/errors.ts';
import { GRUCell, LSTMCell, runCell } from './recurrent.ts';
import { bahdanauAttention, luongAttention } from './attention.ts';
import { BOS, EOS, PAD, readVocabPair, vocabPairJson, type Vocab } from './data/vocab.ts';
import { loadNamedWeights, restore, saveNamedWeights, type SaveNamedOptions } from '../nets/saved-model.ts';

export interface Seq2SeqOptions {
  /** 'bahdanau' (additive, before the decoder step) or 'luong' (general, after it, with input feeding); 'none' decodes from the encoder's final state alone. */
  attention: 'bahdanau' | 'luong' | 'none';
  /** Recurrent cell of encoder and decoder. Default 'gru'. */
  cell: 'gru' | 'lstm';
  /** Encoder reads the source both ways (hidden/2 units per direction). Default false. */
  bidirectional: boolean;
  embedDim: number;
  hidden: number;
  seed: number;
}

export const DEFAULT_SEQ2SEQ: Readonly<Seq2SeqOptions> = Object.freeze({ attention: 'bahdanau', cell: 'gru', bidirectional: false, embedDim: 64, hidden: 128, seed: 0 });

type Cell = GRUCell | LSTMCell;

let modelCounter = 0;

/** Pad id sequences to one length: ids [B, T] and mask [B, T]. */
export function padBatch(seqs: readonly (readonly number[])[], padId: number): { ids: tf.Tensor2D; mask: tf.Tensor2D; length: number } {
  const T = Math.max(1, ...seqs.map((s) => s.length));
  const ids = new Int32Array(seqs.length * T).fill(padId);
  const mask = new Float32Array(seqs.length * T);
  seqs.forEach((s, b) => {
    for (let t = 0; t < s.length; t++) {
      ids[b * T + t] = s[t]!;
      mask[b * T + t] = 1;
    }
  });
  return { ids: tf.tensor2d(ids, [seqs.length, T], 'int32'), mask: tf.tensor2d(mask, [seqs.length, T]), length: T };
}

export interface Translation {
  tokens: string[];
  /** [output tokens][source tokens] attention weights (empty rows without attention). */
  attention: number[][];
  logProb: number;
}

export interface DecodeOptions {
  /** Beam width (1 = greedy). Default 1. */
  beam?: number;
  /** Most output tokens. Default 2 * source length + 10. */
  maxLen?: number;
  /** Beam score = logProb / ((5 + length) / 6)^alpha (GNMT). Default 0.6. */
  lengthPenalty?: number;
  /** Sample each token from softmax(logits / temperature) instead of searching (needs beam 1). */
  temperature?: number;
  /** Seed of the sampler (with temperature). Default 0. */
  seed?: number;
}

export class Seq2Seq {
  readonly opts: Seq2SeqOptions;
  readonly srcVocab: Vocab;
  readonly tgtVocab: Vocab;
  private readonly srcEmb: tf.Variable;
  private readonly tgtEmb: tf.Variable;
  /** One encoder cell, or [forward, backward] when bidirectional. */
  private readonly encoders: Cell[];
  private readonly decoder: Cell;
  private readonly wq: tf.Variable;
  private readonly wk: tf.Variable;
  private readonly v: tf.Variable;
  private readonly wc: tf.Variable;
  private readonly wo: tf.Variable;
  private readonly bo: tf.Variable;
  readonly variables: tf.Variable[];
  private readonly allVariables: tf.Variable[];

  constructor(srcVocab: Vocab, tgtVocab: Vocab, options: Partial<Seq2SeqOptions> = {}) {
    const o: Seq2SeqOptions = { ...DEFAULT_SEQ2SEQ, ...options };
    if (o.attention !== 'bahdanau' && o.attention !== 'luong' && o.attention !== 'none') throw new UserError(`attention must be bahdanau, luong or none, got '${o.attention}'`);
    if (o.cell !== 'gru' && o.cell !== 'lstm') throw new UserError(`cell must be gru or lstm, got '${o.cell}'`);
    for (const k of ['embedDim', 'hidden'] as const) if (!Number.isInteger(o[k]) || o[k] < 1) throw new UserError(`${k} must be a positive integer, got ${o[k]}`);
    if (o.bidirectional && o.hidden % 2 !== 0) throw new UserError(`a bidirectional encoder splits hidden into two halves: hidden must be even, got ${o.hidden}`);
    this.opts = o;
    this.srcVocab = srcVocab;
    this.tgtVocab = tgtVocab;
    const rng = new Rng(o.seed);
    const id = `seq2seq${++modelCounter}`;
    const mat = (r: number, c: number, name: string, scale = Math.sqrt(1 / r)): tf.Variable =>
      tf.variable(tf.tensor2d(Float32Array.from({ length: r * c }, () => rng.normal(0, scale)), [r, c]), true, `${id}/${name}`);
    const { embedDim: E, hidden: H } = o;
    const makeCell = (input: number, units: number, seed: number, name: string): Cell =>
      o.cell === 'lstm' ? new LSTMCell(input, units, { seed, name: `${id}_${name}` }) : new GRUCell(input, units, { seed, name: `${id}_${name}` });
    this.srcEmb = mat(srcVocab.size, E, 'src_emb', 0.1);
    this.tgtEmb = mat(tgtVocab.size, E, 'tgt_emb', 0.1);
    this.encoders = o.bidirectional ? [makeCell(E, H / 2, o.seed + 1, 'enc'), makeCell(E, H / 2, o.seed + 3, 'enc_bw')] : [makeCell(E, H, o.seed + 1, 'enc')];
    // Bahdanau feeds the context into the decoder cell; Luong feeds the previous attentional vector.
    this.decoder = makeCell(o.attention === 'none' ? E : E + H, H, o.seed + 2, 'dec');
    this.wq = mat(H, H, 'att_wq');
    this.wk = mat(H, H, 'att_wk');
    this.v = tf.variable(tf.tensor1d(Float32Array.from({ length: H }, () => rng.normal(0, Math.sqrt(1 / H)))), true, `${id}/att_v`);
    this.wc = mat(2 * H, H, 'att_wc');
    this.wo = mat(o.attention === 'bahdanau' ? 2 * H : H, tgtVocab.size, 'out_w');
    this.bo = tf.variable(tf.zeros([tgtVocab.size]), true, `${id}/out_b`);
    // Only the weights this attention type uses (an unused one would get a null gradient).
    const att = o.attention === 'bahdanau' ? [this.wq, this.wk, this.v] : o.attention === 'luong' ? [this.wq, this.wc] : [];
    const cells = [...this.encoders.flatMap((c) => c.weights), ...this.decoder.weights];
    this.variables = [this.srcEmb, this.tgtEmb, ...cells, ...att, this.wo, this.bo];
    this.allVariables = [this.srcEmb, this.tgtEmb, ...cells, this.wq, this.wk, this.v, this.wc, this.wo, this.bo];
  }

  /** Every weight by a stable name (what save() writes). */
  namedWeights(): Record<string, tf.Variable> {
    const [fw, bw] = this.encoders;
    return {
      src_emb: this.srcEmb,
      tgt_emb: this.tgtEmb,
      ...fw!.namedWeights('encoder/'),
      ...(bw ? bw.namedWeights('encoder_backward/') : {}),
      ...this.decoder.namedWeights('decoder/'),
      att_wq: this.wq,
      att_wk: this.wk,
      att_v: this.v,
      att_wc: this.wc,
      out_w: this.wo,
      out_b: this.bo,
    };
  }

  /** Keys [B, S, H], source mask and the decoder's initial states. */
  private encode(src: readonly (readonly number[])[]): { keys: tf.Tensor3D; mask: tf.Tensor2D; states: tf.Tensor2D[] } {
    const { ids, mask } = padBatch(src, this.srcVocab.id(PAD));
    const emb = tf.gather(this.srcEmb, ids) as tf.Tensor3D;
    const [fw, bw] = this.encoders;
    const f = runCell(fw!, emb, { mask });
    if (!bw) return { keys: f.outputs, mask, states: f.finalStates };
    const b = runCell(bw, emb, { mask, reverse: true });
    const keys = tf.concat([f.outputs, b.outputs], 2) as tf.Tensor3D;
    return { keys, mask, states: f.finalStates.map((s, i) => tf.concat([s, b.finalStates[i]!], 1) as tf.Tensor2D) };
  }

  /** One decoder step: logits [B, V], new states, attentional vector (Luong) and attention weights. */
  private decodeStep(y: tf.Tensor1D, states: tf.Tensor2D[], feed: tf.Tensor2D, keys: tf.Tensor3D, mask: tf.Tensor2D): { logits: tf.Tensor2D; states: tf.Tensor2D[]; feed: tf.Tensor2D; weights: tf.Tensor2D } {
    const e = tf.gather(this.tgtEmb, y) as tf.Tensor2D;
    if (this.opts.attention === 'none') {
      const next = this.decoder.step(e, states);
      const logits = tf.add(tf.matMul(next.h, this.wo), this.bo) as tf.Tensor2D;
      return { logits, states: next.states, feed, weights: tf.zeros([y.shape[0], 0]) };
    }
    if (this.opts.attention === 'bahdanau') {
      const { context, weights } = bahdanauAttention(states[0]!, keys, this.wq as tf.Tensor2D, this.wk as tf.Tensor2D, this.v as tf.Tensor1D, mask);
      const next = this.decoder.step(tf.concat([e, context], 1) as tf.Tensor2D, states);
      const logits = tf.add(tf.matMul(tf.concat([next.h, context], 1), this.wo), this.bo) as tf.Tensor2D;
      return { logits, states: next.states, feed, weights };
    }
    const next = this.decoder.step(tf.concat([e, feed], 1) as tf.Tensor2D, states);
    const { context, weights } = luongAttention(next.h, keys, this.wq as tf.Tensor2D, mask);
    const att = tf.tanh(tf.matMul(tf.concat([context, next.h], 1), this.wc)) as tf.Tensor2D;
    const logits = tf.add(tf.matMul(att, this.wo), this.bo) as tf.Tensor2D;
    return { logits, states: next.states, feed: att, weights };
  }

  /** Mean token cross-entropy with teacher forcing; pairs are token-id sequences without BOS/EOS. */
  loss(src: readonly (readonly number[])[], tgt: readonly (readonly number[])[], labelSmoothing = 0): tf.Scalar {
    if (src.length !== tgt.length || src.length === 0) throw new UserError(`loss needs the same positive number of sources and targets, got ${src.length} and ${tgt.length}`);
    if (src.some((s) => s.length === 0)) throw new UserError('empty source sentence in the batch');
    return tf.tidy(() => {
      const bos = this.tgtVocab.id(BOS);
      const eos = this.tgtVocab.id(EOS);
      const { keys, mask, states } = this.encode(src);
      const inp = padBatch(tgt.map((t) => [bos, ...t]), this.tgtVocab.id(PAD));
      const out = padBatch(tgt.map((t) => [...t, eos]), this.tgtVocab.id(PAD));
      const B = src.length;
      const V = this.tgtVocab.size;
      let s = states;
      let feed = tf.zeros([B, this.opts.hidden]) as tf.Tensor2D;
      const inputs = tf.unstack(inp.ids, 1) as tf.Tensor1D[];
      const targets = tf.unstack(out.ids, 1) as tf.Tensor1D[];
      const masks = tf.unstack(out.mask, 1) as tf.Tensor1D[];
      let total = tf.scalar(0);
      for (let t = 0; t < inputs.length; t++) {
        const r = this.decodeStep(inputs[t]!, s, feed, keys, mask);
        s = r.states;
        feed = r.feed;
        const onehot = tf.oneHot(targets[t]!, V).toFloat();
        const smooth = labelSmoothing > 0 ? tf.add(tf.mul(onehot, 1 - labelSmoothing), labelSmoothing / V) : onehot;
        const nll = tf.neg(tf.sum(tf.mul(smooth, tf.logSoftmax(r.logits)), 1));
        total = tf.add(total, tf.sum(tf.mul(nll, masks[t]!)));
      }
      return tf.div(total, tf.sum(out.mask)) as tf.Scalar;
    });
  }

  trainStep(optimizer: tf.Optimizer, src: readonly (readonly number[])[], tgt: readonly (readonly number[])[], clipNorm = 5): number {
    const { value, grads } = tf.variableGrads(() => this.loss(src, tgt), this.variables);
    const clipped = tf.tidy(() => {
      const list = this.variables.map((v) => grads[v.name]!);
      const norm = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g))))).dataSync()[0]!;
      const scale = norm > clipNorm ? clipNorm / norm : 1;
      return Object.fromEntries(this.variables.map((v) => [v.name, tf.mul(grads[v.name]!, scale)]));
    });
    optimizer.applyGradients(clipped as Record<string, tf.Tensor>);
    const loss = value.dataSync()[0]!;
    tf.dispose([value, grads, clipped]);
    return loss;
  }

  /**
   * Translate one source sentence of tokens: beam search (width 1 = greedy), or with `temperature`
   * sampling each token from softmax(logits / temperature) (seeded; beam must be 1).
   */
  translate(srcTokens: readonly string[], opts: DecodeOptions = {}): Translation {
    if (srcTokens.length === 0) throw new UserError('cannot translate an empty sentence');
    const beam = opts.beam ?? 1;
    if (!Number.isInteger(beam) || beam < 1) throw new UserError(`beam must be a positive integer, got ${beam}`);
    const T = opts.temperature;
    if (T !== undefined && !(T > 0)) throw new UserError(`temperature must be a positive number, got ${T}`);
    if (T !== undefined && beam !== 1) throw new UserError(`sampling (temperature ${T}) draws one sequence: use beam 1, got ${beam}`);
    const sampler = T !== undefined ? new Rng(opts.seed ?? 0) : null;
    const maxLen = opts.maxLen ?? 2 * srcTokens.length + 10;
    const alpha = opts.lengthPenalty ?? 0.6;
    const eos = this.tgtVocab.id(EOS);
    const enc = tf.tidy(() => this.encode([this.srcVocab.encode(srcTokens)]));
    interface Hyp {
      ids: number[];
      logProb: number;
      states: tf.Tensor2D[];
      feed: tf.Tensor2D;
      att: number[][];
      done: boolean;
    }
    const feed0 = tf.zeros([1, this.opts.hidden]) as tf.Tensor2D;
    let hyps: Hyp[] = [{ ids: [this.tgtVocab.id(BOS)], logProb: 0, states: enc.states, feed: feed0, att: [], done: false }];
    const keep = new Set<tf.Tensor>([feed0]);
    for (let step = 0; step < maxLen && hyps.some((h) => !h.done); step++) {
      const cands: Hyp[] = [];
      for (const h of hyps) {
        if (h.done) {
          cands.push(h);
          continue;
        }
        const r = tf.tidy(() => {
          const o = this.decodeStep(tf.tensor1d([h.ids[h.ids.length - 1]!], 'int32'), h.states, h.feed, enc.keys, enc.mask);
          const logp = tf.logSoftmax(o.logits).reshape([-1]);
          const sampleP = T !== undefined ? tf.softmax(tf.div(o.logits, T)).reshape([-1]) : logp;
          return { logp, sampleP, states: o.states, feed: o.feed, weights: o.weights };
        });
        const logp = r.logp.dataSync();
        const probs = r.sampleP.dataSync();
        const w = Array.from(r.weights.dataSync());
        for (const t of r.states) keep.add(t);
        keep.add(r.feed);
        tf.dispose([r.logp, r.sampleP, r.weights]);
        const order = sampler ? [sampler.categorical(probs)] : Array.from(logp.keys()).sort((a, b) => logp[b]! - logp[a]!).slice(0, beam);
        for (const a of order) cands.push({ ids: [...h.ids, a], logProb: h.logProb + logp[a]!, states: r.states, feed: r.feed, att: [...h.att, w], done: a === eos });
      }
      const score = (h: Hyp): number => h.logProb / Math.pow((5 + h.ids.length - 1) / 6, alpha);
      hyps = cands.sort((a, b) => score(b) - score(a)).slice(0, beam);
    }
    const best = hyps[0]!;
    const tokens = this.tgtVocab.decode(best.ids);
    const result = { tokens, attention: best.att.slice(0, tokens.length + 1), logProb: best.logProb };
    for (const t of keep) t.dispose();
    tf.dispose([enc.keys, enc.mask, ...enc.states]);
    return result;
  }

  /** Save options, both vocabularies (vocab.json) and weights to `dir` (the format of src/nets/saved-model.ts). */
  async save(dir: string, opts: Pick<SaveNamedOptions, 'precision'> = {}): Promise<void> {
    await saveNamedWeights(dir, 'seq2seq', this.opts, this.namedWeights(), { extra: { vocab: vocabPairJson(this.srcVocab, this.tgtVocab) }, precision: opts.precision });
  }

  /** A Seq2Seq model saved by save(). */
  static async load(dir: string): Promise<Seq2Seq> {
    const { config, weights, extra } = await loadNamedWeights(dir, 'seq2seq');
    return restore(
      weights,
      `Seq2Seq.load(${dir})`,
      () => {
        const vocab = readVocabPair(extra('vocab'), dir);
        return new Seq2Seq(vocab.src, vocab.tgt, config as Partial<Seq2SeqOptions>);
      },
      (m) => m.namedWeights(),
    );
  }

  dispose(): void {
    this.allVariables.forEach((v) => v.dispose());
  }
}
