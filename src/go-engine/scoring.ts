/**
 * Dead stones, seki and the settled count of a finished (or nearly finished) Go game, from an
 * ownership estimate (the playouts' mean final owner of each point, search.ts):
 *   - a chain is dead when its stones are, on average, owned by the other colour at the end;
 *   - a living chain is in seki when it shares a liberty with a living enemy chain and neither side
 *     can fill that liberty without putting itself in atari (so the point stays empty);
 *   - the count removes dead stones and scores by area: living stones, and empty regions (dead
 *     stones counted as empty) that touch living stones of one colour only; regions touching both
 *     (dame, seki) count for nobody. Result: Black - White - komi.
 * This is what GTP's final_status_list and final_score report, and what GNU Go's referee count does.
 */
import { BLACK, BORDER, EMPTY, WHITE } from '../env/games/go/board.ts';
import type { GoState } from '../env/games/go/rules.ts';

export const STATUS_EMPTY = 0;
export const STATUS_ALIVE = 1;
export const STATUS_DEAD = 2;
export const STATUS_SEKI = 3;

/**
 * Status of every point (by action r * N + c): STATUS_EMPTY, _ALIVE, _DEAD or _SEKI. `ownership`
 * is per action, +1 Black .. -1 White.
 */
export function stoneStatus(state: GoState, ownership: Float32Array): Uint8Array {
  const b = state.board;
  const n = state.game.n;
  const status = new Uint8Array(n * n);
  // Chains: mean ownership from the chain's own colour.
  const seen = new Uint8Array(b.cells);
  const chainOf: number[][] = [];
  for (let a = 0; a < n * n; a++) {
    const p = b.fromAction(a);
    const col = b.color[p]!;
    if (col !== BLACK && col !== WHITE) continue;
    const h = b.head[p]!;
    if (seen[h]) continue;
    seen[h] = 1;
    const stones: number[] = [];
    let s = h;
    do {
      stones.push(s);
      s = b.next[s]!;
    } while (s !== h);
    let own = 0;
    for (const x of stones) own += ownership[b.toAction(x)]!;
    own /= stones.length;
    if (col === WHITE) own = -own;
    const st = own >= 0 ? STATUS_ALIVE : STATUS_DEAD;
    for (const x of stones) status[b.toAction(x)] = st;
    if (st === STATUS_ALIVE) chainOf.push(stones);
  }
  // Seki: a shared liberty with a living enemy chain that neither side can fill.
  for (const stones of chainOf) {
    const col = b.color[stones[0]!]!;
    let seki = false;
    for (const x of stones) {
      for (let d = 0; d < 4 && !seki; d++) {
        const l = x + b.dirs[d]!;
        if (b.color[l] !== EMPTY) continue;
        let enemyAlive = false;
        for (let e = 0; e < 4; e++) {
          const q = l + b.dirs[e]!;
          if (b.color[q] === 3 - col && status[b.toAction(q)] === STATUS_ALIVE) enemyAlive = true;
        }
        if (!enemyAlive) continue;
        const blocked = (c: number): boolean => b.isSuicide(l, c) || b.isSelfAtari(l, c);
        if (blocked(col) && blocked(3 - col)) seki = true;
      }
      if (seki) break;
    }
    if (seki) for (const x of stones) status[b.toAction(x)] = STATUS_SEKI;
  }
  return status;
}

/** Area count with dead stones removed (see the file comment): Black - White - komi. */
export function settledScore(state: GoState, status: Uint8Array): number {
  const b = state.board;
  const n = state.game.n;
  const region = new Int32Array(n * n).fill(-1);
  const living = (a: number): number => {
    const st = status[a]!;
    if (st !== STATUS_ALIVE && st !== STATUS_SEKI) return EMPTY;
    return b.color[b.fromAction(a)]!;
  };
  let black = 0;
  let white = 0;
  for (let a = 0; a < n * n; a++) {
    const c = living(a);
    if (c === BLACK) black++;
    else if (c === WHITE) white++;
    if (c !== EMPTY || region[a] !== -1) continue;
    const members = [a];
    region[a] = a;
    let reach = 0;
    for (let i = 0; i < members.length; i++) {
      const p = b.fromAction(members[i]!);
      for (let d = 0; d < 4; d++) {
        const q = p + b.dirs[d]!;
        if (b.color[q] === BORDER) continue;
        const qa = b.toAction(q);
        const qc = living(qa);
        if (qc === EMPTY) {
          if (region[qa] === -1) {
            region[qa] = a;
            members.push(qa);
          }
        } else reach |= qc;
      }
    }
    if (reach === BLACK) black += members.length;
    else if (reach === WHITE) white += members.length;
  }
  return black - white - state.komi;
}
