/**
 * Board symmetries shared by the grid games: the 8 maps of the dihedral group of a square board
 * (tic-tac-toe, Gomoku, Othello) and the left-right mirror of a rectangular one (Connect Four).
 *
 * A symmetry is described by where it sends cell (r, c); actions that are cells move with their
 * cell, and any extra actions past the board (Othello's pass) are left fixed. Observations are
 * channels-last [rows, cols, planes] and every plane is permuted the same way.
 */
import type { Symmetry } from './game.ts';

type CellMap = (r: number, c: number, n: number) => [number, number];

/** The 8 dihedral maps of an n x n square, identity first. */
const DIHEDRAL: ReadonlyArray<[string, CellMap]> = [
  ['identity', (r, c) => [r, c]],
  ['rot90', (r, c, n) => [c, n - 1 - r]],
  ['rot180', (r, c, n) => [n - 1 - r, n - 1 - c]],
  ['rot270', (r, c, n) => [n - 1 - c, r]],
  ['flip-lr', (r, c, n) => [r, n - 1 - c]],
  ['flip-ud', (r, c, n) => [n - 1 - r, c]],
  ['transpose', (r, c) => [c, r]],
  ['anti-transpose', (r, c, n) => [n - 1 - c, n - 1 - r]],
];

/**
 * Build a Symmetry from a cell permutation: `cellImage[i]` is the image of cell i (row-major).
 * `cellActions` says whether actions are cells (true) or columns (Connect Four: false, then
 * `actionImage` gives the action map).
 */
export function symmetryFromPermutation(
  name: string,
  cellImage: Int32Array,
  planes: number,
  actionImage: Int32Array,
): Symmetry {
  const cells = cellImage.length;
  return {
    name,
    mapAction(a: number): number {
      if (!Number.isInteger(a) || a < 0 || a >= actionImage.length) {
        throw new RangeError(`symmetry ${name}: action ${a} is outside [0, ${actionImage.length})`);
      }
      return actionImage[a]!;
    },
    mapObservation(obs: Float32Array): Float32Array {
      if (obs.length !== cells * planes) {
        throw new RangeError(`symmetry ${name}: observation has length ${obs.length}, expected ${cells * planes}`);
      }
      const out = new Float32Array(obs.length);
      for (let i = 0; i < cells; i++) {
        const src = i * planes;
        const dst = cellImage[i]! * planes;
        for (let p = 0; p < planes; p++) out[dst + p] = obs[src + p]!;
      }
      return out;
    },
  };
}

/**
 * The 8 symmetries of an n x n board whose actions are its cells (row-major), identity first.
 * `extraActions` actions after the n*n cells (e.g. pass) map to themselves.
 */
export function dihedralSymmetries(n: number, planes: number, extraActions = 0): Symmetry[] {
  return DIHEDRAL.map(([name, f]) => {
    const cellImage = new Int32Array(n * n);
    const actionImage = new Int32Array(n * n + extraActions);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        const [r2, c2] = f(r, c, n);
        cellImage[r * n + c] = r2 * n + c2;
        actionImage[r * n + c] = r2 * n + c2;
      }
    }
    for (let k = 0; k < extraActions; k++) actionImage[n * n + k] = n * n + k;
    return symmetryFromPermutation(name, cellImage, planes, actionImage);
  });
}

/** Identity and left-right mirror of a rows x cols board whose actions are its columns. */
export function columnMirrorSymmetries(rows: number, cols: number, planes: number): Symmetry[] {
  const make = (name: string, mirror: boolean): Symmetry => {
    const cellImage = new Int32Array(rows * cols);
    const actionImage = new Int32Array(cols);
    for (let c = 0; c < cols; c++) actionImage[c] = mirror ? cols - 1 - c : c;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) cellImage[r * cols + c] = r * cols + actionImage[c]!;
    }
    return symmetryFromPermutation(name, cellImage, planes, actionImage);
  };
  return [make('identity', false), make('mirror', true)];
}
