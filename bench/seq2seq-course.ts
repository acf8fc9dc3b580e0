/**
 * The sequence chapter's seq2seq experiments on small_parallel_enja (English -> Japanese), each
 * model trained for the same number of steps from the same seed:
 *
 *   cells      GRU vs LSTM, one-way vs bidirectional encoder (all with Bahdanau attention): test BLEU
 *   attention  with vs without attention: BLEU by source-sentence length
 *   decoding   the GRU + attention model decoded greedily, by beam search, and by sampling from
 *              softmax(logits / T) at two temperatures (seeded): BLEU and mean output length
 *
 * Usage: npx tsx bench/seq2seq-course.ts [--steps 1000] [--batch 64] [--embed 64] [--hidden 128] [--vocab 0] [--test 500] [--save DIR]
 * --vocab N keeps the N most frequent tokens of each language (the rest become <unk>; 0: all seen twice).
 * Writes bench/results/seq2seq-course.md; --save DIR keeps each trained model in DIR/<variant>
 * (Seq2Seq.load reads them). Skips with a message when the corpus is absent.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend, tf } from '../src/nets/backend.ts';
import { Rng } from '../src/util/rng.ts';
import { writeFileAtomic } from '../src/util/fs.ts';
import { loadEnja } from '../src/sequence/data/enja.ts';
import { Vocab } from '../src/sequence/data/vocab.ts';
import { corpusBleu } from '../src/sequence/bleu.ts';
import { Seq2Seq, type DecodeOptions, type Seq2SeqOptions } from '../src/sequence/seq2seq.ts';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '1000' },
    batch: { type: 'string', default: '64' },
    embed: { type: 'string', default: '64' },
    hidden: { type: 'string', default: '128' },
    vocab: { type: 'string', default: '0' },
    test: { type: 'string', default: '500' },
    save: { type: 'string' },
  },
});
const dir = join(import.meta.dirname, '..', '..', 'shared', 'data', 'small_parallel_enja');
if (!existsSync(dir)) {
  console.log(`skipped: ${dir} not found`);
  process.exit(0);
}
const backend = await initBackend();
const STEPS = Number(values.steps);
const B = Number(values.batch);
const train = loadEnja(dir, 'train');
const test = loadEnja(dir, 'test');
const N = Math.min(Number(values.test), test.src.length);
const maxSize = Number(values.vocab) > 0 ? Number(values.vocab) : undefined;
const srcVocab = Vocab.build(train.src, { minCount: 2, maxSize });
const tgtVocab = Vocab.build(train.tgt, { minCount: 2, maxSize });
const t0 = Date.now();

function trainModel(name: string, o: Partial<Seq2SeqOptions>): { model: Seq2Seq; seconds: number; loss: number } {
  const model = new Seq2Seq(srcVocab, tgtVocab, { ...o, embedDim: Number(values.embed), hidden: Number(values.hidden), seed: 1 });
  const opt = tf.train.adam(1e-3);
  const rng = new Rng(1); // the same batches for every variant
  const order = train.src.map((_, i) => i);
  rng.shuffle(order);
  const start = Date.now();
  let loss = NaN;
  for (let step = 0, at = 0; step < STEPS; step++, at += B) {
    if (at + B > order.length) {
      rng.shuffle(order);
      at = 0;
    }
    const idx = order.slice(at, at + B);
    loss = model.trainStep(opt, idx.map((k) => srcVocab.encode(train.src[k]!)), idx.map((k) => tgtVocab.encode(train.tgt[k]!)));
    if ((step + 1) % 100 === 0) process.stderr.write(`${name}: step ${step + 1} loss ${loss.toFixed(3)} ${((Date.now() - start) / 1000).toFixed(0)} s\n`);
  }
  opt.dispose();
  return { model, seconds: (Date.now() - start) / 1000, loss };
}

function decodeAll(model: Seq2Seq, opts: DecodeOptions): string[][] {
  return test.src.slice(0, N).map((s, i) => model.translate(s, { maxLen: 40, ...opts, seed: opts.temperature !== undefined ? (opts.seed ?? 0) + i : undefined }).tokens);
}

const refs = test.tgt.slice(0, N).map((t) => [t]);
const bleuOf = (hyps: string[][], keep?: (i: number) => boolean): number => {
  const idx = hyps.map((_, i) => i).filter((i) => keep?.(i) ?? true);
  if (idx.length === 0) return NaN;
  return 100 * corpusBleu(idx.map((i) => hyps[i]!), idx.map((i) => refs[i]!)).bleu;
};

const variants: Array<[string, Partial<Seq2SeqOptions>]> = [
  ['GRU, attention', { cell: 'gru', attention: 'bahdanau' }],
  ['GRU, no attention', { cell: 'gru', attention: 'none' }],
  ['LSTM, attention', { cell: 'lstm', attention: 'bahdanau' }],
  ['GRU, bidirectional encoder, attention', { cell: 'gru', attention: 'bahdanau', bidirectional: true }],
];
const trained = new Map<string, { model: Seq2Seq; seconds: number; loss: number; greedy: string[][] }>();
const cellRows: string[] = [];
for (const [name, o] of variants) {
  const r = trainModel(name, o);
  const greedy = decodeAll(r.model, { beam: 1 });
  trained.set(name, { ...r, greedy });
  if (values.save !== undefined) await r.model.save(join(values.save, name.replace(/[^a-z]+/gi, '-').toLowerCase()));
  cellRows.push(`| ${name} | ${r.model.variables.reduce((a, v) => a + v.size, 0)} | ${r.loss.toFixed(3)} | ${bleuOf(greedy).toFixed(2)} | ${(r.seconds / 60).toFixed(1)} min |`);
  console.log(cellRows[cellRows.length - 1]);
}

// BLEU by source length, with and without attention.
const buckets: Array<[string, (n: number) => boolean]> = [
  ['1-6', (n) => n <= 6],
  ['7-9', (n) => n >= 7 && n <= 9],
  ['10-12', (n) => n >= 10 && n <= 12],
  ['13+', (n) => n >= 13],
];
const lenRows = buckets.map(([label, inBucket]) => {
  const keep = (i: number): boolean => inBucket(test.src[i]!.length);
  const count = test.src.slice(0, N).filter((s) => inBucket(s.length)).length;
  const att = bleuOf(trained.get('GRU, attention')!.greedy, keep);
  const none = bleuOf(trained.get('GRU, no attention')!.greedy, keep);
  return `| ${label} | ${count} | ${att.toFixed(2)} | ${none.toFixed(2)} | ${(att - none).toFixed(2)} |`;
});

// Decoding the GRU + attention model.
const base = trained.get('GRU, attention')!;
const meanLen = (h: string[][]): string => (h.reduce((a, x) => a + x.length, 0) / h.length).toFixed(1);
const decodeRows: string[] = [`| greedy | ${bleuOf(base.greedy).toFixed(2)} | ${meanLen(base.greedy)} |`];
for (const [label, o] of [
  ['beam 4', { beam: 4 }],
  ['sampled, temperature 0.5', { temperature: 0.5, seed: 1 }],
  ['sampled, temperature 1.0', { temperature: 1, seed: 1 }],
] as Array<[string, DecodeOptions]>) {
  const h = decodeAll(base.model, o);
  decodeRows.push(`| ${label} | ${bleuOf(h).toFixed(2)} | ${meanLen(h)} |`);
  console.log(decodeRows[decodeRows.length - 1]);
}
const refLen = (test.tgt.slice(0, N).reduce((a, x) => a + x.length, 0) / N).toFixed(1);

const md = [
  '# Seq2seq on small_parallel_enja: cells, attention by sentence length, decoding',
  '',
  `\`npx tsx bench/seq2seq-course.ts --steps ${STEPS} --batch ${B} --embed ${values.embed} --hidden ${values.hidden} --vocab ${values.vocab} --test ${N}\`, backend ${backend}, ${((Date.now() - t0) / 60000).toFixed(0)} min in all on the shared 2-core machine.`,
  `Every model: embeddings ${values.embed}, hidden ${values.hidden}, Adam 1e-3 with gradients clipped to norm 5, ${STEPS} steps of ${B} pairs (the same batches, seed 1),`,
  `vocabularies ${srcVocab.size} / ${tgtVocab.size} (min count 2${maxSize ? `, at most ${maxSize}` : ''}). BLEU: corpus BLEU-4 (src/sequence/bleu.ts) on the first ${N} test sentences, greedy unless stated.`,
  '',
  '## Cells and encoders',
  '',
  '| model | parameters | last training loss | test BLEU | training time |',
  '|---|---|---|---|---|',
  ...cellRows,
  '',
  '## With and without attention, by source length',
  '',
  'GRU encoder-decoder with Bahdanau attention against the same net whose decoder sees only the encoder\'s final state.',
  '',
  '| source tokens | sentences | BLEU with attention | BLEU without | difference |',
  '|---|---|---|---|---|',
  ...lenRows,
  '',
  '## Decoding the GRU + attention model',
  '',
  `Sampling draws each token from softmax(logits / T), seeded per sentence. Mean reference length ${refLen} tokens.`,
  '',
  '| decoding | test BLEU | mean output tokens |',
  '|---|---|---|',
  ...decodeRows,
  '',
].join('\n');
console.log(md);
writeFileAtomic(join(import.meta.dirname, 'results', 'seq2seq-course.md'), md);
for (const t of trained.values()) t.model.dispose();
