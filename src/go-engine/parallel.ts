/**
 * Root-parallel search (Cazenave & Jouandeau 2007; Chaslot et al. 2008): each thread grows its own
 * tree from the same position with its own seed, and the roots' statistics are summed. It needs no
 * shared tree and no locks, and on a few cores it plays about as well as a shared tree would. The
 * calling thread searches too; `threads - 1` worker threads join it. A playout budget is split
 * evenly, so a search with a budget gives the same answer however loaded the machine is.
 */
import { Worker } from 'node:worker_threads';
import type { GoState } from '../env/games/go/rules.ts';
import { tsWorkerSource } from '../util/ts-worker.ts';
import { GoSearch, type MoveStats, type SearchConfig, type SearchLimits, type SearchSummary } from './search.ts';

export interface SearchRequest {
  id: number;
  size: number;
  komi: number;
  setup: { black: number[]; white: number[]; toPlay: 0 | 1 };
  moves: number[];
  playouts: number | null;
  timeMs: number | null;
  rootPolicy: Float32Array | null;
}

export type SearchReply =
  | { type: 'result'; id: number; summary: SearchSummary }
  | { type: 'error'; id: number; message: string }
  | { type: 'ready' };

interface Helper {
  worker: Worker;
  pending: Map<number, { resolve: (s: SearchSummary) => void; reject: (e: Error) => void }>;
}

/** Sum root statistics of several searches of one position. */
export function mergeSummaries(parts: SearchSummary[]): SearchSummary {
  if (parts.length === 1) return parts[0]!;
  const byAction = new Map<number, { m: MoveStats; wins: number; score: number; amafWins: number; pvVisits: number }>();
  for (const p of parts) {
    for (const m of p.moves) {
      const e = byAction.get(m.action);
      if (!e) {
        byAction.set(m.action, { m: { ...m }, wins: m.winrate * m.visits, score: m.scoreLead * m.visits, amafWins: m.amafWinrate * m.amafVisits, pvVisits: m.visits });
        continue;
      }
      e.m.visits += m.visits;
      e.wins += m.winrate * m.visits;
      e.score += m.scoreLead * m.visits;
      e.m.amafVisits += m.amafVisits;
      e.amafWins += m.amafWinrate * m.amafVisits;
      if (m.visits > e.pvVisits) {
        e.pvVisits = m.visits;
        e.m.pv = m.pv;
      }
    }
  }
  const moves = [...byAction.values()].map((e) => ({
    ...e.m, winrate: e.m.visits > 0 ? e.wins / e.m.visits : 0, scoreLead: e.m.visits > 0 ? e.score / e.m.visits : 0, amafWinrate: e.m.amafVisits > 0 ? e.amafWins / e.m.amafVisits : 0,
  }));
  moves.sort((x, y) => y.visits - x.visits || y.winrate - x.winrate);
  const samples = parts.reduce((t, p) => t + p.ownershipSamples, 0);
  const ownership = new Float32Array(parts[0]!.ownership.length);
  let score = 0;
  for (const p of parts) {
    const wgt = samples > 0 ? p.ownershipSamples / samples : 1 / parts.length;
    for (let i = 0; i < ownership.length; i++) ownership[i]! += p.ownership[i]! * wgt;
    score += p.scoreMean * wgt;
  }
  return {
    moves, ownership, scoreMean: score, ownershipSamples: samples,
    simulations: parts.reduce((t, p) => t + p.simulations, 0),
    rootVisits: parts.reduce((t, p) => t + p.rootVisits, 0),
    elapsedMs: Math.max(...parts.map((p) => p.elapsedMs)),
  };
}

export class ParallelSearch {
  private readonly local = new Map<number, GoSearch>();
  private helpers: Helper[] | null = null;
  private readonly stop = new SharedArrayBuffer(4);
  private readonly stopFlag = new Int32Array(this.stop);
  private nextId = 1;

  constructor(readonly threads: number, readonly seed: number, readonly config: Partial<SearchConfig> = {}) {
    if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new RangeError(`go-engine: threads must be an integer in 1..64, got ${threads}`);
  }

  private async start(): Promise<Helper[]> {
    if (this.helpers) return this.helpers;
    const made: Promise<Helper>[] = [];
    for (let i = 1; i < this.threads; i++) {
      made.push(new Promise<Helper>((resolve, reject) => {
        const worker = new Worker(tsWorkerSource(new URL('./search-worker.ts', import.meta.url)), {
          eval: true, workerData: { seed: this.seed * 7919 + i, config: this.config, stop: this.stop },
        });
        worker.unref();
        const helper: Helper = { worker, pending: new Map() };
        worker.on('message', (r: SearchReply) => {
          if (r.type === 'ready') {
            resolve(helper);
            return;
          }
          if ((r as { type: string }).type === 'error' && !('id' in r)) {
            reject(new Error(`go-engine: search worker failed to start: ${(r as { message?: string }).message ?? ''}`));
            return;
          }
          const p = helper.pending.get(r.id);
          if (!p) return;
          helper.pending.delete(r.id);
          if (r.type === 'result') p.resolve(r.summary);
          else p.reject(new Error(`go-engine: search worker: ${r.message}`));
        });
        worker.on('error', (e) => {
          reject(e);
          for (const p of helper.pending.values()) p.reject(e);
          helper.pending.clear();
        });
      }));
    }
    this.helpers = await Promise.all(made);
    return this.helpers;
  }

  private searchFor(size: number): GoSearch {
    let s = this.local.get(size);
    if (!s) {
      s = new GoSearch(size, this.seed, this.config);
      this.local.set(size, s);
    }
    return s;
  }

  /** Search `state` on every thread; progress reports come from the calling thread's tree alone. */
  async run(state: GoState, limits: SearchLimits, rootPolicy?: Float32Array): Promise<SearchSummary> {
    const helpers = this.threads > 1 ? await this.start() : [];
    Atomics.store(this.stopFlag, 0, 0);
    const share = limits.playouts !== undefined ? Math.max(1, Math.ceil(limits.playouts / this.threads)) : null;
    const setup = state.setupStones();
    const req: Omit<SearchRequest, 'id'> = {
      size: state.game.n, komi: state.komi, setup, moves: state.history(),
      playouts: share, timeMs: limits.timeMs ?? null, rootPolicy: rootPolicy ?? null,
    };
    const remote = helpers.map((h) => new Promise<SearchSummary>((resolve, reject) => {
      const id = this.nextId++;
      h.pending.set(id, { resolve, reject });
      h.worker.postMessage({ ...req, id });
    }));
    const search = this.searchFor(state.game.n);
    search.setPosition(state, rootPolicy);
    const mine = search.run({ ...limits, playouts: share ?? undefined });
    // Without a budget (time or a stop request) the others stop when this thread does; with one
    // they finish their share, so that the result does not depend on timing.
    if (share === null || limits.shouldStop?.()) Atomics.store(this.stopFlag, 0, 1);
    const all = [mine, ...(await Promise.all(remote))];
    return mergeSummaries(all);
  }

  async close(): Promise<void> {
    const hs = this.helpers ?? [];
    this.helpers = null;
    await Promise.all(hs.map((h) => h.worker.terminate()));
  }
}
