/**
 * Windy Gridworld (Sutton & Barto, Example 6.5; Exercises 6.9 and 6.10). A 7x10 grid with an
 * upward wind per column [0 0 0 1 1 1 2 2 1 0]; start (3, 0), goal (3, 7); reward -1 per step until
 * the goal, which terminates. The wind of the column the agent moves FROM shifts it up, and the
 * result is clipped to the grid. Actions: 0 up, 1 right, 2 down, 3 left; kingMoves adds 4 up-right,
 * 5 down-right, 6 down-left, 7 up-left; stay (with kingMoves) adds 8: no move but the wind.
 * stochasticWind: where a column has wind, it is off by -1, 0 or +1 with probability 1/3 each.
 * The goal is absorbing in P (prob 1, reward 0, terminated), as FrozenLake's terminal tiles.
 */
import { readOptions } from '../core.ts';
import { DiscreteModelEnv, type Transition, type TransitionTable } from './discrete.ts';

export const WIND = [0, 0, 0, 1, 1, 1, 2, 2, 1, 0] as const;
const ROWS = 7;
const COLS = 10;
const START: [number, number] = [3, 0];
const GOAL: [number, number] = [3, 7];
const MOVES: readonly [number, number][] = [[-1, 0], [0, 1], [1, 0], [0, -1], [-1, 1], [1, 1], [1, -1], [-1, -1], [0, 0]];
const NAMES = ['Up', 'Right', 'Down', 'Left', 'UpRight', 'DownRight', 'DownLeft', 'UpLeft', 'Stay'];

export interface WindyGridworldOptions {
  kingMoves?: boolean;
  stay?: boolean;
  stochasticWind?: boolean;
}

export class WindyGridworldEnv extends DiscreteModelEnv {
  readonly shape: readonly [number, number] = [ROWS, COLS];
  readonly startState = START[0] * COLS + START[1];
  readonly goalState = GOAL[0] * COLS + GOAL[1];

  constructor(opts?: WindyGridworldOptions) {
    const o = readOptions('WindyGridworld', opts as Record<string, unknown>, ['kingMoves', 'stay', 'stochasticWind']);
    const king = Boolean(o.kingMoves ?? false);
    const stay = Boolean(o.stay ?? false);
    if (stay && !king) throw new Error('WindyGridworld: stay needs kingMoves (Exercise 6.9 adds it to the king\'s moves)');
    const stochastic = Boolean(o.stochasticWind ?? false);
    const nA = stay ? 9 : king ? 8 : 4;
    const goal = GOAL[0] * COLS + GOAL[1];
    const P: TransitionTable = [];
    for (let s = 0; s < ROWS * COLS; s++) {
      const r = Math.floor(s / COLS);
      const c = s % COLS;
      P[s] = [];
      for (let a = 0; a < nA; a++) {
        if (s === goal) {
          P[s]![a] = [[1.0, s, 0, true]];
          continue;
        }
        const w = WIND[c]!;
        const winds = stochastic && w > 0 ? [w - 1, w, w + 1] : [w];
        const out: Transition[] = [];
        for (const wind of winds) {
          const nr = Math.max(0, Math.min(ROWS - 1, r + MOVES[a]![0] - wind));
          const nc = Math.max(0, Math.min(COLS - 1, c + MOVES[a]![1]));
          const ns = nr * COLS + nc;
          out.push([1 / winds.length, ns, -1, ns === goal]);
        }
        P[s]![a] = out;
      }
    }
    const init = new Float64Array(ROWS * COLS);
    init[START[0] * COLS + START[1]] = 1.0;
    super(P, init);
  }

  render(): string {
    const lines: string[] = [];
    if (this.lastAction !== null) lines.push(`  (${NAMES[this.lastAction]})`);
    for (let r = 0; r < ROWS; r++) {
      let line = '';
      for (let c = 0; c < COLS; c++) {
        const s = r * COLS + c;
        line += s === this.s ? 'x' : s === this.goalState ? 'G' : s === this.startState ? 'S' : '.';
      }
      lines.push(line);
    }
    lines.push(WIND.join(''));
    return lines.join('\n') + '\n';
  }
}
