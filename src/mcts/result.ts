/**
 * Reading a search out of the tree (best move, visit distribution, principal variations) and
 * choosing the move to play from it (temperature).
 */
import type { State } from '../env/games/game.ts';
import { UserError } from '../util/errors.ts';
import type { Rng } from '../util/rng.ts';
import { DRAW, FLAG_EXPANDED, LOSS, NodePool, UNPROVEN, WIN } from './tree.ts';
import type { Candidate, SearchResult } from './types.ts';

const PROOF_NAME = ['', 'loss', 'draw', 'win'] as const;

export function buildResult(
  pool: NodePool,
  root: number,
  numActions: number,
  rootState: State,
  simulations: number,
  elapsedMs: number,
  resignThreshold: number | undefined,
): SearchResult {
  const visits = new Float32Array(numActions);
  const policy = new Float32Array(numActions);
  const f = pool.first[root]!;
  const n = pool.flags[root]! & FLAG_EXPANDED ? pool.count[root]! : 0;
  const p = pool.toMove[root]!;
  let total = 0;
  let wsum = 0;
  const candidates: Candidate[] = [];
  for (let ch = f; ch < f + n; ch++) {
    const nv = pool.N[ch]!;
    total += nv;
    wsum += pool.W[ch]!;
    visits[pool.action[ch]!] = nv;
    const pr = pool.proof[ch]!;
    const q = pr !== UNPROVEN ? pr - DRAW : nv > 0 ? pool.W[ch]! / nv : 0;
    const c: Candidate = { action: pool.action[ch]!, visits: nv, q, prior: pool.P[ch]!, pv: principalVariation(pool, ch) };
    if (pr !== UNPROVEN) c.proven = PROOF_NAME[pr] as 'win' | 'loss' | 'draw';
    candidates.push(c);
  }
  candidates.sort((a, b) => b.visits - a.visits || b.q - a.q || a.action - b.action);
  if (total > 0) for (let a = 0; a < numActions; a++) policy[a] = visits[a]! / total;
  else {
    const legal = rootState.legalActions();
    for (const a of legal) policy[a] = 1 / legal.length;
  }
  // The move: a proven win if any, else the most visited move not proven lost (if one exists).
  let best: Candidate | undefined = candidates.find((c) => c.proven === 'win');
  if (!best) best = candidates.find((c) => c.proven !== 'loss') ?? candidates[0];
  const action = best ? best.action : rootState.legalActions()[0]!;
  const rp = pool.proof[root]!;
  let proven: SearchResult['proven'];
  let rootValue: number;
  if (rp !== UNPROVEN) {
    const forMover = rp - DRAW;
    rootValue = pool.mover[root] === p ? forMover : -forMover;
    proven = rootValue > 0 ? 'win' : rootValue < 0 ? 'loss' : 'draw';
  } else {
    rootValue = total > 0 ? wsum / total : 0;
  }
  rootValue = Math.max(-1, Math.min(1, rootValue));
  return {
    action,
    visits,
    policy,
    rootValue,
    totalVisits: total,
    simulations,
    ...(proven ? { proven } : {}),
    resign: resignThreshold !== undefined && rootValue < resignThreshold,
    candidates,
    elapsedMs,
  };
}

function principalVariation(pool: NodePool, node: number, maxLen = 32): number[] {
  const pv = [pool.action[node]!];
  while (pv.length < maxLen && pool.flags[node]! & FLAG_EXPANDED && pool.count[node]! > 0) {
    const f = pool.first[node]!;
    let best = -1;
    let bestN = 0;
    for (let ch = f; ch < f + pool.count[node]!; ch++) {
      const pr = pool.proof[ch]!;
      if (pr === WIN) {
        best = ch;
        break;
      }
      const nv = pool.N[ch]! - (pr === LOSS ? 1e9 : 0);
      if (best < 0 || nv > bestN) {
        best = ch;
        bestN = nv;
      }
    }
    if (best < 0 || (pool.N[best]! === 0 && pool.proof[best] === UNPROVEN)) break;
    pv.push(pool.action[best]!);
    node = best;
  }
  return pv;
}

/**
 * The move to play from a search: tau = 0 (or below 1e-3) plays result.action; otherwise samples
 * an action with probability proportional to visits^(1/tau) (tau = 1: proportional to visits),
 * leaving out moves proven lost when some other visited move is not.
 */
export function selectAction(result: SearchResult, tau: number, rng: Rng): number {
  if (!(tau >= 0) || !Number.isFinite(tau)) throw new UserError(`selectAction: temperature must be a finite number >= 0, got ${tau}`);
  if (tau < 1e-3) return result.action;
  const v = result.visits;
  let max = 0;
  for (let a = 0; a < v.length; a++) if (v[a]! > max) max = v[a]!;
  if (max === 0) return result.action;
  const w = new Float64Array(v.length);
  // (v / max)^(1/tau) keeps large visit counts and small temperatures finite.
  for (let a = 0; a < v.length; a++) w[a] = v[a]! > 0 ? Math.pow(v[a]! / max, 1 / tau) : 0;
  // Never sample a move the solver proved lost while another move is not.
  const lost = result.candidates.filter((c) => c.proven === 'loss' && w[c.action]! > 0);
  if (lost.length > 0 && result.candidates.some((c) => c.proven !== 'loss' && w[c.action]! > 0)) for (const c of lost) w[c.action] = 0;
  return rng.categorical(w);
}

/** AlphaZero's schedule: temperature `early` for the first `moves` moves of a game, then `late` (default 0, argmax). */
export function temperatureFor(moveNumber: number, moves: number, early = 1, late = 0): number {
  return moveNumber < moves ? early : late;
}
