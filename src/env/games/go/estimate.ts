/**
 * A territory estimate for display (not for the result, which is Tromp-Taylor): empty regions that
 * touch only one colour belong to it; other empty points go to the side with more influence, where
 * each stone radiates 2^-d to points at Manhattan distance d <= 4. No dead-stone removal.
 */
import { BLACK, EMPTY, WHITE } from './board.ts';
import type { GoState } from './rules.ts';

export interface TerritoryEstimate {
  /** Per action (r * N + c): +1 Black, -1 White, 0 neutral. Stones count for their colour. */
  ownership: Int8Array;
  black: number;
  white: number;
  /** black - white - komi. */
  score: number;
}

export function estimateTerritory(state: GoState): TerritoryEstimate {
  const n = state.game.n;
  const b = state.board;
  const own = new Int8Array(n * n);
  const col = (r: number, c: number): number => b.color[b.point(r, c)]!;
  // 1. Regions reaching one colour only.
  const region = new Int32Array(n * n).fill(-1);
  for (let a = 0; a < n * n; a++) {
    const c0 = col(Math.floor(a / n), a % n);
    if (c0 === BLACK) own[a] = 1;
    else if (c0 === WHITE) own[a] = -1;
    if (c0 !== EMPTY || region[a] !== -1) continue;
    const members: number[] = [a];
    region[a] = a;
    let reach = 0;
    for (let i = 0; i < members.length; i++) {
      const x = members[i]!;
      const r = Math.floor(x / n);
      const c = x % n;
      for (const [dr, dc] of [[-1, 0], [1, 0], [0, -1], [0, 1]] as const) {
        const rr = r + dr;
        const cc = c + dc;
        if (rr < 0 || rr >= n || cc < 0 || cc >= n) continue;
        const y = rr * n + cc;
        const cy = col(rr, cc);
        if (cy === EMPTY) {
          if (region[y] === -1) {
            region[y] = a;
            members.push(y);
          }
        } else reach |= cy;
      }
    }
    if (reach === BLACK || reach === WHITE) for (const x of members) own[x] = reach === BLACK ? 1 : -1;
  }
  // 2. Influence for the rest.
  for (let a = 0; a < n * n; a++) {
    if (own[a] !== 0) continue;
    const r = Math.floor(a / n);
    const c = a % n;
    let inf = 0;
    for (let rr = Math.max(0, r - 4); rr <= Math.min(n - 1, r + 4); rr++) {
      for (let cc = Math.max(0, c - 4); cc <= Math.min(n - 1, c + 4); cc++) {
        const d = Math.abs(rr - r) + Math.abs(cc - c);
        if (d > 4) continue;
        const cy = col(rr, cc);
        if (cy === BLACK) inf += 2 ** -d;
        else if (cy === WHITE) inf -= 2 ** -d;
      }
    }
    own[a] = inf > 0.25 ? 1 : inf < -0.25 ? -1 : 0;
  }
  let black = 0;
  let white = 0;
  for (let a = 0; a < n * n; a++) {
    if (own[a] === 1) black++;
    else if (own[a] === -1) white++;
  }
  return { ownership: own, black, white, score: black - white - state.komi };
}
