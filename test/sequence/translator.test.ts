/**
 * Text in, text out: the English tokeniser against small_parallel_enja's own tokenisation, a saved
 * model behind Translator and `tengen seq translate`, and the shipped English -> Japanese model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../src/nets/backend.ts';
import { Vocab } from '../../src/sequence/data/vocab.ts';
import { Transformer } from '../../src/sequence/transformer.ts';
import { PRETRAINED_EN_JA, Translator, tokenizeEnglish } from '../../src/sequence/translator.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsx = join(repo, 'node_modules', '.bin', 'tsx');
const corpus = join(repo, '..', 'shared', 'data', 'small_parallel_enja');
let root: string;

beforeAll(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
  root = mkdtempSync(join(tmpdir(), 'tengen-translator-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('tokenizeEnglish', () => {
  it('splits like the corpus: lower case, clitics and punctuation apart, abbreviations kept', () => {
    expect(tokenizeEnglish("I can't tell who will arrive first.")).toEqual("i can 't tell who will arrive first .".split(' '));
    expect(tokenizeEnglish("I'm in the tennis club.")).toEqual("i 'm in the tennis club .".split(' '));
    expect(tokenizeEnglish("Mr. Smith's train leaves at 6 p.m., doesn't it?")).toEqual("mr. smith 's train leaves at 6 p.m. , doesn 't it ?".split(' '));
    expect(tokenizeEnglish("It's ten o'clock!")).toEqual("it 's ten o 'clock !".split(' '));
    expect(tokenizeEnglish('   ')).toEqual([]);
  });

  it.skipIf(!existsSync(corpus))('reproduces the test split of small_parallel_enja from its sentences rejoined', () => {
    const lines = readFileSync(join(corpus, 'test.en'), 'utf8').split('\n').filter((l) => l.length > 0);
    // Rejoin each tokenised line as a person would type it, then tokenise again.
    const typed = (l: string): string => l.replace(/ ('(?:t|s|m|ll|ve|d|re|clock))\b/g, '$1').replace(/ ([.,?!;])/g, '$1');
    const same = lines.filter((l) => tokenizeEnglish(typed(l)).join(' ') === l).length;
    expect(same / lines.length).toBeGreaterThan(0.97);
  });
});

describe('Translator and `tengen seq translate`', () => {
  it('translates text with a saved model, from code and from the command line', async () => {
    const src = Vocab.build([tokenizeEnglish('he is a good boy .')]);
    const tgt = Vocab.build([['彼', 'は', '良い', '少年', 'だ', '。']]);
    const model = new Transformer(src, tgt, { dModel: 16, heads: 2, ffDim: 16, encoderLayers: 1, decoderLayers: 1, maxLen: 32, seed: 1 });
    const dir = join(root, 'tiny');
    await model.save(dir);
    const translator = await Translator.load(dir);
    const expected = model.translate(tokenizeEnglish('He is a good boy.'), { beam: 4 }).tokens;
    expect(translator.translate('He is a good boy.')).toBe(expected.join(''));
    translator.dispose();
    model.dispose();

    const cli = (args: string[], input?: string) => spawnSync(tsx, ['src/cli.ts', '--backend', 'cpu', 'seq', 'translate', ...args], { cwd: repo, input, encoding: 'utf8', timeout: 60_000 });
    const one = cli(['--model', dir, '--tokens', 'He is a good boy.']);
    expect(one.stderr).toBe('');
    expect(one.stdout).toBe(expected.join(' ') + '\n');
    const lines = cli(['--model', dir], 'He is a good boy.\n\nhe is a good boy .\n');
    expect(lines.stdout).toBe(`${expected.join('')}\n\n${expected.join('')}\n`);
    const bad = cli(['--model', join(root, 'missing'), 'hello']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^tengen: .*missing holds no saved model/);
  });

  it.skipIf(!existsSync(join(PRETRAINED_EN_JA, 'model.json')))('the shipped English -> Japanese Transformer translates simple sentences', async () => {
    const translator = await Translator.load();
    expect(translator.translate('I am a student.')).toMatch(/学生/);
    expect(translator.translate('This book is very interesting.')).toMatch(/本/);
    expect(translator.translate('Where is the station?')).toMatch(/駅/);
    translator.dispose();
  });
});
