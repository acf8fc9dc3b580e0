/**
 * `tengen seq rnn-addition`: the from-scratch RNN learning 8-bit binary addition by BPTT, with the
 * notebook's hyperparameters as flags, several seeds, and `--sweep` for its experiment table.
 * `tengen seq translate "..."`: English to Japanese with the shipped Transformer (or --model DIR).
 */
import type { Command } from 'commander';
import { createInterface } from 'node:readline';
import { UserError } from '../util/errors.ts';
import { numberFlag } from '../util/flags.ts';
import { writeFileAtomic } from '../util/fs.ts';
import { runSeeds, SWEEP, type AdditionRunOptions } from '../sequence/rnn/binary-addition.ts';
import type { Activation, Init } from '../sequence/rnn/simple-rnn.ts';

interface Flags {
  weightInitStd: string;
  learningRate: string;
  hiddenSize: string;
  itersNum: string;
  binaryDim: string;
  init: string;
  activation: string;
  seed: string;
  seeds: string;
  sweep?: boolean;
  out: string;
}

function num(name: string, v: string, integer = false): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new UserError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got '${v}'`);
  return n;
}

function fmtIt(v: number | null): string {
  return v === null ? '-' : String(v);
}

interface TranslateFlags {
  model?: string;
  beam: string;
  tokens?: boolean;
}

async function translateCommand(text: string[], f: TranslateFlags, globals: { backend?: string }): Promise<void> {
  const beam = numberFlag('--beam', f.beam, { min: 1, max: 64, integer: true });
  const { initBackend } = await import('../nets/backend.ts');
  await initBackend({ backend: globals.backend, quiet: true });
  const { Translator, PRETRAINED_EN_JA, tokenizeEnglish } = await import('../sequence/translator.ts');
  const translator = await Translator.load(f.model ?? PRETRAINED_EN_JA);
  const one = (line: string): string => {
    const out = translator.translateTokens(tokenizeEnglish(line), { beam });
    return f.tokens ? out.join(' ') : out.join('');
  };
  try {
    if (text.length > 0) {
      process.stdout.write(one(text.join(' ')) + '\n');
      return;
    }
    // No text: one sentence per stdin line, one translation per output line (blank lines echo blank).
    for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) process.stdout.write((line.trim() === '' ? '' : one(line)) + '\n');
  } finally {
    translator.dispose();
  }
}

export function register(program: Command): void {
  const seq = program.command('seq').description('sequence models: training demos, experiments and translation');
  seq
    .command('translate [text...]')
    .description('translate English to Japanese with the shipped Transformer (BLEU in bench/results/translate-transformer.md); without text, one sentence per stdin line')
    .option('--model <dir>', 'a Transformer or Seq2Seq saved by save() or bench/translate.ts --save (default: the shipped en->ja model)')
    .option('--beam <n>', 'beam width (1 = greedy)', '4')
    .option('--tokens', 'print the output tokens separated by spaces (the corpus tokenisation) instead of joined')
    .action(async (text: string[], f: TranslateFlags, cmd: Command) => translateCommand(text, f, cmd.optsWithGlobals() as { backend?: string }));
  seq
    .command('rnn-addition')
    .description('train the from-scratch RNN (BPTT) on 8-bit binary addition; print the loss curve and convergence')
    .option('--weight-init-std <x>', 'std of the normal weight initialisation', '1')
    .option('--learning-rate <x>', 'gradient-descent step size', '0.1')
    .option('--hidden-size <n>', 'hidden units', '16')
    .option('--iters-num <n>', 'training iterations (one example each)', '10000')
    .option('--binary-dim <n>', 'bits per number', '8')
    .option('--init <kind>', 'normal | xavier | he', 'normal')
    .option('--activation <kind>', 'hidden activation: sigmoid | tanh | relu', 'sigmoid')
    .option('--seed <n>', 'first seed', '0')
    .option('--seeds <k>', 'number of seeds to run', '1')
    .option('--sweep', "run the notebook's experiment table (10 seeds each) and write the results")
    .option('--out <file>', 'where --sweep writes its table', 'bench/results/rnn-addition.md')
    .action((f: Flags) => {
      const seeds = num('seeds', f.seeds, true);
      const seed = Number(f.seed);
      if (!Number.isInteger(seed)) throw new UserError(`--seed must be an integer, got '${f.seed}'`);
      const base: AdditionRunOptions = {
        weightInitStd: num('weight-init-std', f.weightInitStd),
        learningRate: num('learning-rate', f.learningRate),
        hiddenSize: num('hidden-size', f.hiddenSize, true),
        iters: num('iters-num', f.itersNum, true),
        bits: num('binary-dim', f.binaryDim, true),
        init: f.init as Init,
        activation: f.activation as Activation,
      };
      if (f.sweep) {
        const t0 = Date.now();
        const rows = SWEEP.map((s) => {
          const r = runSeeds({ ...base, ...s.options }, 10, seed);
          const first = r.meanLosses[0]?.[1] ?? NaN;
          const last = r.meanLosses[r.meanLosses.length - 1]?.[1] ?? NaN;
          const line = `| ${s.name} | ${r.converged}/10 | ${fmtIt(r.medianConvergedAt)} | ${first.toFixed(3)} | ${last.toFixed(3)} | ${s.course} |`;
          process.stdout.write(line + '\n');
          return line;
        });
        const md = [
          '# RNN binary addition: the course experiment table',
          '',
          `Measured by \`tengen seq rnn-addition --sweep\` (10 seeds each, ${base.iters} iterations, convergence = all 256 test sums right, checked every 100 iterations) in ${((Date.now() - t0) / 1000).toFixed(1)} s.`,
          '',
          '| setting | converged | median iteration | mean loss at 0 | mean loss at end | course notebook |',
          '|---|---|---|---|---|---|',
          ...rows,
          '',
        ].join('\n');
        writeFileAtomic(f.out, md);
        process.stdout.write(`wrote ${f.out}\n`);
        return;
      }
      const r = runSeeds(base, seeds, seed);
      for (const [it, loss] of r.meanLosses) process.stdout.write(`iter ${it} loss ${loss.toFixed(5)}\n`);
      process.stdout.write(`converged ${r.converged}/${r.runs} runs; median iteration ${fmtIt(r.medianConvergedAt)}\n`);
    });
}
