/** Defaults and validation of MctsOptions: wrong values get one clear line saying what was expected. */
import { UserError } from '../util/errors.ts';
import type { MctsOptions } from './types.ts';

export const DEFAULT_MCTS_OPTIONS: Readonly<MctsOptions> = Object.freeze({
  seed: 0,
  cUct: Math.SQRT2,
  cPuct: 1.25,
  cPuctGrowth: false,
  cPuctBase: 19652,
  fpu: 0,
  dirichletEpsilon: 0,
  virtualLoss: 1,
  batchSize: 1,
  solver: true,
  reuseTree: true,
  rollouts: 1,
  replay: 'undo',
  maxNodes: 1 << 23,
});

const KNOWN = new Set([...Object.keys(DEFAULT_MCTS_OPTIONS), 'evaluator', 'dirichletAlpha', 'resignThreshold']);

export function resolveMctsOptions(partial: Partial<MctsOptions> = {}): MctsOptions {
  for (const k of Object.keys(partial)) {
    if (!KNOWN.has(k)) throw new UserError(`MCTS: unknown option '${k}'; known options: ${[...KNOWN].sort().join(', ')}`);
  }
  const o: MctsOptions = { ...DEFAULT_MCTS_OPTIONS, ...stripUndefined(partial) };
  const bad = (name: string, v: unknown, want: string): never => {
    throw new UserError(`MCTS: option ${name} must be ${want}, got ${String(v)}`);
  };
  if (!Number.isFinite(o.seed)) bad('seed', o.seed, 'a finite number');
  if (!(o.cUct >= 0) || !Number.isFinite(o.cUct)) bad('cUct', o.cUct, 'a finite number >= 0');
  if (!(o.cPuct >= 0) || !Number.isFinite(o.cPuct)) bad('cPuct', o.cPuct, 'a finite number >= 0');
  if (!(o.cPuctBase > 0) || !Number.isFinite(o.cPuctBase)) bad('cPuctBase', o.cPuctBase, 'a finite number > 0');
  if (typeof o.fpu === 'number') {
    if (!Number.isFinite(o.fpu)) bad('fpu', o.fpu, 'a finite number or { reduction: number }');
  } else if (typeof o.fpu !== 'object' || o.fpu === null || !Number.isFinite(o.fpu.reduction)) {
    bad('fpu', JSON.stringify(o.fpu), 'a finite number or { reduction: number }');
  }
  if (o.dirichletAlpha !== undefined && !(o.dirichletAlpha > 0 && Number.isFinite(o.dirichletAlpha))) bad('dirichletAlpha', o.dirichletAlpha, 'a finite number > 0');
  if (!(o.dirichletEpsilon >= 0 && o.dirichletEpsilon <= 1)) bad('dirichletEpsilon', o.dirichletEpsilon, 'in [0, 1]');
  if (!(o.virtualLoss >= 0) || !Number.isFinite(o.virtualLoss)) bad('virtualLoss', o.virtualLoss, 'a finite number >= 0');
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) bad('batchSize', o.batchSize, 'an integer >= 1');
  if (o.resignThreshold !== undefined && !(o.resignThreshold >= -1 && o.resignThreshold <= 1)) bad('resignThreshold', o.resignThreshold, 'in [-1, 1]');
  if (!Number.isInteger(o.rollouts) || o.rollouts < 1) bad('rollouts', o.rollouts, 'an integer >= 1');
  if (!Number.isInteger(o.maxNodes) || o.maxNodes < 1024) bad('maxNodes', o.maxNodes, 'an integer >= 1024');
  if (o.replay !== 'undo' && o.replay !== 'clone') bad('replay', o.replay, "'undo' or 'clone'");
  if (o.evaluator !== undefined && typeof o.evaluator.evaluate !== 'function') bad('evaluator', o.evaluator, 'an object with evaluate(states)');
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
