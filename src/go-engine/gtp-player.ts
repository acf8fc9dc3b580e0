/**
 * The Go engine behind the GTP engine's move-generator interface: visits are playouts; analysis
 * candidates carry the search's win rates (as values in -1..1), visits and principal variations.
 */
import type { GoState } from '../env/games/go/rules.ts';
import type { Candidate, GenmoveOptions, MovePlayer } from '../env/games/go/gtp.ts';
import { GoEngine, type EngineOptions } from './engine.ts';
import type { SearchSummary } from './search.ts';

function candidates(s: SearchSummary): Candidate[] {
  return s.moves.map((m) => ({ action: m.action, visits: m.visits, q: 2 * m.winrate - 1, prior: m.prior, pv: m.pv }));
}

export class MonteCarloPlayer implements MovePlayer {
  readonly engine: GoEngine;
  constructor(options: EngineOptions) {
    this.engine = new GoEngine(options);
  }

  async genmove(state: GoState, opts: GenmoveOptions): Promise<{ action: number; resign?: boolean; analysis?: Candidate[] }> {
    const onInfo = opts.onInfo;
    const r = await this.engine.genmove(state, {
      playouts: opts.visits, timeMs: opts.timeMs, shouldStop: opts.shouldStop, progressIntervalMs: opts.intervalMs,
      onProgress: onInfo ? (s) => onInfo(candidates(s)) : undefined,
    });
    return { action: r.action, resign: r.resign, analysis: candidates(r.summary) };
  }
}
