/**
 * 3x3 shape patterns for Go playouts and move priors, after the patterns published with MoGo
 * (Gelly, Wang, Munos, Teytaud 2006, "Modification of UCT with patterns in Monte-Carlo Go"), plus a
 * few side shapes that later engines use. A move matches when the 3x3 neighbourhood around it (the
 * move at the centre) fits one of the shapes below under any of the 8 board symmetries, with X
 * either colour and O the other.
 *
 * Legend: X, O stones; '.' empty; '?' anything; 'x' not X (O or empty); 'o' not O (X or empty);
 * '#' off the board. Rows top to bottom; the centre is the candidate move and is always empty.
 *
 * The neighbourhood is coded in 16 bits, 2 bits per neighbour (0 empty, 1 black, 2 white, 3 off
 * the board) in the order NW, N, NE, W, E, SW, S, SE; `SHAPE_MATCH[code]` is 1 where a shape matches.
 */
import { BORDER, EMPTY } from '../env/games/go/board.ts';

const SHAPES: readonly string[] = [
  // hane: enclosing, non-cutting, magari, thin
  'XOX' + '...' + '???',
  'XO.' + '...' + '?.?',
  'XO?' + 'X..' + 'x.?',
  'XOO' + '...' + '?.?',
  // diagonal attachment (katatsuke)
  '.O.' + 'X..' + '...',
  // cuts: unprotected, peeped, 'de'
  'XO?' + 'O.o' + '?o?',
  'XO?' + 'O.X' + '???',
  '?X?' + 'O.O' + 'ooo',
  // cut around a knight's move
  'OX?' + 'o.O' + '???',
  // first line: chase, block a side cut, block a side connection, sagari, side cut
  'X.?' + 'O.?' + '###',
  'OX?' + 'X.O' + '###',
  '?X?' + 'x.O' + '###',
  '?XO' + 'x.x' + '###',
  '?OX' + 'X.O' + '###',
];

/** Offsets (row, column) of the 8 neighbours in code order. */
export const NEIGHBOUR_ORDER: readonly (readonly [number, number])[] = [
  [-1, -1], [-1, 0], [-1, 1], [0, -1], [0, 1], [1, -1], [1, 0], [1, 1],
];

function fits(ch: string, colour: number, x: number): boolean {
  const o = 3 - x;
  switch (ch) {
    case '?': return true;
    case '.': return colour === EMPTY;
    case '#': return colour === BORDER;
    case 'X': return colour === x;
    case 'O': return colour === o;
    case 'x': return colour === EMPTY || colour === o;
    case 'o': return colour === EMPTY || colour === x;
    default: throw new Error(`go-engine: bad shape character '${ch}'`);
  }
}

/** The 8 symmetries of a 3x3 grid as index maps (grid index 0..8, row-major). */
function symmetries(): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < 8; s++) {
    const map: number[] = [];
    for (let i = 0; i < 9; i++) {
      let r = Math.floor(i / 3) - 1;
      let c = (i % 3) - 1;
      if (s & 1) c = -c;
      if (s & 2) r = -r;
      if (s & 4) [r, c] = [c, r];
      map.push((r + 1) * 3 + (c + 1));
    }
    out.push(map);
  }
  return out;
}

function buildTable(): Uint8Array {
  const table = new Uint8Array(1 << 16);
  const syms = symmetries();
  // Grid index (row-major, centre 4 skipped) of each code slot.
  const slotGrid = NEIGHBOUR_ORDER.map(([r, c]) => (r + 1) * 3 + (c + 1));
  const colours = new Int32Array(8);
  for (let code = 0; code < 1 << 16; code++) {
    let offBoard = 0;
    for (let k = 0; k < 8; k++) {
      colours[k] = (code >> (2 * k)) & 3;
      if (colours[k] === BORDER) offBoard++;
    }
    // Only codes a real board can produce: the border is a whole side or a corner.
    if (offBoard !== 0 && offBoard !== 3 && offBoard !== 5) continue;
    search: for (const shape of SHAPES) {
      for (const map of syms) {
        for (let x = 1; x <= 2; x++) {
          let ok = true;
          for (let k = 0; k < 8 && ok; k++) ok = fits(shape[map[slotGrid[k]!]!]!, colours[k]!, x);
          if (ok) {
            table[code] = 1;
            break search;
          }
        }
      }
    }
  }
  return table;
}

export const SHAPE_MATCH: Uint8Array = buildTable();
