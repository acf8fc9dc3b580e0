/**
 * Evaluate a policy: run whole episodes on fresh seeds and report mean and standard deviation of
 * the episodic return (SB3's evaluate_policy). Episodes end on termination or truncation.
 */
import type { AgentEnv } from './env-types.ts';

export interface EvalResult {
  mean: number;
  std: number;
  returns: number[];
  lengths: number[];
}

export function evaluatePolicy(
  policy: (obs: unknown) => number | number[],
  env: AgentEnv,
  episodes: number,
  seed = 0,
  onStep?: (env: AgentEnv, episode: number, t: number) => void,
  maxSteps = 100_000,
): EvalResult {
  if (!Number.isInteger(episodes) || episodes < 1) throw new Error(`evaluatePolicy: episodes must be a positive integer, got ${episodes}`);
  const returns: number[] = [];
  const lengths: number[] = [];
  for (let ep = 0; ep < episodes; ep++) {
    let obs = env.reset({ seed: seed + ep }).observation;
    let ret = 0;
    let t = 0;
    onStep?.(env, ep, 0);
    for (; t < maxSteps; ) {
      const r = env.step(policy(obs) as never);
      t++;
      ret += r.reward;
      obs = r.observation;
      onStep?.(env, ep, t);
      if (r.terminated || r.truncated) break;
    }
    returns.push(ret);
    lengths.push(t);
  }
  const mean = returns.reduce((a, b) => a + b, 0) / episodes;
  const std = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / episodes);
  return { mean, std, returns, lengths };
}
