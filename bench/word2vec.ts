/**
 * word2vec on the English side of small_parallel_enja: training speed (words/s) and the nearest
 * neighbours of ten frequent words. Writes bench/results/word2vec.md.
 * Usage: npx tsx bench/word2vec.ts [--model skipgram|cbow] [--epochs N] [--dim D]
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readTokenised } from '../src/sequence/data/enja.ts';
import { Word2Vec } from '../src/sequence/word2vec.ts';
import { writeFileAtomic } from '../src/util/fs.ts';

const { values } = parseArgs({ options: { model: { type: 'string', default: 'skipgram' }, epochs: { type: 'string', default: '5' }, dim: { type: 'string', default: '100' } } });
const dataDir = join(import.meta.dirname, '..', '..', 'shared', 'data', 'small_parallel_enja');
if (!existsSync(dataDir)) {
  console.log(`skipped: ${dataDir} not found`);
  process.exit(0);
}
const sentences = readTokenised(join(dataDir, 'train.en'));
const { model, stats } = Word2Vec.train(sentences, { model: values.model as 'skipgram' | 'cbow', epochs: Number(values.epochs), dim: Number(values.dim), minCount: 5, seed: 1 }, (f) => process.stderr.write(`\r${(f * 100).toFixed(0)}%`));
process.stderr.write('\n');
const queries = ['he', 'she', 'house', 'book', 'good', 'went', 'father', 'money', 'time', 'cat'];
const rows = queries.filter((q) => model.vocab.has(q)).map((q) => `| ${q} | ${model.nearest(q, 5).map((n) => `${n.word} (${n.similarity.toFixed(2)})`).join(', ')} |`);
const analogy = model.analogy('he', 'she', 'father', 3).map((n) => n.word).join(', ');
const md = [
  '# word2vec on small_parallel_enja (English, train split)',
  '',
  `${values.model}, dim ${values.dim}, window 5, 5 negatives, subsampling 1e-3, min count 5, ${values.epochs} epochs, one thread.`,
  '',
  `| figure | value |`,
  `|---|---|`,
  `| vocabulary | ${model.vocab.size} |`,
  `| corpus words x epochs | ${stats.words} |`,
  `| training time | ${stats.seconds.toFixed(1)} s |`,
  `| words/s | ${Math.round(stats.wordsPerSec)} |`,
  `| he : she :: father : ? | ${analogy} |`,
  '',
  '| word | nearest neighbours (cosine) |',
  '|---|---|',
  ...rows,
  '',
].join('\n');
console.log(md);
writeFileAtomic(join(import.meta.dirname, 'results', 'word2vec.md'), md);
