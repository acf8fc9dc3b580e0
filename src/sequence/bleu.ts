/**
 * Corpus BLEU (Papineni et al. 2002): modified n-gram precisions for n = 1..4 pooled over the whole
 * corpus, their geometric mean, times the brevity penalty exp(1 - r/c) when the candidates are
 * shorter than the references (r: total reference length, choosing per sentence the reference
 * length closest to the candidate's, ties to the shorter). Scores are in [0, 1]; multiply by 100
 * for the usual figure.
 */
import { UserError } from '../util/errors.ts';

export interface BleuResult {
  bleu: number;
  /** Modified precisions p1..pN. */
  precisions: number[];
  brevityPenalty: number;
  candidateLength: number;
  referenceLength: number;
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join('\u0001');
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return m;
}

/**
 * @param candidates one token list per sentence
 * @param references for each sentence, one or more reference token lists
 */
export function corpusBleu(candidates: readonly (readonly string[])[], references: readonly (readonly (readonly string[])[])[], maxN = 4): BleuResult {
  if (candidates.length !== references.length) throw new UserError(`BLEU: ${candidates.length} candidates but ${references.length} reference sets`);
  if (candidates.length === 0) throw new UserError('BLEU: empty corpus');
  const matches = new Array(maxN).fill(0);
  const totals = new Array(maxN).fill(0);
  let c = 0;
  let r = 0;
  candidates.forEach((cand, s) => {
    const refs = references[s]!;
    if (refs.length === 0) throw new UserError(`BLEU: sentence ${s} has no reference`);
    c += cand.length;
    let best = refs[0]!.length;
    for (const ref of refs) {
      const d = Math.abs(ref.length - cand.length);
      const bd = Math.abs(best - cand.length);
      if (d < bd || (d === bd && ref.length < best)) best = ref.length;
    }
    r += best;
    for (let n = 1; n <= maxN; n++) {
      const cc = ngramCounts(cand, n);
      const maxRef = new Map<string, number>();
      for (const ref of refs) for (const [k, v] of ngramCounts(ref, n)) maxRef.set(k, Math.max(maxRef.get(k) ?? 0, v));
      for (const [k, v] of cc) matches[n - 1] += Math.min(v, maxRef.get(k) ?? 0);
      totals[n - 1] += Math.max(0, cand.length - n + 1);
    }
  });
  const precisions = matches.map((m, i) => (totals[i] > 0 ? m / totals[i] : 0));
  const brevityPenalty = c === 0 ? 0 : c > r ? 1 : Math.exp(1 - r / c);
  const bleu = precisions.some((p) => p === 0) ? 0 : brevityPenalty * Math.exp(precisions.reduce((s, p) => s + Math.log(p), 0) / maxN);
  return { bleu, precisions, brevityPenalty, candidateLength: c, referenceLength: r };
}
