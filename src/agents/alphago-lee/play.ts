/**
 * Many games between policy nets in lock-step, so that each move of all running games is one batched
 * net call per policy. A policy samples from its softmax restricted to the sensible moves (legal, not
 * filling one's own eye: feature plane 46); with no sensible move it passes, and after the opponent
 * passes it passes too when the Tromp-Taylor count already favours it (so games end once settled).
 * Games are scored by Tromp-Taylor area. Used by RL self-play, RL-vs-SL evaluation and value data.
 */
import { Rng } from '../../util/rng.ts';
import { GoGame, type GoState } from '../../env/games/go/rules.ts';
import { leeFeatures, LEE_PLANES } from '../../env/games/go/features.ts';
import type { FastNet } from './nets.ts';

export const SENSIBLE_PLANE = 46;

/** Which policy moves: an index into `policies`, or 'random' (uniform over sensible moves). */
export type Chooser = (game: number, moveNo: number, color: 0 | 1) => number | 'random';

export interface PlayOptions {
  games: number;
  policies: FastNet[];
  chooser: Chooser;
  seed: number;
  komi?: number;
  maxMoves?: number;
  /** Softmax temperature applied to the policy (1 = sample as is; 0 = argmax). */
  temperature?: number;
  /** Called for every net move (not random or forced passes) with the features used. */
  onMove?: (game: number, state: GoState, features: Float32Array, action: number, policy: number | 'random') => void;
}

/** A finished game between policies, scored by Tromp-Taylor area. */
export interface ScoredGame {
  state: GoState;
  /** Winner colour 0 (Black) / 1 (White), -1 for a draw. */
  winner: -1 | 0 | 1;
  score: number;
}

/** Should the player to move pass now (no sensible move, or the opponent passed and we lead)? */
export function shouldPass(s: GoState, feats: Float32Array | null): boolean {
  const h = s.history();
  if (h.length > 0 && h[h.length - 1] === s.game.pass) {
    const score = s.score();
    if ((s.nextColor() === 0 && score > 0) || (s.nextColor() === 1 && score < 0)) return true;
  }
  if (feats === null) return false;
  const nn = s.game.n * s.game.n;
  for (let a = 0; a < nn; a++) if (feats[a * LEE_PLANES + SENSIBLE_PLANE] === 1) return false;
  return true;
}

/** Sample a sensible move from probabilities (temperature t; t = 0 is argmax). */
export function pickMove(p: Float32Array | null, off: number, feats: Float32Array, nn: number, t: number, rng: Rng): number {
  const w = new Float64Array(nn);
  let total = 0;
  let best = -1;
  for (let a = 0; a < nn; a++) {
    if (feats[a * LEE_PLANES + SENSIBLE_PLANE] !== 1) continue;
    const q = p === null ? 1 : Math.max(p[off + a]!, 1e-12);
    w[a] = t === 1 || p === null ? q : Math.pow(q, 1 / Math.max(t, 1e-3));
    total += w[a]!;
    if (best < 0 || w[a]! > w[best]!) best = a;
  }
  if (best < 0) return -1;
  if (t === 0 && p !== null) return best;
  let u = rng.nextDouble() * total;
  for (let a = 0; a < nn; a++) {
    if (w[a] === 0) continue;
    u -= w[a]!;
    if (u <= 0) return a;
  }
  return best;
}

export async function playGames(o: PlayOptions): Promise<ScoredGame[]> {
  const game = new GoGame({ size: 9, komi: o.komi ?? 7.5, maxMoves: o.maxMoves ?? 200 });
  const nn = game.n * game.n;
  const per = nn * LEE_PLANES;
  const states = Array.from({ length: o.games }, () => game.newInitialState());
  const rngs = Array.from({ length: o.games }, (_, i) => new Rng(o.seed * 1_000_003 + i));
  const t = o.temperature ?? 1;
  for (;;) {
    const live = states.map((s, i) => (s.isTerminal() ? -1 : i)).filter((i) => i >= 0);
    if (live.length === 0) break;
    const groups = new Map<number | 'random', Array<{ g: number; f: Float32Array }>>();
    for (const g of live) {
      const s = states[g]!;
      const who = o.chooser(g, s.history().length, s.nextColor());
      const f = leeFeatures(s, s.nextColor());
      if (shouldPass(s, f)) {
        s.applyAction(game.pass);
        continue;
      }
      if (!groups.has(who)) groups.set(who, []);
      groups.get(who)!.push({ g, f });
    }
    for (const [who, items] of groups) {
      let p: Float32Array | null = null;
      if (who !== 'random') {
        const x = new Float32Array(items.length * per);
        items.forEach((it, i) => x.set(it.f, i * per));
        p = await o.policies[who]!.run(x, items.length);
      }
      items.forEach((it, i) => {
        const s = states[it.g]!;
        const a = pickMove(p, i * nn, it.f, nn, who === 'random' ? 1 : t, rngs[it.g]!);
        if (a < 0) {
          s.applyAction(game.pass);
          return;
        }
        o.onMove?.(it.g, s, it.f, a, who);
        s.applyAction(a);
      });
    }
  }
  return states.map((s) => {
    const score = s.score();
    return { state: s, score, winner: score > 0 ? 0 : score < 0 ? 1 : -1 };
  });
}

/** Win rate of policy 0 against policy 1 over `games` games (alternating colours, sampling). */
export async function policyMatch(a: FastNet, b: FastNet, games: number, seed: number, temperature = 1): Promise<{ wins: number; losses: number; draws: number; winRate: number }> {
  const res = await playGames({
    games, policies: [a, b], seed, temperature,
    chooser: (g, _m, color) => ((g % 2 === 0) === (color === 0) ? 0 : 1),
  });
  let wins = 0;
  let losses = 0;
  res.forEach((r, g) => {
    const aColor = g % 2 === 0 ? 0 : 1;
    if (r.winner === -1) return;
    if (r.winner === aColor) wins++;
    else losses++;
  });
  const draws = games - wins - losses;
  return { wins, losses, draws, winRate: (wins + draws / 2) / games };
}
