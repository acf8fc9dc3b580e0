import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, tf } from '../../src/nets/backend.ts';
import { Rng } from '../../src/util/rng.ts';
import { Vocab } from '../../src/sequence/data/vocab.ts';
import { Seq2Seq, padBatch } from '../../src/sequence/seq2seq.ts';
import { bahdanauAttention, causalMask, luongAttention, scaledDotProductAttention } from '../../src/sequence/attention.ts';

let root: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
  root = mkdtempSync(join(tmpdir(), 'tengen-seq2seq-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const letters = ['a', 'b', 'c', 'd', 'e'];
const vocab = Vocab.build([letters]);

function copyBatch(rng: Rng, n: number): { src: number[][]; tgt: number[][] } {
  const src = Array.from({ length: n }, () => Array.from({ length: 2 + rng.int(3) }, () => vocab.id(letters[rng.int(5)]!)));
  return { src, tgt: src.map((s) => s.slice()) };
}

describe('attention', () => {
  it('gives padded positions no weight and weights summing to 1', () => {
    const keys = tf.randomNormal([2, 4, 3], 0, 1, 'float32', 1) as tf.Tensor3D;
    const mask = tf.tensor2d([
      [1, 1, 0, 0],
      [1, 1, 1, 1],
    ]);
    const q = tf.randomNormal([2, 3], 0, 1, 'float32', 2) as tf.Tensor2D;
    for (const { weights } of [
      bahdanauAttention(q, keys, tf.eye(3) as tf.Tensor2D, tf.eye(3) as tf.Tensor2D, tf.ones([3]) as tf.Tensor1D, mask),
      luongAttention(q, keys, tf.eye(3) as tf.Tensor2D, mask),
    ]) {
      const w = weights.arraySync();
      expect(w[0]![2]).toBeLessThan(1e-6);
      expect(w[0]![3]).toBeLessThan(1e-6);
      for (const row of w) expect(row.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 5);
    }
  });

  it('scaled dot-product attention with a causal mask never looks ahead', () => {
    const x = tf.randomNormal([1, 5, 4], 0, 1, 'float32', 3);
    const { weights } = scaledDotProductAttention(x, x, x, causalMask(5));
    const w = (weights.arraySync() as number[][][])[0]!;
    for (let i = 0; i < 5; i++) for (let j = i + 1; j < 5; j++) expect(w[i]![j]).toBeLessThan(1e-6);
  });
});

describe('seq2seq with attention', () => {
  it('pads batches with a mask', () => {
    const { ids, mask, length } = padBatch([[5, 6, 7], [8]], 0);
    expect(length).toBe(3);
    expect(ids.arraySync()).toEqual([
      [5, 6, 7],
      [8, 0, 0],
    ]);
    expect(mask.arraySync()).toEqual([
      [1, 1, 1],
      [1, 0, 0],
    ]);
  });

  for (const attention of ['bahdanau', 'luong'] as const) {
    it(`${attention}: training lowers the loss, without leaking tensors, and decodes with attention rows`, () => {
      const model = new Seq2Seq(vocab, vocab, { attention, embedDim: 8, hidden: 16, seed: 1 });
      const rng = new Rng(2);
      const opt = tf.train.adam(0.02);
      const probe = copyBatch(new Rng(99), 16);
      const lossOf = (): number => tf.tidy(() => model.loss(probe.src, probe.tgt).dataSync()[0]!);
      const before = lossOf();
      const b0 = copyBatch(rng, 16);
      model.trainStep(opt, b0.src, b0.tgt);
      const n0 = tf.memory().numTensors;
      for (let i = 0; i < 40; i++) {
        const b = copyBatch(rng, 16);
        model.trainStep(opt, b.src, b.tgt);
      }
      expect(tf.memory().numTensors).toBe(n0);
      expect(lossOf()).toBeLessThan(before * 0.75);
      const n1 = tf.memory().numTensors;
      const tr = model.translate(['a', 'b', 'c'], { beam: 3, maxLen: 6 });
      expect(tf.memory().numTensors).toBe(n1);
      expect(tr.tokens.length).toBeLessThanOrEqual(6);
      expect(tr.attention.length).toBeGreaterThan(0);
      for (const row of tr.attention) {
        expect(row).toHaveLength(3);
        expect(row.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 4);
      }
      model.dispose();
    });
  }

  it('rejects empty input and bad settings', () => {
    expect(() => new Seq2Seq(vocab, vocab, { attention: 'dot' as 'luong' })).toThrow(/attention must be bahdanau, luong or none, got 'dot'/);
    expect(() => new Seq2Seq(vocab, vocab, { cell: 'rnn' as 'gru' })).toThrow(/cell must be gru or lstm, got 'rnn'/);
    expect(() => new Seq2Seq(vocab, vocab, { bidirectional: true, hidden: 5 })).toThrow(/hidden must be even, got 5/);
    const m = new Seq2Seq(vocab, vocab, { embedDim: 4, hidden: 4 });
    expect(() => m.translate([])).toThrow(/empty sentence/);
    expect(() => m.translate(['a'], { temperature: 0 })).toThrow(/temperature must be a positive number, got 0/);
    expect(() => m.translate(['a'], { temperature: 1, beam: 3 })).toThrow(/use beam 1, got 3/);
    expect(() => m.loss([[]], [[1]])).toThrow(/empty source sentence/);
    expect(() => m.loss([[1]], [])).toThrow(/same positive number/);
    m.dispose();
  });

  // LSTM cells, a bidirectional encoder and no attention: each variant learns the copy task.
  for (const variant of [
    { cell: 'lstm', attention: 'bahdanau', bidirectional: false },
    { cell: 'gru', attention: 'luong', bidirectional: true },
    { cell: 'lstm', attention: 'bahdanau', bidirectional: true },
    { cell: 'gru', attention: 'none', bidirectional: false },
  ] as const) {
    it(`${variant.cell}, ${variant.bidirectional ? 'bidirectional' : 'one-way'} encoder, attention ${variant.attention}: the loss falls and decoding leaks nothing`, () => {
      const model = new Seq2Seq(vocab, vocab, { ...variant, embedDim: 8, hidden: 16, seed: 1 });
      const rng = new Rng(2);
      const opt = tf.train.adam(0.02);
      const probe = copyBatch(new Rng(99), 16);
      const lossOf = (): number => tf.tidy(() => model.loss(probe.src, probe.tgt).dataSync()[0]!);
      const before = lossOf();
      for (let i = 0; i < 30; i++) {
        const b = copyBatch(rng, 16);
        model.trainStep(opt, b.src, b.tgt);
      }
      expect(lossOf()).toBeLessThan(before * 0.8);
      const n = tf.memory().numTensors;
      const tr = model.translate(['a', 'b', 'c'], { beam: 2, maxLen: 6 });
      model.translate(['a', 'b'], { temperature: 1, seed: 1, maxLen: 6 });
      expect(tf.memory().numTensors).toBe(n);
      if (variant.attention !== 'none') for (const row of tr.attention) expect(row).toHaveLength(3);
      model.dispose();
    });
  }

  it('samples with a temperature: the same seed gives the same sentence, a low temperature gives the greedy one', () => {
    const model = new Seq2Seq(vocab, vocab, { embedDim: 8, hidden: 16, seed: 4 });
    const rng = new Rng(5);
    const opt = tf.train.adam(0.02);
    for (let i = 0; i < 40; i++) {
      const b = copyBatch(rng, 16);
      model.trainStep(opt, b.src, b.tgt);
    }
    const src = ['b', 'd', 'a'];
    const greedy = model.translate(src, { maxLen: 6 });
    const a = model.translate(src, { temperature: 1.5, seed: 7, maxLen: 6 });
    expect(model.translate(src, { temperature: 1.5, seed: 7, maxLen: 6 })).toEqual(a);
    expect(model.translate(src, { temperature: 0.01, seed: 3, maxLen: 6 }).tokens).toEqual(greedy.tokens);
    // At a high temperature, draws differ between seeds (the untrained tails carry real mass).
    const hot = new Set(Array.from({ length: 8 }, (_, s) => model.translate(src, { temperature: 5, seed: s, maxLen: 6 }).tokens.join(' ')));
    expect(hot.size).toBeGreaterThan(1);
    model.dispose();
  });

  it('saves and loads: same vocabularies, options and outputs (to 1e-6)', async () => {
    for (const variant of [{ cell: 'lstm', bidirectional: true, attention: 'luong' }, { cell: 'gru', bidirectional: false, attention: 'bahdanau' }] as const) {
      const model = new Seq2Seq(vocab, vocab, { ...variant, embedDim: 8, hidden: 16, seed: 11 });
      const dir = join(root, `s2s-${variant.cell}`);
      await model.save(dir);
      const loaded = await Seq2Seq.load(dir);
      expect(loaded.opts).toEqual(model.opts);
      expect(loaded.srcVocab.itos).toEqual(vocab.itos);
      const probe = copyBatch(new Rng(3), 8);
      const [x, y] = [model, loaded].map((m) => tf.tidy(() => m.loss(probe.src, probe.tgt).dataSync()[0]!));
      expect(Math.abs(x! - y!)).toBeLessThan(1e-6);
      expect(loaded.translate(['a', 'c'], { beam: 2 })).toEqual(model.translate(['a', 'c'], { beam: 2 }));
      model.dispose();
      loaded.dispose();
    }
    await expect(Seq2Seq.load(join(root, 'nowhere'))).rejects.toThrow(/does not exist/);
  });
});
