/**
 * AlphaGo Lee's input features (Silver et al. 2016, Extended Data Table 2), 48 planes, channels-last,
 * from `player`'s point of view:
 *   0-2  stone colour: player, opponent, empty        3     ones
 *   4-11 turns since the stone was played (1..7, 8+)  12-19 liberties of its chain (1..7, 8+)
 *   20-27 stones this move would capture (1..7, 8+ ; plane 20 is 1 capture)
 *   28-35 own stones put in atari by this move        36-43 liberties of the chain after this move
 *   44   ladder capture: the move puts an opponent chain in atari that a ladder then catches
 *   45   ladder escape: the move extends an own chain in atari out of a ladder
 *   46   sensibleness: legal and does not fill one's own eye           47 zeros
 * "Bucket k" planes are one-hot over 1..7 and 8+ (a zero count sets no plane).
 * The ladder reader is simple: the defender only extends (it does not look for counter-captures).
 */
import type { PlayerId } from '../game.ts';
import { Board, EMPTY } from './board.ts';
import type { GoState } from './rules.ts';

export const LEE_PLANES = 48;

function bucket(k: number): number {
  return k >= 8 ? 7 : k - 1;
}

export function leeFeatures(state: GoState, player: PlayerId): Float32Array {
  const n = state.game.n;
  const nn = n * n;
  const P = LEE_PLANES;
  const out = new Float32Array(nn * P);
  const b = state.board;
  const own = player + 1;
  const opp = 3 - own;
  const moveNo = state.history().length;
  const scratch = new Board(n);
  for (let a = 0; a < nn; a++) {
    const p = b.fromAction(a);
    const o = a * P;
    const c = b.color[p]!;
    out[o + (c === own ? 0 : c === opp ? 1 : 2)] = 1;
    out[o + 3] = 1;
    if (c !== EMPTY) {
      const lp = state.lastPlayed[a]!;
      if (lp >= 0) out[o + 4 + bucket(moveNo - lp)] = 1;
      out[o + 12 + bucket(b.chainLiberties(p))] = 1;
      continue;
    }
    // Features of playing here (only where the player could legally play).
    if (!b.isLegal(p, own, state.game.params.suicide)) continue;
    if (player === state.nextColor() && !state.isLegal(a)) continue;
    scratch.copyFrom(b);
    scratch.play(p, own);
    if (scratch.color[p] !== own) continue; // suicide allowed and taken
    if (scratch.lastCaptures > 0) out[o + 20 + bucket(scratch.lastCaptures)] = 1;
    const libsAfter = scratch.chainLiberties(p);
    out[o + 36 + bucket(libsAfter)] = 1;
    if (libsAfter === 1) out[o + 28 + bucket(scratch.size[scratch.head[p]!]!)] = 1;
    if (!b.isEye(p, own)) out[o + 46] = 1;
    // Ladder capture: an opponent chain next to p is now in atari and cannot run.
    for (let d = 0; d < 4; d++) {
      const q = p + scratch.dirs[d]!;
      if (scratch.color[q] === opp && scratch.inAtari(scratch.head[q]!) && ladderCaptured(scratch, q, 0)) {
        out[o + 44] = 1;
        break;
      }
    }
    // Ladder escape: p was the last liberty of an own chain, and after extending it survives.
    for (let d = 0; d < 4; d++) {
      const q = p + b.dirs[d]!;
      if (b.color[q] === own && b.inAtari(b.head[q]!)) {
        if (libsAfter >= 3 || (libsAfter === 2 && !ladderCaptured2(scratch, p, 0))) out[o + 45] = 1;
        break;
      }
    }
  }
  return out;
}

const MAX_DEPTH = 80;

/** The chain through q is in atari with the defender to move; true if extending cannot save it. */
function ladderCaptured(b: Board, q: number, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  const def = b.color[q]!;
  const lib = b.atariLiberty(b.head[q]!);
  if (!b.isLegal(lib, def)) return true;
  const t = b.clone();
  t.play(lib, def);
  const libs = t.chainLiberties(q);
  if (libs <= 1) return true;
  if (libs >= 3) return false;
  return ladderCaptured2(t, q, depth + 1);
}

/** The chain through q has 2 liberties with the attacker to move; true if an atari there wins the ladder. */
function ladderCaptured2(b: Board, q: number, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  const def = b.color[q]!;
  const att = 3 - def;
  const libs: number[] = [];
  const h = b.head[q]!;
  let s = h;
  do {
    for (let d = 0; d < 4; d++) {
      const x = s + b.dirs[d]!;
      if (b.color[x] === EMPTY && !libs.includes(x)) libs.push(x);
    }
    s = b.next[s]!;
  } while (s !== h);
  for (const l of libs) {
    if (!b.isLegal(l, att)) continue;
    const t = b.clone();
    t.play(l, att);
    if (t.color[q] !== def) return true;
    if (t.inAtari(t.head[q]!) && ladderCaptured(t, q, depth + 1)) return true;
  }
  return false;
}
