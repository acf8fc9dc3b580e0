import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.ts';
import { Word2Vec } from '../../src/sequence/word2vec.ts';
import { Vocab, UNK } from '../../src/sequence/data/vocab.ts';
import { loadEnja } from '../../src/sequence/data/enja.ts';

/** Sentences drawn from two topics that never share a sentence. */
function topicCorpus(n: number): string[][] {
  const rng = new Rng(5);
  const topics = [
    ['cat', 'dog', 'mouse', 'bird', 'fish'],
    ['red', 'green', 'blue', 'yellow', 'black'],
  ];
  return Array.from({ length: n }, () => {
    const t = topics[rng.int(2)]!;
    return Array.from({ length: 8 }, () => t[rng.int(t.length)]!);
  });
}

describe('word2vec', () => {
  for (const model of ['skipgram', 'cbow'] as const) {
    it(`${model}: words of the same topic end up nearest to each other`, () => {
      const { model: w2v } = Word2Vec.train(topicCorpus(400), { model, dim: 16, epochs: 3, minCount: 1, sample: 0, seed: 2 });
      for (const [w, same] of [
        ['cat', ['dog', 'mouse', 'bird', 'fish']],
        ['blue', ['red', 'green', 'yellow', 'black']],
      ] as const) {
        const near = w2v.nearest(w, 4).map((n) => n.word);
        expect(near.sort()).toEqual([...same].sort());
      }
    });
  }

  it('is reproducible from its seed', () => {
    const a = Word2Vec.train(topicCorpus(50), { dim: 8, epochs: 1, minCount: 1, seed: 9 }).model;
    const b = Word2Vec.train(topicCorpus(50), { dim: 8, epochs: 1, minCount: 1, seed: 9 }).model;
    expect(Array.from(a.vectors)).toEqual(Array.from(b.vectors));
  });

  it('saves and loads the word2vec text format', () => {
    const { model } = Word2Vec.train(topicCorpus(50), { dim: 8, epochs: 1, minCount: 1, seed: 1 });
    const path = join(mkdtempSync(join(tmpdir(), 'w2v-')), 'vec.txt');
    model.saveText(path);
    const loaded = Word2Vec.loadText(path);
    expect(loaded.dim).toBe(8);
    for (const w of ['cat', 'red']) {
      const [x, y] = [model.vector(w), loaded.vector(w)];
      for (let i = 0; i < 8; i++) expect(y[i]).toBeCloseTo(x[i]!, 6);
    }
    expect(loaded.nearest('cat', 3).map((n) => n.word)).toEqual(model.nearest('cat', 3).map((n) => n.word));
  });

  it("saves and loads in tengen's model format: same vectors, vocabulary and counts", async () => {
    const { model } = Word2Vec.train(topicCorpus(50), { dim: 8, epochs: 1, minCount: 1, seed: 1 });
    const dir = join(mkdtempSync(join(tmpdir(), 'w2v-')), 'model');
    await model.save(dir);
    const loaded = await Word2Vec.load(dir);
    expect(Array.from(loaded.vectors)).toEqual(Array.from(model.vectors));
    expect(loaded.vocab.itos).toEqual(model.vocab.itos);
    expect(loaded.vocab.counts).toEqual(model.vocab.counts);
    expect(loaded.nearest('cat', 3)).toEqual(model.nearest('cat', 3));
  });

  it('rejects unknown words, empty corpora and corrupt vector files clearly', () => {
    const { model } = Word2Vec.train(topicCorpus(20), { dim: 4, epochs: 1, minCount: 1 });
    expect(() => model.nearest('zebra')).toThrow(/'zebra' is not in the vocabulary/);
    expect(() => Word2Vec.train([], {})).toThrow(/at least one sentence/);
    expect(() => Word2Vec.train(topicCorpus(5), { minCount: 1000 })).toThrow(/no word occurs at least minCount=1000/);
    const dir = mkdtempSync(join(tmpdir(), 'w2v-'));
    writeFileSync(join(dir, 'bad.txt'), '2 3\ncat 1 2 3\ndog 1 x 3\n');
    expect(() => Word2Vec.loadText(join(dir, 'bad.txt'))).toThrow(/bad\.txt:3: 'x' is not a number/);
    writeFileSync(join(dir, 'bad2.txt'), 'hello\n');
    expect(() => Word2Vec.loadText(join(dir, 'bad2.txt'))).toThrow(/expected the header/);
  });
});

describe('vocabulary', () => {
  it('orders by frequency, maps unknown tokens to <unk> and decodes to </s>', () => {
    const v = Vocab.build([['a', 'b', 'a'], ['c', 'a', 'b']], { minCount: 2 });
    expect(v.itos).toEqual(['<pad>', '<unk>', '<s>', '</s>', 'a', 'b']);
    expect(v.encode(['a', 'c', 'zzz'], { bos: true, eos: true })).toEqual([2, 4, 1, 1, 3]);
    expect(v.decode([2, 4, 5, 3, 4])).toEqual(['a', 'b']);
    expect(v.token(v.id('c'))).toBe(UNK);
    expect(() => v.token(99)).toThrow(/outside the vocabulary/);
  });

  it('loads aligned parallel files and rejects misaligned ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'enja-'));
    writeFileSync(join(dir, 'dev.en'), 'i am here .\nyou are .\n');
    writeFileSync(join(dir, 'dev.ja'), '私 は ここ に い ま す 。\nあなた で す 。\n');
    const c = loadEnja(dir, 'dev');
    expect(c.src[1]).toEqual(['you', 'are', '.']);
    expect(c.tgt[0]![0]).toBe('私');
    writeFileSync(join(dir, 'test.en'), 'a\nb\n');
    writeFileSync(join(dir, 'test.ja'), 'a\n');
    expect(() => loadEnja(dir, 'test')).toThrow(/test\.en has 2 lines but test\.ja has 1/);
  });
});
