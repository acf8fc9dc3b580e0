import { describe, expect, it } from 'vitest';
import { corpusBleu } from '../../src/sequence/bleu.ts';

const t = (s: string): string[] => s.split(' ');

describe('corpus BLEU', () => {
  it('is 1 for an exact match and 0 with no 4-gram in common', () => {
    expect(corpusBleu([t('the cat sat on the mat')], [[t('the cat sat on the mat')]]).bleu).toBeCloseTo(1, 12);
    expect(corpusBleu([t('a b c d')], [[t('e f g h')]]).bleu).toBe(0);
  });

  it("clips n-gram counts by the reference (Papineni's 'the the the' example)", () => {
    const r = corpusBleu([t('the the the the the the the')], [[t('the cat is on the mat'), t('there is a cat on the mat')]], 1);
    expect(r.precisions[0]).toBeCloseTo(2 / 7, 12);
  });

  it('pools counts over the corpus and applies the brevity penalty', () => {
    const cands = [t('the cat sat on the mat'), t('a dog')];
    const refs = [[t('the cat sat on the mat')], [t('a dog ran in the park')]];
    const r = corpusBleu(cands, refs);
    // p1 = (6 + 2) / (6 + 2); p2 = (5 + 1) / (5 + 1); p3 = 4 / 4 (the short sentence has no trigram); p4 = 3 / 3.
    expect(r.precisions).toEqual([1, 1, 1, 1]);
    expect(r.candidateLength).toBe(8);
    expect(r.referenceLength).toBe(12);
    expect(r.brevityPenalty).toBeCloseTo(Math.exp(1 - 12 / 8), 12);
    expect(r.bleu).toBeCloseTo(Math.exp(1 - 12 / 8), 12);
  });

  it('picks the closest reference length, ties to the shorter', () => {
    const r = corpusBleu([t('a b c d e')], [[t('a b c d'), t('a b c d e f')]]);
    expect(r.referenceLength).toBe(4);
  });

  it('rejects mismatched inputs', () => {
    expect(() => corpusBleu([t('a')], [])).toThrow(/1 candidates but 0 reference sets/);
    expect(() => corpusBleu([t('a')], [[]])).toThrow(/sentence 0 has no reference/);
  });
});
