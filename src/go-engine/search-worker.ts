/**
 * A worker thread of the root-parallel Go search (parallel.ts): it keeps a GoSearch of its own,
 * rebuilds each position it is sent, searches it and posts back the root's statistics.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { GoGame } from '../env/games/go/rules.ts';
import { GoSearch, type SearchConfig } from './search.ts';
import type { SearchRequest, SearchReply } from './parallel.ts';

const { seed, config, stop } = workerData as { seed: number; config: Partial<SearchConfig>; stop: SharedArrayBuffer };
const stopFlag = new Int32Array(stop);
const searches = new Map<number, GoSearch>();

parentPort!.on('message', (req: SearchRequest) => {
  try {
    const game = new GoGame({ size: req.size, komi: req.komi, maxMoves: 1_000_000 });
    const state = game.newInitialState();
    if (req.setup.black.length + req.setup.white.length > 0) state.setup(req.setup.black, req.setup.white, req.setup.toPlay);
    for (const a of req.moves) state.applyAction(a);
    let search = searches.get(req.size);
    if (!search) {
      search = new GoSearch(req.size, seed, config);
      searches.set(req.size, search);
    }
    search.setPosition(state, req.rootPolicy ?? undefined);
    const summary = search.run({ playouts: req.playouts ?? undefined, timeMs: req.timeMs ?? undefined, shouldStop: () => Atomics.load(stopFlag, 0) !== 0 });
    const reply: SearchReply = { type: 'result', id: req.id, summary };
    parentPort!.postMessage(reply);
  } catch (e) {
    const reply: SearchReply = { type: 'error', id: req.id, message: e instanceof Error ? e.message : String(e) };
    parentPort!.postMessage(reply);
  }
});
parentPort!.postMessage({ type: 'ready' });
