/**
 * The Go engine's move choice over GoSearch: budget (playouts or time), resignation, and the
 * play-time pass discipline, with the search's root statistics as analysis (win rates, visits,
 * principal variations, ownership, expected score).
 *
 * Passing: after the opponent's pass, pass back only when that wins both the Tromp-Taylor count as
 * the board stands and the count after settling (the search's value of passing, whose playouts
 * capture dead stones), so the result holds whoever scores; else play the best other move.
 * Otherwise a pass the search prefers is replaced by the best other move while an open point is left
 * (an empty point neither side owns in the playouts, where a stone is not a self-atari), since an
 * opponent that plays on can take it, and while stones of ours are dead in the playouts (a referee
 * would take them off the board).
 * Resigning: when the best move's win rate is below the threshold after a full search.
 */
import { BLACK, NO_POINT, WHITE } from '../env/games/go/board.ts';
import type { GoState } from '../env/games/go/rules.ts';
import { ParallelSearch } from './parallel.ts';
import type { SearchConfig, SearchLimits, SearchSummary } from './search.ts';

export interface EngineOptions {
  seed: number;
  /** Playouts per move when no time is given. */
  playouts?: number;
  /** Search threads (the calling one included). Default 1. */
  threads?: number;
  /** Resign below this win rate (0..1); null never resigns. */
  resignWinrate: number | null;
  /** Overrides of the search settings. */
  search?: Partial<SearchConfig>;
}

export interface EngineMove {
  action: number;
  resign: boolean;
  summary: SearchSummary;
}

/**
 * Default playouts per move for a board size, all threads together: about 1 s on 9x9 and 6 s on 19x19
 * with two threads of this project's 2-core test machine (bench/go-strength.ts measures it).
 */
export function defaultPlayouts(size: number): number {
  return size <= 9 ? 24_000 : size <= 13 ? 32_000 : 48_000;
}

export class GoEngine {
  private readonly search: ParallelSearch;

  constructor(readonly options: EngineOptions) {
    this.search = new ParallelSearch(options.threads ?? 1, options.seed, options.search);
  }

  close(): Promise<void> {
    return this.search.close();
  }

  private budget(state: GoState, limits: SearchLimits): SearchLimits {
    if (limits.playouts !== undefined || limits.timeMs !== undefined) return limits;
    return { ...limits, playouts: this.options.playouts ?? defaultPlayouts(state.game.n) };
  }

  async genmove(state: GoState, limits: SearchLimits): Promise<EngineMove> {
    const n = state.game.n;
    const pass = n * n;
    const summary = await this.search.run(state, this.budget(state, limits));
    const best = summary.moves[0];
    if (!best) return { action: pass, resign: false, summary };
    const threshold = this.options.resignWinrate;
    if (threshold !== null && best.winrate < threshold && summary.rootVisits >= 500) return { action: best.action, resign: true, summary };
    if (state.consecutivePasses() === 1) {
      // Pass back only when both the count as the board stands and the settled count win.
      const passStats = summary.moves.find((m) => m.action === pass);
      if ((state.exitValue() ?? 0) > 0 && (passStats?.winrate ?? best.winrate) >= 0.5) return { action: pass, resign: false, summary };
      const other = summary.moves.find((m) => m.action !== pass);
      return { action: other?.action ?? pass, resign: false, summary };
    }
    if (best.action !== pass) return { action: best.action, resign: false, summary };
    const open = this.openPoints(state, summary);
    if (open.size > 0) {
      for (const m of summary.moves) if (open.has(m.action)) return { action: m.action, resign: false, summary };
      return { action: open.values().next().value!, resign: false, summary };
    }
    // Our dead stones would be taken off by a referee's count: play on rather than pass (under area
    // scoring a move costs nothing), with the search's best other move.
    if (this.ownDeadStones(state, summary)) {
      const other = summary.moves.find((m) => m.action !== pass);
      if (other) return { action: other.action, resign: false, summary };
    }
    return { action: pass, resign: false, summary };
  }

  /** Does the player to move have stones that the playouts mostly lose? */
  private ownDeadStones(state: GoState, summary: SearchSummary): boolean {
    const b = state.board;
    const col = state.nextColor() === 0 ? BLACK : WHITE;
    const sign = col === BLACK ? 1 : -1;
    const n = state.game.n;
    for (let a = 0; a < n * n; a++) if (b.color[b.fromAction(a)] === col && sign * summary.ownership[a]! < -0.5) return true;
    return false;
  }

  /** Empty points neither side owns in the playouts where the player to move can play without self-atari. */
  private openPoints(state: GoState, summary: SearchSummary): Set<number> {
    const b = state.board;
    const col = state.nextColor() === 0 ? BLACK : WHITE;
    const out = new Set<number>();
    const n = state.game.n;
    for (let a = 0; a < n * n; a++) {
      const p = b.fromAction(a);
      if (Math.abs(summary.ownership[a]!) > 0.6 || !state.isLegal(a)) continue;
      if (b.isEye(p, col) || b.isSelfAtari(p, col) || p === NO_POINT) continue;
      out.add(a);
    }
    return out;
  }
}
