/**
 * The binary-addition task of the course notebook: add two numbers below 2^(bits-1), bit by bit
 * from the least significant, and learn the carry. Training runs, convergence and the
 * hyperparameter sweep of the notebook's experiment table.
 */
import { Rng } from '../../util/rng.ts';
import { UserError } from '../../util/errors.ts';
import { SimpleRnn, type SimpleRnnOptions } from './simple-rnn.ts';

export interface AdditionRunOptions extends Partial<SimpleRnnOptions> {
  /** Bits per number (binary_dim). Default 8. */
  bits?: number;
  /** Training iterations, one example each. Default 10000. */
  iters?: number;
  /** Record the summed loss every this many iterations (and check convergence). Default 100. */
  interval?: number;
  /** Test pairs used to decide convergence. Default 256 (drawn with a fixed seed). */
  testPairs?: number;
}

export interface AdditionRun {
  /** [iteration, loss of that iteration's example] every `interval` iterations. */
  losses: Array<[number, number]>;
  /** First checked iteration at which every test sum was right, or null. */
  convergedAt: number | null;
  /** Fraction of test sums right at the end. */
  finalAccuracy: number;
}

/** Write the bits of n, least significant first, into out[offset + t * stride]. */
function putBits(n: number, bits: number, out: Float64Array, offset: number, stride: number): void {
  for (let t = 0; t < bits; t++) out[offset + t * stride] = (n >> t) & 1;
}

export function encodePair(a: number, b: number, bits: number): { xs: Float64Array; ds: Float64Array } {
  const xs = new Float64Array(bits * 2);
  const ds = new Float64Array(bits);
  putBits(a, bits, xs, 0, 2);
  putBits(b, bits, xs, 1, 2);
  putBits(a + b, bits, ds, 0, 1);
  return { xs, ds };
}

/** Decode the rounded outputs (least significant first) to an integer. */
export function decodeBits(y: Float64Array): number {
  let n = 0;
  for (let t = 0; t < y.length; t++) if (y[t]! >= 0.5) n |= 1 << t;
  return n;
}

export function testSet(bits: number, count: number): Array<[number, number]> {
  const half = 1 << (bits - 1);
  const rng = new Rng('binary-addition-test-set');
  return Array.from({ length: count }, () => [rng.int(half), rng.int(half)] as [number, number]);
}

export function accuracy(net: SimpleRnn, pairs: Array<[number, number]>, bits: number): number {
  let right = 0;
  for (const [a, b] of pairs) {
    const { xs, ds } = encodePair(a, b, bits);
    if (decodeBits(net.forwardBackward(xs, ds, bits).y) === a + b) right++;
  }
  return right / pairs.length;
}

export function runAddition(options: AdditionRunOptions = {}): AdditionRun {
  const bits = options.bits ?? 8;
  const iters = options.iters ?? 10000;
  const interval = options.interval ?? 100;
  if (!Number.isInteger(bits) || bits < 2 || bits > 30) throw new UserError(`bits must be an integer in 2..30, got ${bits}`);
  if (!Number.isInteger(iters) || iters < 1) throw new UserError(`iters must be a positive integer, got ${iters}`);
  if (!Number.isInteger(interval) || interval < 1) throw new UserError(`interval must be a positive integer, got ${interval}`);
  const net = new SimpleRnn(options);
  const rng = net.random;
  const half = 1 << (bits - 1);
  const pairs = testSet(bits, options.testPairs ?? 256);
  const grads = net.newGradients();
  const losses: Array<[number, number]> = [];
  let convergedAt: number | null = null;
  for (let i = 0; i < iters; i++) {
    const { xs, ds } = encodePair(rng.int(half), rng.int(half), bits);
    const { loss } = net.trainStep(xs, ds, bits, grads);
    if (i % interval === 0) {
      losses.push([i, loss]);
      if (convergedAt === null && accuracy(net, pairs, bits) === 1) convergedAt = i;
    }
  }
  return { losses, convergedAt, finalAccuracy: accuracy(net, pairs, bits) };
}

export interface SeedSummary {
  runs: number;
  converged: number;
  /** Median convergence iteration over the runs that converged, or null. */
  medianConvergedAt: number | null;
  /** Mean loss curve over the runs. */
  meanLosses: Array<[number, number]>;
}

export function runSeeds(options: AdditionRunOptions, seeds: number, firstSeed = 0): SeedSummary {
  const runs = Array.from({ length: seeds }, (_, k) => runAddition({ ...options, seed: firstSeed + k }));
  const its = runs.map((r) => r.convergedAt).filter((v): v is number => v !== null).sort((a, b) => a - b);
  const median = its.length === 0 ? null : its.length % 2 ? its[(its.length - 1) / 2]! : (its[its.length / 2 - 1]! + its[its.length / 2]!) / 2;
  const meanLosses = runs[0]!.losses.map(([it], j) => [it, runs.reduce((s, r) => s + r.losses[j]![1], 0) / runs.length] as [number, number]);
  return { runs: seeds, converged: its.length, medianConvergedAt: median, meanLosses };
}

/** The notebook's experiment table: one change at a time from the default settings. */
export const SWEEP: Array<{ name: string; options: AdditionRunOptions; course: string }> = [
  { name: 'default (std 1, lr 0.1, hidden 16, sigmoid)', options: {}, course: 'learns' },
  { name: 'weight_init_std 2', options: { weightInitStd: 2 }, course: 'unstable' },
  { name: 'learning_rate 0.5', options: { learningRate: 0.5 }, course: 'converges a little earlier' },
  { name: 'hidden_layer_size 32', options: { hiddenSize: 32 }, course: 'little change' },
  { name: 'Xavier init', options: { init: 'xavier' }, course: 'smaller initial loss, decreases more slowly' },
  { name: 'He init', options: { init: 'he' }, course: 'smaller initial loss, decreases more slowly' },
  { name: 'ReLU hidden', options: { activation: 'relu' }, course: 'does not learn' },
  { name: 'tanh hidden', options: { activation: 'tanh' }, course: 'does not learn' },
];
