/**
 * Base for tabular environments with a known model, after Gymnasium's toy-text envs:
 * P[s][a] is the list of transitions [prob, nextState, reward, terminated] (the model value
 * iteration plans on), and step() samples one by inverse CDF (argmax(cumsum(p) > u)), as
 * Gymnasium's categorical_sample does. info.prob is the probability of the transition taken.
 */
import { BaseEnv, type Info, type ResetOptions, type ResetResult, type StepResult } from '../core.ts';
import { Discrete } from '../spaces.ts';

export type Transition = [prob: number, nextState: number, reward: number, terminated: boolean];
export type TransitionTable = Transition[][][];
export type StepResultNum = StepResult<number>;

export function categoricalSample(probs: ArrayLike<number>, u: number): number {
  let c = 0;
  for (let i = 0; i < probs.length; i++) {
    c += probs[i]!;
    if (c > u) return i;
  }
  return 0; // numpy's argmax of an all-false mask
}

export abstract class DiscreteModelEnv extends BaseEnv<number, number> {
  readonly observationSpace: Discrete;
  readonly actionSpace: Discrete;
  /** P[s][a] = [prob, nextState, reward, terminated][] */
  readonly P: TransitionTable;
  readonly initialStateDistrib: Float64Array;
  readonly nS: number;
  readonly nA: number;
  /** Current state index. */
  s = -1;
  lastAction: number | null = null;

  constructor(P: TransitionTable, initialStateDistrib: Float64Array) {
    super();
    this.P = P;
    this.nS = P.length;
    this.nA = P[0]!.length;
    this.initialStateDistrib = initialStateDistrib;
    this.observationSpace = new Discrete(this.nS);
    this.actionSpace = new Discrete(this.nA);
  }

  get state(): number[] {
    return [this.s];
  }
  set state(v: number[]) {
    const s = Array.isArray(v) && v.length === 1 ? v[0] : undefined;
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s >= this.nS) throw new Error(`${this.constructor.name}: state must be [s] with s an integer in [0, ${this.nS}), got ${JSON.stringify(v)}`);
    this.s = s;
  }

  protected checkAction(a: number): void {
    if (!Number.isInteger(a) || a < 0 || a >= this.nA) throw new Error(`${this.constructor.name}: action must be an integer in [0, ${this.nA}), got ${String(a)}`);
    if (this.s < 0) throw new Error(`${this.constructor.name}: call reset() before step()`);
  }

  reset(opts?: ResetOptions): ResetResult<number> {
    this.seedIfAsked(opts);
    this.s = categoricalSample(this.initialStateDistrib, this.npRandom.nextDouble());
    this.lastAction = null;
    return { observation: this.s, info: this.resetInfo() };
  }

  protected resetInfo(): Info {
    return { prob: 1 };
  }

  step(a: number): StepResult<number> {
    this.checkAction(a);
    const transitions = this.P[this.s]![a]!;
    let i = 0;
    if (transitions.length > 1) {
      const u = this.npRandom.nextDouble();
      let c = 0;
      for (i = 0; i < transitions.length; i++) {
        c += transitions[i]![0];
        if (c > u) break;
      }
      if (i === transitions.length) i = 0;
    }
    const [p, s, r, t] = transitions[i]!;
    this.s = s;
    this.lastAction = a;
    return { observation: s, reward: r, terminated: t, truncated: false, info: { prob: p } };
  }
}
