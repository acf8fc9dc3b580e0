/**
 * word2vec (Mikolov et al. 2013): skip-gram and CBOW with negative sampling, subsampling of
 * frequent words, a dynamic window and a linearly decaying learning rate. Plain Float32Array maths
 * (the reference implementation is plain C too): no tensors in the inner loop.
 */
import { readFileSync } from 'node:fs';
import { Rng } from '../util/rng.ts';
import { UserError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/fs.ts';
import { UNK, Vocab } from './data/vocab.ts';
import { ensureBackend, tf } from '../nets/backend.ts';
import { loadNamedWeights, saveNamedWeights } from '../nets/saved-model.ts';

export interface Word2VecOptions {
  /** 'skipgram' predicts context words from the centre word; 'cbow' the centre from the mean of its context. Default 'skipgram'. */
  model: 'skipgram' | 'cbow';
  /** Vector size. Default 100. */
  dim: number;
  /** Maximum context distance; each position draws its window uniformly in 1..window. Default 5. */
  window: number;
  /** Negative samples per positive pair, drawn from unigram^0.75. Default 5. */
  negative: number;
  /** Subsampling threshold t (0 disables). Default 1e-3. */
  sample: number;
  /** Words seen fewer times are dropped. Default 5. */
  minCount: number;
  /** Passes over the corpus. Default 5. */
  epochs: number;
  /** Starting learning rate, decayed linearly to alpha * 1e-4. Default 0.025 (skip-gram), 0.05 (CBOW). */
  alpha?: number;
  seed: number;
}

export const DEFAULT_W2V: Readonly<Word2VecOptions> = Object.freeze({ model: 'skipgram', dim: 100, window: 5, negative: 5, sample: 1e-3, minCount: 5, epochs: 5, seed: 1 });

const TABLE_SIZE = 1_000_000;
const MAX_EXP = 6;

export interface TrainStats {
  words: number;
  seconds: number;
  wordsPerSec: number;
}

export class Word2Vec {
  readonly vocab: Vocab;
  readonly dim: number;
  /** Input (word) vectors, vocab.size x dim. */
  readonly vectors: Float32Array;

  constructor(vocab: Vocab, dim: number, vectors?: Float32Array) {
    if (!Number.isInteger(dim) || dim < 1) throw new UserError(`dim must be a positive integer, got ${dim}`);
    this.vocab = vocab;
    this.dim = dim;
    this.vectors = vectors ?? new Float32Array(vocab.size * dim);
    if (this.vectors.length !== vocab.size * dim) throw new UserError(`expected ${vocab.size * dim} vector values, got ${this.vectors.length}`);
  }

  /** Train on tokenised sentences. */
  static train(sentences: readonly (readonly string[])[], options: Partial<Word2VecOptions> = {}, onProgress?: (fraction: number, alpha: number) => void): { model: Word2Vec; stats: TrainStats } {
    const o: Word2VecOptions = { ...DEFAULT_W2V, ...options };
    if (!['skipgram', 'cbow'].includes(o.model)) throw new UserError(`model must be skipgram or cbow, got '${o.model}'`);
    for (const k of ['dim', 'window', 'epochs'] as const) if (!Number.isInteger(o[k]) || o[k] < 1) throw new UserError(`${k} must be a positive integer, got ${o[k]}`);
    if (!Number.isInteger(o.negative) || o.negative < 1) throw new UserError(`negative must be a positive integer, got ${o.negative}`);
    if (sentences.length === 0) throw new UserError('word2vec needs at least one sentence');
    const vocab = Vocab.build(sentences, { minCount: o.minCount, specials: [UNK] });
    if (vocab.size < 2) throw new UserError(`no word occurs at least minCount=${o.minCount} times`);
    const V = vocab.size;
    const D = o.dim;
    const rng = new Rng(o.seed);
    const model = new Word2Vec(vocab, D);
    const syn0 = model.vectors;
    for (let i = 0; i < syn0.length; i++) syn0[i] = (rng.next() - 0.5) / D;
    const syn1 = new Float32Array(V * D);
    // Corpus as ids, unknown words dropped.
    const corpus = sentences.map((s) => Int32Array.from(s.filter((w) => vocab.has(w)).map((w) => vocab.id(w))));
    let totalWords = 0;
    for (const s of corpus) totalWords += s.length;
    // Unigram^0.75 table for negatives (the <unk> slot has count 0 and is never drawn).
    const table = new Int32Array(TABLE_SIZE);
    let norm = 0;
    for (let i = 0; i < V; i++) norm += Math.pow(vocab.counts[i]!, 0.75);
    let wi = 1;
    let cum = Math.pow(vocab.counts[1]!, 0.75) / norm;
    for (let a = 0; a < TABLE_SIZE; a++) {
      table[a] = wi;
      if (a / TABLE_SIZE > cum && wi < V - 1) {
        wi++;
        cum += Math.pow(vocab.counts[wi]!, 0.75) / norm;
      }
    }
    // Keep probability of each word under subsampling.
    const keep = new Float64Array(V).fill(1);
    if (o.sample > 0) {
      const tw = o.sample * totalWords;
      for (let i = 1; i < V; i++) {
        const c = vocab.counts[i]!;
        keep[i] = Math.min(1, (Math.sqrt(c / tw) + 1) * (tw / c));
      }
    }
    const alpha0 = o.alpha ?? (o.model === 'cbow' ? 0.05 : 0.025);
    const neu1 = new Float32Array(D);
    const neu1e = new Float32Array(D);
    const sent = new Int32Array(2048);
    const t0 = performance.now();
    const total = o.epochs * totalWords;
    let processed = 0;
    let alpha = alpha0;
    // One (input vector, target word, label) update of negative sampling: returns nothing, accumulates neu1e.
    const update = (input: Float32Array, inOff: number, target: number, label: number): void => {
      const l2 = target * D;
      let f = 0;
      for (let c = 0; c < D; c++) f += input[inOff + c]! * syn1[l2 + c]!;
      let g: number;
      if (f > MAX_EXP) g = (label - 1) * alpha;
      else if (f < -MAX_EXP) g = label * alpha;
      else g = (label - 1 / (1 + Math.exp(-f))) * alpha;
      for (let c = 0; c < D; c++) neu1e[c]! += g * syn1[l2 + c]!;
      for (let c = 0; c < D; c++) syn1[l2 + c]! += g * input[inOff + c]!;
    };
    const trainPair = (input: Float32Array, inOff: number, word: number): void => {
      update(input, inOff, word, 1);
      for (let n = 0; n < o.negative; n++) {
        const t = table[rng.int(TABLE_SIZE)]!;
        if (t !== word) update(input, inOff, t, 0);
      }
    };
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      for (const s of corpus) {
        let len = 0;
        for (let i = 0; i < s.length && len < sent.length; i++) {
          const w = s[i]!;
          if (keep[w]! < 1 && rng.next() > keep[w]!) continue;
          sent[len++] = w;
        }
        processed += s.length;
        alpha = Math.max(alpha0 * 1e-4, alpha0 * (1 - processed / (total + 1)));
        for (let pos = 0; pos < len; pos++) {
          const word = sent[pos]!;
          const b = rng.int(o.window); // effective window = window - b
          if (o.model === 'cbow') {
            neu1.fill(0);
            neu1e.fill(0);
            let cw = 0;
            for (let a = b; a < o.window * 2 + 1 - b; a++) {
              if (a === o.window) continue;
              const p = pos - o.window + a;
              if (p < 0 || p >= len) continue;
              const l1 = sent[p]! * D;
              for (let c = 0; c < D; c++) neu1[c]! += syn0[l1 + c]!;
              cw++;
            }
            if (cw === 0) continue;
            for (let c = 0; c < D; c++) neu1[c]! /= cw;
            trainPair(neu1, 0, word);
            for (let a = b; a < o.window * 2 + 1 - b; a++) {
              if (a === o.window) continue;
              const p = pos - o.window + a;
              if (p < 0 || p >= len) continue;
              const l1 = sent[p]! * D;
              for (let c = 0; c < D; c++) syn0[l1 + c]! += neu1e[c]!;
            }
          } else {
            for (let a = b; a < o.window * 2 + 1 - b; a++) {
              if (a === o.window) continue;
              const p = pos - o.window + a;
              if (p < 0 || p >= len) continue;
              const l1 = sent[p]! * D;
              neu1e.fill(0);
              trainPair(syn0, l1, word);
              for (let c = 0; c < D; c++) syn0[l1 + c]! += neu1e[c]!;
            }
          }
        }
      }
      onProgress?.((epoch + 1) / o.epochs, alpha);
    }
    const seconds = (performance.now() - t0) / 1000;
    return { model, stats: { words: total, seconds, wordsPerSec: total / seconds } };
  }

  vector(word: string): Float32Array {
    const i = this.vocab.strictId(word);
    return this.vectors.subarray(i * this.dim, (i + 1) * this.dim);
  }

  private norms(): Float64Array {
    const n = new Float64Array(this.vocab.size);
    for (let i = 0; i < n.length; i++) {
      let s = 0;
      for (let c = 0; c < this.dim; c++) s += this.vectors[i * this.dim + c]! ** 2;
      n[i] = Math.sqrt(s) || 1;
    }
    return n;
  }

  /** The k words with the highest cosine similarity to a query vector, excluding some ids. */
  nearestToVector(q: ArrayLike<number>, k: number, exclude: Set<number> = new Set()): Array<{ word: string; similarity: number }> {
    const norms = this.norms();
    let qn = 0;
    for (let c = 0; c < this.dim; c++) qn += q[c]! ** 2;
    qn = Math.sqrt(qn) || 1;
    const scored: Array<{ word: string; similarity: number }> = [];
    for (let i = 0; i < this.vocab.size; i++) {
      if (exclude.has(i) || this.vocab.token(i) === UNK) continue;
      let dot = 0;
      for (let c = 0; c < this.dim; c++) dot += this.vectors[i * this.dim + c]! * q[c]!;
      scored.push({ word: this.vocab.token(i), similarity: dot / (norms[i]! * qn) });
    }
    scored.sort((a, b) => b.similarity - a.similarity);
    return scored.slice(0, k);
  }

  nearest(word: string, k = 10): Array<{ word: string; similarity: number }> {
    return this.nearestToVector(this.vector(word), k, new Set([this.vocab.strictId(word)]));
  }

  /** a is to b as c is to ?: nearest to b - a + c (unit vectors), excluding a, b and c. */
  analogy(a: string, b: string, c: string, k = 5): Array<{ word: string; similarity: number }> {
    const unit = (w: string): Float64Array => {
      const v = this.vector(w);
      const n = Math.hypot(...v) || 1;
      return Float64Array.from(v, (x) => x / n);
    };
    const [va, vb, vc] = [unit(a), unit(b), unit(c)];
    const q = va.map((_, i) => vb[i]! - va[i]! + vc[i]!);
    return this.nearestToVector(q, k, new Set([a, b, c].map((w) => this.vocab.strictId(w))));
  }

  /** Save the vectors and vocabulary (tokens and counts) to `dir`, in tengen's model format (src/nets/saved-model.ts). */
  async save(dir: string): Promise<void> {
    await ensureBackend(); // word2vec itself needs no tensors; the file writer does
    const vectors = tf.tensor2d(this.vectors, [this.vocab.size, this.dim]);
    try {
      await saveNamedWeights(dir, 'word2vec', { dim: this.dim }, { vectors }, { extra: { vocab: { tokens: this.vocab.itos, counts: this.vocab.counts } } });
    } finally {
      vectors.dispose();
    }
  }

  /** Word vectors saved by save(). */
  static async load(dir: string): Promise<Word2Vec> {
    const { config, weights, extra } = await loadNamedWeights(dir, 'word2vec');
    const t = weights['vectors'];
    try {
      const v = extra('vocab') as { tokens?: unknown; counts?: unknown } | undefined;
      const tokens = v?.tokens;
      if (!Array.isArray(tokens) || !tokens.every((w) => typeof w === 'string')) throw new UserError(`${dir}: vocab.json is missing or has no "tokens" list`);
      const dim = Number(config['dim']);
      if (t === undefined || t.shape.length !== 2 || t.shape[0] !== tokens.length || t.shape[1] !== dim) {
        throw new UserError(`${dir}: expected a [${tokens.length}, ${dim}] "vectors" weight, got ${t === undefined ? 'none' : `[${t.shape}]`}`);
      }
      return new Word2Vec(Vocab.fromTokens(tokens as string[], Array.isArray(v?.counts) ? (v.counts as number[]) : undefined), dim, (await t.data()) as Float32Array);
    } finally {
      tf.dispose(Object.values(weights));
    }
  }

  /** Save in the word2vec text format (read by gensim and the original C tools): a header "<words> <dim>", then "<word> <v1> ... <vdim>" per line. */
  saveText(path: string): void {
    const lines = [`${this.vocab.size} ${this.dim}`];
    for (let i = 0; i < this.vocab.size; i++) {
      const v = Array.from(this.vectors.subarray(i * this.dim, (i + 1) * this.dim), (x) => x.toPrecision(9));
      lines.push(`${this.vocab.token(i)} ${v.join(' ')}`);
    }
    writeFileAtomic(path, lines.join('\n') + '\n');
  }

  /** Vectors in the word2vec text format (saveText's output, or any word2vec .txt file). */
  static loadText(path: string): Word2Vec {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new UserError(`${path}: cannot read the vectors file`);
    }
    const lines = text.split('\n').filter((l) => l.length > 0);
    const header = /^(\d+) (\d+)$/.exec(lines[0]?.trim() ?? '');
    if (!header) throw new UserError(`${path}:1: expected the header "<words> <dim>", got '${(lines[0] ?? '').slice(0, 40)}'`);
    const [n, dim] = [Number(header[1]), Number(header[2])];
    if (lines.length - 1 !== n) throw new UserError(`${path}: header says ${n} words but the file has ${lines.length - 1} vector lines`);
    const words: string[] = [];
    const vectors = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) {
      const parts = lines[i + 1]!.trim().split(' ');
      if (parts.length !== dim + 1) throw new UserError(`${path}:${i + 2}: expected a word and ${dim} numbers, got ${parts.length - 1} numbers`);
      words.push(parts[0]!);
      for (let c = 0; c < dim; c++) {
        const v = Number(parts[c + 1]);
        if (!Number.isFinite(v)) throw new UserError(`${path}:${i + 2}: '${parts[c + 1]}' is not a number`);
        vectors[i * dim + c] = v;
      }
    }
    if (!words.includes(UNK)) words.push(UNK);
    const vocab = Vocab.fromTokens(words);
    const full = new Float32Array(vocab.size * dim);
    full.set(vectors);
    return new Word2Vec(vocab, dim, full);
  }
}
