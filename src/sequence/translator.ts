/**
 * Text in, text out: a saved Transformer or Seq2Seq behind the tokenisation of small_parallel_enja
 * (lower case, punctuation and English clitics split off: "I can't." -> i can 't .). The English to
 * Japanese Transformer that ships in models/transformer-en-ja is the default model:
 *
 *   import { Translator } from 'tengen/sequence';
 *   const translator = await Translator.load();
 *   console.log(translator.translate("I can't tell who will arrive first."));
 *
 * Japanese output is joined without spaces (the corpus splits Japanese into morphemes).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../util/errors.ts';
import { packagePath } from '../util/paths.ts';
import { readHeader } from '../nets/saved-model.ts';
import { Transformer } from './transformer.ts';
import { Seq2Seq } from './seq2seq.ts';

/** The shipped English -> Japanese Transformer (weights and both vocabularies). */
export const PRETRAINED_EN_JA = packagePath('models', 'transformer-en-ja');

const CLITIC = /^(.+?)('(?:t|s|m|ll|ve|d|re|clock))$/;
const ABBREVIATION = /^(?:(?:[a-z]\.)+|mr\.|mrs\.|ms\.|dr\.|st\.)$/;

/** Split English text the way small_parallel_enja's English side is split. */
export function tokenizeEnglish(text: string): string[] {
  const out: string[] = [];
  const s = text.toLowerCase().replace(/[\u2018\u2019]/g, "'").replace(/["\u201c\u201d]/g, " '' ");
  for (const raw of s.split(/\s+/)) {
    let w = raw;
    const tail: string[] = [];
    while (w.length > 0 && /[.,?!;:]$/.test(w) && !ABBREVIATION.test(w)) {
      tail.unshift(w.slice(-1));
      w = w.slice(0, -1);
    }
    const m = CLITIC.exec(w);
    if (m) out.push(m[1]!, m[2]!);
    else if (w.length > 0) out.push(w);
    out.push(...tail);
  }
  return out;
}

export interface TranslateOptions {
  /** Beam width (1 = greedy). Default 4. */
  beam?: number;
  /** Most output tokens. */
  maxLen?: number;
}

export class Translator {
  private constructor(
    /** The model: a Transformer or a Seq2Seq. */
    readonly model: Transformer | Seq2Seq,
    /** Where it was loaded from. */
    readonly dir: string,
  ) {}

  /** Load a translator saved by Transformer.save or Seq2Seq.save; by default the shipped English -> Japanese Transformer. */
  static async load(dir: string = PRETRAINED_EN_JA): Promise<Translator> {
    if (!existsSync(join(dir, 'model.json'))) {
      throw new UserError(dir === PRETRAINED_EN_JA ? `the shipped translator is missing from ${dir} (reinstall tengen)` : `${dir} holds no saved model (expected model.json from Transformer.save or Seq2Seq.save)`);
    }
    const { kind } = readHeader(dir, ['transformer', 'seq2seq']);
    return new Translator(kind === 'transformer' ? await Transformer.load(dir) : await Seq2Seq.load(dir), dir);
  }

  /** Tokens in, tokens out (no tokenisation): for text already split like the training corpus. */
  translateTokens(tokens: readonly string[], opts: TranslateOptions = {}): string[] {
    if (tokens.length === 0) throw new UserError('nothing to translate: the text has no words');
    return this.model.translate(tokens, { beam: opts.beam ?? 4, maxLen: opts.maxLen }).tokens;
  }

  /** English text in, the translation out (Japanese joined without spaces). */
  translate(text: string, opts: TranslateOptions = {}): string {
    return this.translateTokens(tokenizeEnglish(text), opts).join('');
  }

  dispose(): void {
    this.model.dispose();
  }
}
