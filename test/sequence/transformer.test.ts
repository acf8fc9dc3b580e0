import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, tf } from '../../src/nets/backend.ts';
import { Rng } from '../../src/util/rng.ts';
import { Vocab } from '../../src/sequence/data/vocab.ts';
import { layerNorm, positionalEncoding, Transformer, warmupLearningRate } from '../../src/sequence/transformer.ts';
import { padBatch } from '../../src/sequence/seq2seq.ts';

let root: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
  root = mkdtempSync(join(tmpdir(), 'tengen-transformer-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const letters = ['a', 'b', 'c', 'd', 'e'];
const vocab = Vocab.build([letters]);
const small = { dModel: 16, heads: 2, ffDim: 32, encoderLayers: 1, decoderLayers: 1, dropout: 0, maxLen: 16, seed: 3 };

describe('transformer parts', () => {
  it('positional encoding follows sin/cos of pos / 10000^(2i/d)', () => {
    const pe = positionalEncoding(10, 8).arraySync();
    expect(pe[0]![0]).toBe(0);
    expect(pe[0]![1]).toBe(1);
    expect(pe[3]![2]).toBeCloseTo(Math.sin(3 / Math.pow(10000, 2 / 8)), 6);
    expect(pe[3]![3]).toBeCloseTo(Math.cos(3 / Math.pow(10000, 2 / 8)), 6);
  });

  it('warm-up schedule rises linearly, peaks at the warm-up step, then decays as 1/sqrt(step)', () => {
    expect(warmupLearningRate(100, 512, 4000)).toBeCloseTo(warmupLearningRate(200, 512, 4000) / 2, 12);
    const peak = warmupLearningRate(4000, 512, 4000);
    expect(warmupLearningRate(3999, 512, 4000)).toBeLessThan(peak);
    expect(warmupLearningRate(4001, 512, 4000)).toBeLessThan(peak);
    expect(warmupLearningRate(16000, 512, 4000)).toBeCloseTo(peak / 2, 12);
  });

  it('layer norm equals tf.layers.layerNormalization', () => {
    const x = tf.randomNormal([3, 5, 6], 1, 2, 'float32', 1);
    const ln = tf.layers.layerNormalization({ epsilon: 1e-6 });
    const ref = ln.apply(x) as tf.Tensor;
    const [g, b] = ln.getWeights();
    const ours = layerNorm(x, g!, b!);
    expect(tf.max(tf.abs(tf.sub(ref, ours))).dataSync()[0]).toBeLessThan(1e-5);
  });
});

describe('Transformer', () => {
  it('decoder is causal: logits at step t ignore later target tokens', () => {
    const m = new Transformer(vocab, vocab, small);
    const src = padBatch([[4, 5, 6]], 0);
    const run = (tgt: number[]): number[][] =>
      tf.tidy(() => {
        const { memory, mask } = m.encode(src.ids, src.mask);
        return m.decode(tf.tensor2d([tgt], [1, tgt.length], 'int32'), memory, mask).logits.arraySync()[0]!;
      });
    const a = run([2, 4, 5, 6]);
    const b = run([2, 4, 8, 7]);
    expect(a[0]).toEqual(b[0]);
    expect(a[1]).toEqual(b[1]);
    expect(a[2]).not.toEqual(b[2]);
    m.dispose();
  });

  it('source padding does not change the encoding of real tokens', () => {
    const m = new Transformer(vocab, vocab, small);
    const enc = (seqs: number[][]): number[][] =>
      tf.tidy(() => {
        const s = padBatch(seqs, 0);
        return m.encode(s.ids, s.mask).memory.arraySync()[0]!;
      });
    const alone = enc([[4, 5]]);
    const padded = enc([[4, 5], [4, 5, 6, 7]]);
    for (let t = 0; t < 2; t++) for (let d = 0; d < 16; d++) expect(padded[t]![d]).toBeCloseTo(alone[t]![d]!, 5);
    m.dispose();
  });

  it('learns to copy: loss falls, no tensor leaks, translations come with attention maps', () => {
    const m = new Transformer(vocab, vocab, small);
    const rng = new Rng(2);
    const batch = (): number[][] => Array.from({ length: 16 }, () => Array.from({ length: 2 + rng.int(3) }, () => vocab.id(letters[rng.int(5)]!)));
    const opt = tf.train.adam(0.01);
    const probe = batch();
    const lossOf = (): number => tf.tidy(() => m.loss(probe, probe, { training: false, labelSmoothing: 0 }).dataSync()[0]!);
    const before = lossOf();
    const b0 = batch();
    m.trainStep(opt, b0, b0);
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 40; i++) {
      const b = batch();
      m.trainStep(opt, b, b);
    }
    expect(tf.memory().numTensors).toBe(n0);
    expect(lossOf()).toBeLessThan(before * 0.6);
    const tr = m.translate(['a', 'b', 'c'], { beam: 2, maxLen: 5 });
    expect(tf.memory().numTensors).toBe(n0);
    expect(tr.attention.length).toBeGreaterThan(0);
    for (const row of tr.attention) expect(row.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 4);
    m.dispose();
  });

  it('rejects inconsistent settings and empty input', () => {
    expect(() => new Transformer(vocab, vocab, { ...small, dModel: 10, heads: 3 })).toThrow(/divisible by heads/);
    const m = new Transformer(vocab, vocab, small);
    expect(() => m.translate([])).toThrow(/empty sentence/);
    expect(() => m.loss([Array(20).fill(4)], [[4]])).toThrow(/longer than maxLen 16/);
    m.dispose();
  });

  it('saves and loads: same options, vocabularies and outputs (to 1e-6); float16 halves the weights file', async () => {
    const m = new Transformer(vocab, vocab, small);
    const probe = [[4, 5, 6], [7, 4]];
    const lossOf = (x: Transformer): number => tf.tidy(() => x.loss(probe, probe, { training: false }).dataSync()[0]!);
    const dir = join(root, 'full');
    await m.save(dir);
    const loaded = await Transformer.load(dir);
    expect(loaded.opts).toEqual(m.opts);
    expect(loaded.tgtVocab.itos).toEqual(vocab.itos);
    expect(Math.abs(lossOf(loaded) - lossOf(m))).toBeLessThan(1e-6);
    const logits = (x: Transformer): Float32Array =>
      tf.tidy(() => {
        const s = padBatch(probe, 0);
        const { memory, mask } = x.encode(s.ids, s.mask);
        return x.decode(s.ids, memory, mask).logits.dataSync() as Float32Array;
      });
    const [a, b] = [logits(m), logits(loaded)];
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    expect(worst).toBeLessThan(1e-6);
    expect(loaded.translate(['a', 'b'], { beam: 2 })).toEqual(m.translate(['a', 'b'], { beam: 2 }));

    const half = join(root, 'half');
    await m.save(half, { precision: 'float16' });
    expect(statSync(join(half, 'weights.bin')).size * 2).toBe(statSync(join(dir, 'weights.bin')).size);
    const h = await Transformer.load(half);
    expect(Math.abs(lossOf(h) - lossOf(m))).toBeLessThan(1e-2);
    [m, loaded, h].forEach((x) => x.dispose());
  });

  it('refuses a directory of another kind or with mismatched weights, naming what is wrong', async () => {
    const m = new Transformer(vocab, vocab, small);
    const dir = join(root, 'other');
    await m.save(dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    json.userDefinedMetadata.tengen.kind = 'seq2seq';
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    await expect(Transformer.load(dir)).rejects.toThrow(/holds a seq2seq model, expected transformer/);
    json.userDefinedMetadata.tengen.kind = 'transformer';
    json.userDefinedMetadata.tengen.config.ffDim = 64;
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    await expect(Transformer.load(dir)).rejects.toThrow(/weight enc0\/ff\/w1 has shape \[16,32\] in the file, the model needs \[16,64\]/);
    m.dispose();
  });
});
