/**
 * Loader for small_parallel_enja (tokenised English-Japanese sentence pairs, one per line, tokens
 * separated by spaces): train / dev / test splits.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../util/errors.ts';

export type Split = 'train' | 'dev' | 'test';

export interface ParallelCorpus {
  src: string[][];
  tgt: string[][];
}

export function readTokenised(path: string): string[][] {
  if (!existsSync(path)) throw new UserError(`${path}: no such file (expected a tokenised text file, one sentence per line)`);
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => l.trim().split(/\s+/).filter((t) => t.length > 0));
}

/** Read one split; `dir` holds train.en, train.ja, dev.en, ... Lines must pair up. */
export function loadEnja(dir: string, split: Split, direction: 'en-ja' | 'ja-en' = 'en-ja'): ParallelCorpus {
  const en = readTokenised(join(dir, `${split}.en`));
  const ja = readTokenised(join(dir, `${split}.ja`));
  if (en.length !== ja.length) throw new UserError(`${dir}: ${split}.en has ${en.length} lines but ${split}.ja has ${ja.length}; they must pair up`);
  return direction === 'en-ja' ? { src: en, tgt: ja } : { src: ja, tgt: en };
}
