/**
 * Vocabularies for tokenised text: token <-> id maps with reserved special tokens and unknown-token
 * handling.
 */
import { UserError } from '../../util/errors.ts';

export const PAD = '<pad>';
export const UNK = '<unk>';
export const BOS = '<s>';
export const EOS = '</s>';

export interface VocabOptions {
  /** Tokens seen fewer times are mapped to <unk>. Default 1. */
  minCount?: number;
  /** Keep at most this many tokens (most frequent first, specials included). */
  maxSize?: number;
  /** Special tokens, given the first ids. Default [<pad>, <unk>, <s>, </s>]. */
  specials?: string[];
}

export class Vocab {
  readonly itos: string[];
  private readonly stoi = new Map<string, number>();
  /** Corpus count of each id (0 for specials). */
  readonly counts: number[];

  private constructor(tokens: string[], counts: number[]) {
    this.itos = tokens;
    this.counts = counts;
    tokens.forEach((t, i) => this.stoi.set(t, i));
    if (!this.stoi.has(UNK)) throw new UserError(`a vocabulary needs the unknown token ${UNK}`);
  }

  /** Build from tokenised sentences, most frequent first (ties in first-seen order). */
  static build(sentences: Iterable<readonly string[]>, opts: VocabOptions = {}): Vocab {
    const specials = opts.specials ?? [PAD, UNK, BOS, EOS];
    if (!specials.includes(UNK)) throw new UserError(`specials must include ${UNK}`);
    const minCount = opts.minCount ?? 1;
    const counts = new Map<string, number>();
    for (const s of sentences) for (const t of s) counts.set(t, (counts.get(t) ?? 0) + 1);
    const words = [...counts.entries()].filter(([w, c]) => c >= minCount && !specials.includes(w));
    words.sort((a, b) => b[1] - a[1]);
    const kept = opts.maxSize !== undefined ? words.slice(0, Math.max(0, opts.maxSize - specials.length)) : words;
    return new Vocab([...specials, ...kept.map(([w]) => w)], [...specials.map(() => 0), ...kept.map(([, c]) => c)]);
  }

  /** A vocabulary of these tokens in id order (counts, if given, one per token; else 0). */
  static fromTokens(tokens: string[], counts?: readonly number[]): Vocab {
    if (counts !== undefined && counts.length !== tokens.length) throw new UserError(`expected one count per token (${tokens.length}), got ${counts.length}`);
    return new Vocab(tokens, counts ? [...counts] : tokens.map(() => 0));
  }

  get size(): number {
    return this.itos.length;
  }

  has(token: string): boolean {
    return this.stoi.has(token);
  }

  /** Id of a token; unknown tokens map to <unk>. */
  id(token: string): number {
    return this.stoi.get(token) ?? this.stoi.get(UNK)!;
  }

  /** Id of a token that must be known (throws naming it otherwise). */
  strictId(token: string): number {
    const i = this.stoi.get(token);
    if (i === undefined) throw new UserError(`'${token}' is not in the vocabulary (${this.size} tokens)`);
    return i;
  }

  token(id: number): string {
    const t = this.itos[id];
    if (t === undefined) throw new UserError(`token id ${id} is outside the vocabulary (0..${this.size - 1})`);
    return t;
  }

  encode(tokens: readonly string[], opts: { bos?: boolean; eos?: boolean } = {}): number[] {
    const ids = tokens.map((t) => this.id(t));
    if (opts.bos) ids.unshift(this.id(BOS));
    if (opts.eos) ids.push(this.id(EOS));
    return ids;
  }

  /** Tokens of ids, stopping at </s> and dropping <pad> and <s>. */
  decode(ids: readonly number[]): string[] {
    const out: string[] = [];
    for (const i of ids) {
      const t = this.token(i);
      if (t === EOS) break;
      if (t === PAD || t === BOS) continue;
      out.push(t);
    }
    return out;
  }
}

/** The JSON document a translation model saves beside its weights: both vocabularies' tokens in id order. */
export function vocabPairJson(src: Vocab, tgt: Vocab): { src: string[]; tgt: string[] } {
  return { src: src.itos, tgt: tgt.itos };
}

/** Read back vocabPairJson's document (`where` names the file in errors). */
export function readVocabPair(value: unknown, where: string): { src: Vocab; tgt: Vocab } {
  const v = value as { src?: unknown; tgt?: unknown } | undefined;
  const ok = (a: unknown): a is string[] => Array.isArray(a) && a.length > 0 && a.every((t) => typeof t === 'string');
  if (v === undefined || !ok(v.src) || !ok(v.tgt)) throw new UserError(`${where}: vocab.json is missing or malformed; expected {"src": [tokens...], "tgt": [tokens...]}`);
  return { src: Vocab.fromTokens(v.src), tgt: Vocab.fromTokens(v.tgt) };
}
