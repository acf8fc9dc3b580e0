/**
 * FrozenLake-v1, as Gymnasium 1.x toy_text/frozen_lake.py. Walk from S to G over frozen tiles F
 * without falling into a hole H. Actions: 0 left, 1 down, 2 right, 3 up. Slippery (default):
 * the intended move happens with successRate (1/3), each perpendicular move with (1 - successRate)/2.
 * Reward per rewardSchedule [goal, hole, frozen] (default [1, 0, 0]); G and H terminate.
 * Maps: '4x4', '8x8', a custom desc (array of row strings), or generateRandomMap(size, p, seed).
 */
import { Rng } from '../../util/rng.ts';
import { readOptions, toNumber } from '../core.ts';
import { DiscreteModelEnv, type TransitionTable } from './discrete.ts';

export const LEFT = 0;
export const DOWN = 1;
export const RIGHT = 2;
export const UP = 3;

export const MAPS: Record<string, string[]> = {
  '4x4': ['SFFF', 'FHFH', 'FFFH', 'HFFG'],
  '8x8': ['SFFFFFFF', 'FFFFFFFF', 'FFFHFFFF', 'FFFFFHFF', 'FFFHFFFF', 'FHHFFFHF', 'FHFFHFHF', 'FFFHFFFG'],
};

/** True when a path over non-hole tiles leads from (0, 0) to a G (depth-first search, as Gymnasium's is_valid). */
export function isValidMap(board: string[]): boolean {
  const size = board.length;
  const frontier: [number, number][] = [[0, 0]];
  const seen = new Set<number>();
  while (frontier.length) {
    const [r, c] = frontier.pop()!;
    if (seen.has(r * size + c)) continue;
    seen.add(r * size + c);
    for (const [dr, dc] of [[1, 0], [0, 1], [-1, 0], [0, -1]] as const) {
      const rn = r + dr;
      const cn = c + dc;
      if (rn < 0 || rn >= size || cn < 0 || cn >= size) continue;
      if (board[rn]![cn] === 'G') return true;
      if (board[rn]![cn] !== 'H') frontier.push([rn, cn]);
    }
  }
  return false;
}

/** A random size x size map with frozen-tile probability p, S at top-left, G at bottom-right, and a path between them. Seeded. */
export function generateRandomMap(size = 8, p = 0.8, seed?: number): string[] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`generateRandomMap: size must be a positive integer, got ${size}`);
  if (!(p > 0)) throw new Error(`generateRandomMap: p (frozen probability) must be > 0, got ${p}`);
  const rng = new Rng(seed ?? Math.floor(Math.random() * 4294967296));
  p = Math.min(1, p);
  for (;;) {
    const rows: string[][] = [];
    for (let r = 0; r < size; r++) {
      const row: string[] = [];
      for (let c = 0; c < size; c++) row.push(rng.nextDouble() < p ? 'F' : 'H');
      rows.push(row);
    }
    rows[0]![0] = 'S';
    rows[size - 1]![size - 1] = 'G';
    const board = rows.map((r) => r.join(''));
    if (size === 1 || isValidMap(board)) return board;
  }
}

export interface FrozenLakeOptions {
  /** Custom map rows over the letters S, F, H, G (overrides mapName). */
  desc?: string[];
  /** '4x4' (default) or '8x8'; null with no desc: a random 8x8 map. */
  mapName?: '4x4' | '8x8' | null;
  isSlippery?: boolean;
  successRate?: number;
  /** Rewards for reaching [G, H, F]. */
  rewardSchedule?: [number, number, number];
}

export class FrozenLakeEnv extends DiscreteModelEnv {
  readonly desc: string[];
  readonly nrow: number;
  readonly ncol: number;
  readonly isSlippery: boolean;

  constructor(opts?: FrozenLakeOptions) {
    const o = readOptions('FrozenLake', opts as Record<string, unknown>, ['desc', 'mapName', 'isSlippery', 'successRate', 'rewardSchedule']);
    let desc: string[];
    if (o.desc !== undefined && o.desc !== null) {
      desc = validateDesc(o.desc);
    } else if (o.mapName === null) {
      desc = generateRandomMap();
    } else {
      const name = (o.mapName ?? '4x4') as string;
      if (!(name in MAPS)) throw new Error(`FrozenLake: unknown mapName '${name}'; expected one of: ${Object.keys(MAPS).join(', ')}`);
      desc = MAPS[name]!;
    }
    const isSlippery = o.isSlippery === undefined ? true : Boolean(o.isSlippery);
    const successRate = o.successRate === undefined ? 1.0 / 3.0 : toNumber(o.successRate, 'successRate');
    if (!(successRate >= 0 && successRate <= 1)) throw new Error(`FrozenLake: successRate must be in [0, 1], got ${successRate}`);
    const schedule = (o.rewardSchedule ?? [1, 0, 0]) as number[];
    if (!Array.isArray(schedule) || schedule.length !== 3 || schedule.some((v) => typeof v !== 'number')) throw new Error('FrozenLake: rewardSchedule must be three numbers [goal, hole, frozen]');
    const nrow = desc.length;
    const ncol = desc[0]!.length;
    const nS = nrow * ncol;
    const init = new Float64Array(nS);
    let starts = 0;
    for (let s = 0; s < nS; s++) if (desc[Math.floor(s / ncol)]![s % ncol] === 'S') starts++;
    for (let s = 0; s < nS; s++) if (desc[Math.floor(s / ncol)]![s % ncol] === 'S') init[s] = 1 / starts;
    const failRate = (1.0 - successRate) / 2.0;
    const inc = (row: number, col: number, a: number): [number, number] => {
      if (a === LEFT) col = Math.max(col - 1, 0);
      else if (a === DOWN) row = Math.min(row + 1, nrow - 1);
      else if (a === RIGHT) col = Math.min(col + 1, ncol - 1);
      else if (a === UP) row = Math.max(row - 1, 0);
      return [row, col];
    };
    const outcome = (row: number, col: number, a: number): [number, number, boolean] => {
      const [nr, nc] = inc(row, col, a);
      const letter = desc[nr]![nc]!;
      const reward = letter === 'G' ? schedule[0]! : letter === 'H' ? schedule[1]! : schedule[2]!;
      return [nr * ncol + nc, reward, letter === 'G' || letter === 'H'];
    };
    const P: TransitionTable = [];
    for (let row = 0; row < nrow; row++) {
      for (let col = 0; col < ncol; col++) {
        const s = row * ncol + col;
        const letter = desc[row]![col]!;
        P[s] = [];
        for (let a = 0; a < 4; a++) {
          const li: TransitionTable[number][number] = [];
          if (letter === 'G' || letter === 'H') li.push([1.0, s, 0, true]);
          else if (isSlippery) {
            for (const b of [(a + 3) % 4, a, (a + 1) % 4]) li.push([b === a ? successRate : failRate, ...outcome(row, col, b)]);
          } else li.push([1.0, ...outcome(row, col, a)]);
          P[s]![a] = li;
        }
      }
    }
    super(P, init);
    this.desc = desc;
    this.nrow = nrow;
    this.ncol = ncol;
    this.isSlippery = isSlippery;
  }

  render(): string {
    const row = Math.floor(this.s / this.ncol);
    const col = this.s % this.ncol;
    const lines = this.desc.map((line, r) => (r === row ? line.slice(0, col) + '@' + line.slice(col + 1) : line));
    const head = this.lastAction === null ? '' : `  (${['Left', 'Down', 'Right', 'Up'][this.lastAction]})`;
    return `${head}\n${lines.join('\n')}\n`;
  }
}

function validateDesc(d: unknown): string[] {
  if (!Array.isArray(d) || d.length === 0 || d.some((r) => typeof r !== 'string')) throw new Error('FrozenLake: desc must be a non-empty array of row strings');
  const rows = d as string[];
  const w = rows[0]!.length;
  if (w === 0 || rows.some((r) => r.length !== w)) throw new Error('FrozenLake: desc rows must all have the same, non-zero length');
  const bad = rows.join('').replace(/[SFHG]/g, '');
  if (bad) throw new Error(`FrozenLake: desc may only use the letters S, F, H, G; found '${bad[0]}'`);
  if (!rows.some((r) => r.includes('S'))) throw new Error('FrozenLake: desc needs at least one start tile S');
  return rows;
}
