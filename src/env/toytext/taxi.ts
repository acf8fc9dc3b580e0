/**
 * Taxi-v4 (Dietterich 2000), as Gymnasium 1.x toy_text/taxi.py. A 5x5 grid with walls and four
 * stands R(0,0), G(0,4), Y(4,0), B(4,3). State = ((row*5 + col)*5 + passenger)*4 + destination,
 * passenger 0-3 at a stand or 4 in the taxi. Actions: 0 south, 1 north, 2 east, 3 west, 4 pickup,
 * 5 dropoff. Reward -1 per step, +20 for delivering (terminates), -10 for an illegal pickup/dropoff.
 * Dropping the passenger at another stand leaves them there (reward -1).
 * v4 options: isRainy (a move goes as intended with rainyProbability, else to either side),
 * fickle_passenger (with fickleProbability per episode, the passenger changes destination once
 * after the first move with them aboard). info: {prob, action_mask} like Gymnasium's.
 */
import { readOptions, toNumber, type Info } from '../core.ts';
import { DiscreteModelEnv, type StepResultNum, type TransitionTable } from './discrete.ts';

export const MAP = ['+---------+', '|R: | : :G|', '| : | : : |', '| : : : : |', '| | : | : |', '|Y| : |B: |', '+---------+'];
export const LOCS: readonly [number, number][] = [[0, 0], [0, 4], [4, 0], [4, 3]];
const MAX_ROW = 4;
const MAX_COL = 4;

export function encode(row: number, col: number, pass: number, dest: number): number {
  return ((row * 5 + col) * 5 + pass) * 4 + dest;
}
export function decode(i: number): [row: number, col: number, pass: number, dest: number] {
  const dest = i % 4;
  i = Math.floor(i / 4);
  const pass = i % 5;
  i = Math.floor(i / 5);
  return [Math.floor(i / 5), i % 5, pass, dest];
}
const locIndex = (r: number, c: number): number => LOCS.findIndex(([lr, lc]) => lr === r && lc === c);
const open = (r: number, c: number): boolean => MAP[r]![c] === ':';

export interface TaxiOptions {
  isRainy?: boolean;
  ficklePassenger?: boolean;
  rainyProbability?: number;
  fickleProbability?: number;
}

export class TaxiEnv extends DiscreteModelEnv {
  readonly isRainy: boolean;
  readonly ficklePassenger: boolean;
  readonly fickleProbability: number;
  private fickleStep = false;

  constructor(opts?: TaxiOptions) {
    const o = readOptions('Taxi', opts as Record<string, unknown>, ['isRainy', 'ficklePassenger', 'rainyProbability', 'fickleProbability']);
    const rainy = Boolean(o.isRainy ?? false);
    const rp = o.rainyProbability === undefined ? 0.8 : toNumber(o.rainyProbability, 'rainyProbability');
    const fp = o.fickleProbability === undefined ? 0.3 : toNumber(o.fickleProbability, 'fickleProbability');
    for (const [n, v] of [['rainyProbability', rp], ['fickleProbability', fp]] as const) {
      if (!(v >= 0 && v <= 1)) throw new Error(`Taxi: ${n} must be in [0, 1], got ${v}`);
    }
    const lateral = (1.0 - rp) / 2.0;
    const P: TransitionTable = Array.from({ length: 500 }, () => Array.from({ length: 6 }, () => []));
    const init = new Float64Array(500);
    const pickup = (r: number, c: number, pass: number, reward: number): [number, number] =>
      pass < 4 && LOCS[pass]![0] === r && LOCS[pass]![1] === c ? [4, reward] : [pass, -10];
    const dropoff = (r: number, c: number, pass: number, dest: number, reward: number): [number, number, boolean] => {
      if (LOCS[dest]![0] === r && LOCS[dest]![1] === c && pass === 4) return [dest, 20, true];
      if (locIndex(r, c) >= 0 && pass === 4) return [locIndex(r, c), reward, false];
      return [pass, -10, false];
    };
    // Rainy side-slip: the move (dr, dc) from (r, c), blocked by a wall or the edge.
    const sideMove = (r: number, c: number, dr: number, dc: number): [number, number] => {
      const nr = Math.max(0, Math.min(r + dr, MAX_ROW));
      const nc = Math.max(0, Math.min(c + dc, MAX_COL));
      if (dc === 1 && MAP[1 + nr]![2 * nc] !== ':') return [r, c];
      if (dc === -1 && MAP[1 + nr]![2 * nc + 2] !== ':') return [r, c];
      return [nr, nc];
    };
    const rainyMoves: readonly (readonly [number, number])[][] = [
      [[1, 0], [0, 1], [0, -1]],
      [[-1, 0], [0, -1], [0, 1]],
      [[0, 1], [-1, 0], [1, 0]],
      [[0, -1], [1, 0], [-1, 0]],
    ];
    for (let row = 0; row < 5; row++) {
      for (let col = 0; col < 5; col++) {
        for (let pass = 0; pass < 5; pass++) {
          for (let dest = 0; dest < 4; dest++) {
            const state = encode(row, col, pass, dest);
            if (pass < 4 && pass !== dest) init[state]! += 1;
            for (let a = 0; a < 6; a++) {
              let nr = row;
              let nc = col;
              let np = pass;
              let reward = -1;
              let terminated = false;
              if (!rainy) {
                if (a === 0) nr = Math.min(row + 1, MAX_ROW);
                else if (a === 1) nr = Math.max(row - 1, 0);
                if (a === 2 && open(1 + row, 2 * col + 2)) nc = Math.min(col + 1, MAX_COL);
                else if (a === 3 && open(1 + row, 2 * col)) nc = Math.max(col - 1, 0);
                else if (a === 4) [np, reward] = pickup(row, col, np, reward);
                else if (a === 5) [np, reward, terminated] = dropoff(row, col, np, dest, reward);
                P[state]![a]!.push([1.0, encode(nr, nc, np, dest), reward, terminated]);
                continue;
              }
              let left: [number, number] = [row, col];
              let right: [number, number] = [row, col];
              if ((a === 0 && row < MAX_ROW) || (a === 1 && row > 0) || (a === 2 && open(1 + row, 2 * col + 2)) || (a === 3 && open(1 + row, 2 * col))) {
                const [dr, dc] = rainyMoves[a]![0]!;
                nr = Math.max(0, Math.min(row + dr, MAX_ROW));
                nc = Math.max(0, Math.min(col + dc, MAX_COL));
                left = sideMove(row, col, ...rainyMoves[a]![1]!);
                right = sideMove(row, col, ...rainyMoves[a]![2]!);
              } else if (a === 4) [np, reward] = pickup(row, col, np, reward);
              else if (a === 5) [np, reward, terminated] = dropoff(row, col, np, dest, reward);
              const intended = encode(nr, nc, np, dest);
              if (a <= 3) {
                P[state]![a]!.push([rp, intended, -1, terminated]);
                P[state]![a]!.push([lateral, encode(left[0], left[1], np, dest), -1, terminated]);
                P[state]![a]!.push([lateral, encode(right[0], right[1], np, dest), -1, terminated]);
              } else P[state]![a]!.push([1.0, intended, reward, terminated]);
            }
          }
        }
      }
    }
    let total = 0;
    for (const v of init) total += v;
    for (let i = 0; i < 500; i++) init[i]! /= total;
    super(P, init);
    this.isRainy = rainy;
    this.ficklePassenger = Boolean(o.ficklePassenger ?? false);
    this.fickleProbability = fp;
  }

  /** 1 where the action changes the state (Gymnasium's action_mask). */
  actionMask(state: number): Int8Array {
    const mask = new Int8Array(6);
    const [r, c, pass, dest] = decode(state);
    if (r < 4) mask[0] = 1;
    if (r > 0) mask[1] = 1;
    if (c < 4 && open(r + 1, 2 * c + 2)) mask[2] = 1;
    if (c > 0 && open(r + 1, 2 * c)) mask[3] = 1;
    if (pass < 4 && LOCS[pass]![0] === r && LOCS[pass]![1] === c) mask[4] = 1;
    if (pass === 4 && ((LOCS[dest]![0] === r && LOCS[dest]![1] === c) || locIndex(r, c) >= 0)) mask[5] = 1;
    return mask;
  }

  override reset(opts?: Parameters<DiscreteModelEnv['reset']>[0]): ReturnType<DiscreteModelEnv['reset']> {
    const out = super.reset(opts);
    this.fickleStep = this.ficklePassenger && this.npRandom.nextDouble() < this.fickleProbability;
    return out;
  }

  protected override resetInfo(): Info {
    return { prob: 1.0, action_mask: this.actionMask(this.s) };
  }

  override step(a: number): StepResultNum {
    const prev = this.s;
    const out = super.step(a);
    const [sr, sc, spass, sdest] = decode(prev);
    const [r, c, pass] = decode(out.observation);
    if (this.ficklePassenger && this.fickleStep && spass === 4 && (r !== sr || c !== sc)) {
      this.fickleStep = false;
      const choices = [0, 1, 2, 3].filter((i) => i !== sdest);
      const dest = choices[this.npRandom.int(choices.length)]!;
      this.s = encode(r, c, pass, dest);
      out.observation = this.s;
    }
    out.info.action_mask = this.actionMask(this.s);
    return out;
  }

  render(): string {
    const out = MAP.map((l) => l.split(''));
    const [r, c, pass, dest] = decode(this.s);
    const [dr, dc] = LOCS[dest]!;
    out[1 + dr]![2 * dc + 1] = out[1 + dr]![2 * dc + 1]!.toLowerCase(); // the destination stand in lower case
    out[1 + r]![2 * c + 1] = pass === 4 ? 'P' : 'T'; // the taxi: P with the passenger aboard, T empty
    const lines = out.map((l) => l.join(''));
    const passTxt = pass < 4 ? `passenger at ${'RGYB'[pass]}` : 'passenger in taxi';
    const tail = this.lastAction === null ? '' : `  (${['South', 'North', 'East', 'West', 'Pickup', 'Dropoff'][this.lastAction]})`;
    return `${lines.join('\n')}\n${passTxt}, destination ${'RGYB'[dest]}\n${tail}\n`;
  }
}
