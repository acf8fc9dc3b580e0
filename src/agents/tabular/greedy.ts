/** Tabular helpers shared by the TD and Monte Carlo control agents. */
import type { Rng } from '../../util/rng.ts';

/**
 * argmax_a Q[s * nA + a]. Ties are broken uniformly at random when `rng` is given (reservoir
 * sampling over the tied actions, one draw per tie), else by the lowest index.
 */
export function greedyAction(Q: Float64Array, s: number, nA: number, rng?: Rng): number {
  const base = s * nA;
  let best = Q[base]!;
  let arg = 0;
  let ties = 1;
  for (let a = 1; a < nA; a++) {
    const q = Q[base + a]!;
    if (q > best) {
      best = q;
      arg = a;
      ties = 1;
    } else if (q === best && rng) {
      ties++;
      if (rng.int(ties) === 0) arg = a;
    }
  }
  return arg;
}
