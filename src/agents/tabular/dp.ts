/**
 * Dynamic programming on a known model: the exact reference the tabular learners are checked
 * against. The model is Gymnasium's toy-text transition table
 *   P[s][a] = [[prob, nextState, reward, terminated], ...]
 * A terminated transition's successor contributes no further value.
 *
 *  - valueIteration: V(s) <- max_a sum p (r + gamma V(s') [not terminated]) until the largest
 *    change is below theta (Sutton & Barto 4.4); greedy policy read off at the end.
 *  - policyIteration: iterative policy evaluation + greedy improvement until stable (S&B 4.3).
 *  - finiteHorizonValue: the value with at most H steps left (gamma usually 1): with reward 1 on
 *    reaching the goal this is the success probability within H steps, e.g. FrozenLake under its
 *    100-step TimeLimit. Optimal (max over actions at each step-to-go) or for a fixed policy.
 */
export type Transition = readonly [prob: number, nextState: number, reward: number, terminated: boolean];
export type TransitionTable = ReadonlyArray<ReadonlyArray<ReadonlyArray<Transition>>>;

export interface DpResult {
  /** State values. */
  V: Float64Array;
  /** Action values Q[s * nA + a]. */
  Q: Float64Array;
  /** Greedy policy (lowest index among ties). */
  policy: Int32Array;
  iterations: number;
}

function checkTable(P: TransitionTable): { nS: number; nA: number } {
  const nS = P.length;
  if (nS === 0) throw new Error('transition table is empty');
  const nA = P[0]!.length;
  for (let s = 0; s < nS; s++) {
    if (P[s]!.length !== nA) throw new Error(`transition table: state ${s} has ${P[s]!.length} actions, state 0 has ${nA}`);
    for (let a = 0; a < nA; a++) {
      let total = 0;
      for (const [p, s2] of P[s]![a]!) {
        if (!(p >= 0) || !Number.isInteger(s2) || s2 < 0 || s2 >= nS) throw new Error(`transition table: bad entry at P[${s}][${a}]`);
        total += p;
      }
      if (Math.abs(total - 1) > 1e-6) throw new Error(`transition table: P[${s}][${a}] probabilities sum to ${total}, expected 1`);
    }
  }
  return { nS, nA };
}

function backup(P: TransitionTable, V: Float64Array, gamma: number, s: number, a: number): number {
  let q = 0;
  for (const [p, s2, r, term] of P[s]![a]!) q += p * (r + (term ? 0 : gamma * V[s2]!));
  return q;
}

function greedy(P: TransitionTable, V: Float64Array, gamma: number, nS: number, nA: number): { Q: Float64Array; policy: Int32Array } {
  const Q = new Float64Array(nS * nA);
  const policy = new Int32Array(nS);
  for (let s = 0; s < nS; s++) {
    let best = 0;
    for (let a = 0; a < nA; a++) {
      Q[s * nA + a] = backup(P, V, gamma, s, a);
      if (Q[s * nA + a]! > Q[s * nA + best]! + 1e-12) best = a;
    }
    policy[s] = best;
  }
  return { Q, policy };
}

export function valueIteration(P: TransitionTable, gamma = 0.99, theta = 1e-10, maxIterations = 100_000): DpResult {
  const { nS, nA } = checkTable(P);
  if (!(gamma >= 0 && gamma <= 1)) throw new Error(`valueIteration: gamma must be in [0, 1], got ${gamma}`);
  const V = new Float64Array(nS);
  let it = 0;
  for (; it < maxIterations; it++) {
    let delta = 0;
    for (let s = 0; s < nS; s++) {
      let best = -Infinity;
      for (let a = 0; a < nA; a++) best = Math.max(best, backup(P, V, gamma, s, a));
      delta = Math.max(delta, Math.abs(best - V[s]!));
      V[s] = best;
    }
    if (delta < theta) break;
  }
  return { V, ...greedy(P, V, gamma, nS, nA), iterations: it + 1 };
}

/** V of a fixed deterministic policy (iterative policy evaluation, in place). */
export function evaluatePolicy(P: TransitionTable, policy: ArrayLike<number>, gamma = 0.99, theta = 1e-10, maxIterations = 100_000, V0?: Float64Array): Float64Array {
  const { nS } = checkTable(P);
  const V: Float64Array = V0 ? Float64Array.from(V0) : new Float64Array(nS);
  for (let it = 0; it < maxIterations; it++) {
    let delta = 0;
    for (let s = 0; s < nS; s++) {
      const v = backup(P, V, gamma, s, policy[s]!);
      delta = Math.max(delta, Math.abs(v - V[s]!));
      V[s] = v;
    }
    if (delta < theta) break;
  }
  return V;
}

export function policyIteration(P: TransitionTable, gamma = 0.99, theta = 1e-10, maxIterations = 1000): DpResult {
  const { nS, nA } = checkTable(P);
  let policy: Int32Array = new Int32Array(nS);
  let V: Float64Array = new Float64Array(nS);
  let it = 0;
  for (; it < maxIterations; it++) {
    V = evaluatePolicy(P, policy, gamma, theta, 100_000, V);
    const g = greedy(P, V, gamma, nS, nA);
    // Keep the old action unless another is strictly better (avoids cycling between ties).
    let stable = true;
    for (let s = 0; s < nS; s++) {
      const old = policy[s]!;
      if (g.Q[s * nA + g.policy[s]!]! > g.Q[s * nA + old]! + 1e-9) {
        stable = false;
      } else g.policy[s] = old;
    }
    policy = g.policy;
    if (stable) return { V, Q: g.Q, policy, iterations: it + 1 };
  }
  return { V, ...greedy(P, V, gamma, nS, nA), iterations: it };
}

/**
 * Value with `horizon` steps to go (V_0 = 0). With `policy` omitted, the optimal non-stationary
 * value (best action at each steps-to-go); with a policy, that stationary policy's value.
 */
export function finiteHorizonValue(P: TransitionTable, horizon: number, gamma = 1, policy?: ArrayLike<number>): Float64Array {
  const { nS, nA } = checkTable(P);
  let V = new Float64Array(nS);
  let next = new Float64Array(nS);
  for (let h = 0; h < horizon; h++) {
    for (let s = 0; s < nS; s++) {
      if (policy) next[s] = backup(P, V, gamma, s, policy[s]!);
      else {
        let best = -Infinity;
        for (let a = 0; a < nA; a++) best = Math.max(best, backup(P, V, gamma, s, a));
        next[s] = best;
      }
    }
    [V, next] = [next, V];
  }
  return V;
}
