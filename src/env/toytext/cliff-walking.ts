/**
 * CliffWalking-v1 (Sutton & Barto, Example 6.6), as Gymnasium 1.x toy_text/cliffwalking.py.
 * A 4x12 grid; start (3, 0), goal (3, 11), the cliff is (3, 1..10). Actions: 0 up, 1 right,
 * 2 down, 3 left. Each step costs -1; stepping into the cliff costs -100 and sends the agent back
 * to the start WITHOUT ending the episode; reaching the goal terminates. isSlippery: the intended
 * move or either perpendicular one, each with probability 1/3 (Gymnasium's CliffWalkingSlippery-v1).
 */
import { readOptions } from '../core.ts';
import { DiscreteModelEnv, type Transition, type TransitionTable } from './discrete.ts';

export const UP = 0;
export const RIGHT = 1;
export const DOWN = 2;
export const LEFT = 3;
const MOVES: readonly [number, number][] = [[-1, 0], [0, 1], [1, 0], [0, -1]];
const ROWS = 4;
const COLS = 12;
const START = 3 * COLS;

const isCliff = (r: number, c: number): boolean => r === 3 && c >= 1 && c <= COLS - 2;

export interface CliffWalkingOptions {
  isSlippery?: boolean;
}

export class CliffWalkingEnv extends DiscreteModelEnv {
  readonly shape: readonly [number, number] = [ROWS, COLS];
  readonly startStateIndex = START;
  readonly isSlippery: boolean;

  constructor(opts?: CliffWalkingOptions) {
    const o = readOptions('CliffWalking', opts as Record<string, unknown>, ['isSlippery']);
    const slippery = Boolean(o.isSlippery ?? false);
    const P: TransitionTable = [];
    for (let s = 0; s < ROWS * COLS; s++) {
      const r = Math.floor(s / COLS);
      const c = s % COLS;
      P[s] = [];
      for (let move = 0; move < 4; move++) {
        const deltas = slippery ? [(move + 3) % 4, move, (move + 1) % 4].map((m) => MOVES[m]!) : [MOVES[move]!];
        const out: Transition[] = [];
        for (const [dr, dc] of deltas) {
          const nr = Math.max(0, Math.min(ROWS - 1, r + dr));
          const nc = Math.max(0, Math.min(COLS - 1, c + dc));
          if (isCliff(nr, nc)) out.push([1 / deltas.length, START, -100, false]);
          else out.push([1 / deltas.length, nr * COLS + nc, -1, nr === ROWS - 1 && nc === COLS - 1]);
        }
        P[s]![move] = out;
      }
    }
    const init = new Float64Array(ROWS * COLS);
    init[START] = 1.0;
    super(P, init);
    this.isSlippery = slippery;
  }

  render(): string {
    let out = '';
    for (let s = 0; s < ROWS * COLS; s++) {
      const r = Math.floor(s / COLS);
      const c = s % COLS;
      let cell = this.s === s ? ' x ' : r === 3 && c === 11 ? ' T ' : isCliff(r, c) ? ' C ' : ' o ';
      if (c === 0) cell = cell.trimStart();
      if (c === COLS - 1) cell = cell.trimEnd() + '\n';
      out += cell;
    }
    return out + '\n';
  }
}
