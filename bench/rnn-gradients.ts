/**
 * The vanishing / exploding-gradient experiment on the from-scratch RNN (src/sequence/rnn/):
 *
 * 1. Gradient flow through time: the norm of d(loss at the last step) / d(hidden state at step t)
 *    over 32 steps of binary addition, for several activations and recurrent-weight scales
 *    (geometric mean over 20 random sums). Each step back multiplies by W^T diag(f'(u)): the norm
 *    shrinks (vanishes) or grows (explodes) geometrically.
 * 2. Clipping: 8-bit addition trained with and without gradient-norm clipping (Pascanu et al. 2013)
 *    in settings whose gradients explode, several seeds each: how many learn the task.
 *
 * Usage: npx tsx bench/rnn-gradients.ts [--seeds 5] [--iters 10000]
 * Writes bench/results/rnn-gradients.md. Plain Float64Array maths; no tensor backend.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SimpleRnn, type SimpleRnnOptions } from '../src/sequence/rnn/simple-rnn.ts';
import { encodePair, runSeeds } from '../src/sequence/rnn/binary-addition.ts';
import { Rng } from '../src/util/rng.ts';
import { writeFileAtomic } from '../src/util/fs.ts';

const { values } = parseArgs({ options: { seeds: { type: 'string', default: '5' }, iters: { type: 'string', default: '10000' } } });
const SEEDS = Number(values.seeds);
const ITERS = Number(values.iters);
const T = 32;
const STEPS = [31, 27, 23, 15, 7, 0];
const t0 = Date.now();

const flowSettings: Array<[string, Partial<SimpleRnnOptions>]> = [
  ['sigmoid, std 1 (the notebook default)', { activation: 'sigmoid', weightInitStd: 1 }],
  ['sigmoid, std 2', { activation: 'sigmoid', weightInitStd: 2 }],
  ['tanh, std 0.1', { activation: 'tanh', weightInitStd: 0.1 }],
  ['tanh, Xavier (std 1/4)', { activation: 'tanh', init: 'xavier' }],
  ['tanh, std 0.5', { activation: 'tanh', weightInitStd: 0.5 }],
  ['tanh, std 1', { activation: 'tanh', weightInitStd: 1 }],
  ['tanh, std 1.5', { activation: 'tanh', weightInitStd: 1.5 }],
  ['relu, std 0.1', { activation: 'relu', weightInitStd: 0.1 }],
  ['relu, std 0.25', { activation: 'relu', weightInitStd: 0.25 }],
];
const flowRows = flowSettings.map(([name, o]) => {
  const net = new SimpleRnn({ ...o, hiddenSize: 16, seed: 1 });
  const rng = new Rng(7);
  const logSum = new Float64Array(T);
  const N = 20;
  for (let k = 0; k < N; k++) {
    const { xs, ds } = encodePair(rng.int(2 ** 30), rng.int(2 ** 30), T);
    const n = net.hiddenGradientNorms(xs, ds, T);
    for (let t = 0; t < T; t++) logSum[t]! += Math.log(Math.max(n[t]!, 1e-300));
  }
  const g = (t: number): number => Math.exp(logSum[t]! / N);
  const ratio = Math.pow(g(0) / g(T - 1), 1 / (T - 1));
  return `| ${name} | ${STEPS.map((t) => g(t).toExponential(1)).join(' | ')} | ${ratio.toFixed(3)} |`;
});

const clipSettings: Array<[string, Partial<SimpleRnnOptions>]> = [
  ['tanh, std 1', { activation: 'tanh', weightInitStd: 1 }],
  ['tanh, std 1, lr 0.5', { activation: 'tanh', weightInitStd: 1, learningRate: 0.5 }],
  ['relu, std 0.5', { activation: 'relu', weightInitStd: 0.5 }],
  ['sigmoid, std 2 (the notebook\'s "unstable")', { activation: 'sigmoid', weightInitStd: 2 }],
];
const clipRows: string[] = [];
for (const [name, o] of clipSettings) {
  for (const clipNorm of [Infinity, 1]) {
    // The largest gradient norm met in the first run, before clipping.
    const probe = new SimpleRnn({ ...o, clipNorm, seed: 0 });
    const rng = probe.random;
    let maxNorm = 0;
    for (let i = 0; i < ITERS; i++) {
      const { xs, ds } = encodePair(rng.int(128), rng.int(128), 8);
      maxNorm = Math.max(maxNorm, probe.trainStep(xs, ds, 8).gradNorm);
    }
    const r = runSeeds({ ...o, clipNorm, iters: ITERS }, SEEDS, 0);
    const last = r.meanLosses[r.meanLosses.length - 1]![1];
    clipRows.push(`| ${name} | ${clipNorm === Infinity ? 'none' : `norm ${clipNorm}`} | ${r.converged}/${SEEDS} | ${r.medianConvergedAt ?? '-'} | ${last.toFixed(3)} | ${maxNorm.toFixed(1)} |`);
    console.log(clipRows[clipRows.length - 1]);
  }
}

const md = [
  '# Vanishing and exploding gradients in the from-scratch RNN',
  '',
  `\`npx tsx bench/rnn-gradients.ts --seeds ${SEEDS} --iters ${ITERS}\`, ${((Date.now() - t0) / 1000).toFixed(0)} s. Hidden size 16, no biases (the course notebook's net).`,
  '',
  `## Gradient norm per time step`,
  '',
  `|| d(loss at step ${T - 1}) / d h[t] || over ${T} steps of binary addition (32-bit numbers), geometric mean over 20 random sums, at initialisation (seed 1).`,
  'The last column is the mean factor per step back, (norm at t=0 / norm at t=31)^(1/31): below 1 the gradient vanishes geometrically, above 1 it explodes.',
  '(Larger relu and sigmoid weights saturate the sigmoid output unit, whose zero slope then leaves no gradient at all to carry back; those settings are left out.)',
  '',
  `| setting | ${STEPS.map((t) => `t=${t}`).join(' | ')} | factor per step |`,
  `|---|${STEPS.map(() => '---').join('|')}|---|`,
  ...flowRows,
  '',
  '## Training with and without gradient clipping',
  '',
  `8-bit addition (the notebook's task), ${ITERS} iterations of one example, plain gradient descent (lr 0.1 unless stated), ${SEEDS} seeds each;`,
  "learned = every one of 256 test sums right. Clipping rescales the gradient to norm 1 when it is longer. 'max grad norm' is the largest norm before clipping in seed 0's run.",
  '',
  '| setting | clipping | learned | median iteration | mean loss at end | max grad norm |',
  '|---|---|---|---|---|---|',
  ...clipRows,
  '',
].join('\n');
console.log(md);
writeFileAtomic(join(import.meta.dirname, 'results', 'rnn-gradients.md'), md);
