/**
 * The self-play pipeline's event stream. Every arrow of the data flow (self-play -> buffer ->
 * trainer -> checkpoint -> gating -> workers) is an event here; the terminal UI and the JSON-lines
 * metrics log both only listen. `PipelineEvents` is a typed wrapper over Node's EventEmitter.
 */
import { EventEmitter } from 'node:events';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MoveCandidate } from './selfplay.ts';

export interface GameEndInfo {
  generation: number;
  gameIndex: number;
  worker: number;
  moves: string[];
  /** Returns [player0, player1]. */
  returns: [number, number];
  resigned: boolean;
  /** Resignation was disabled in this game (to measure false positives). */
  resignDisabled: boolean;
  length: number;
}

export interface PipelineEventMap {
  'run:start': { runDir: string; game: string; mode: string; resumedFrom: number | null; config: Record<string, unknown> };
  'generation:start': { generation: number; bestGeneration: number };
  /** A generation's self-play games were handed to the runner (with overlapSelfPlay, while the previous generation trains). */
  'selfplay:start': { generation: number; games: number };
  'game:start': { generation: number; gameIndex: number; worker: number };
  'game:move': { generation: number; gameIndex: number; move: string; moveNumber: number; rootValue: number; candidates?: MoveCandidate[] };
  'game:end': GameEndInfo;
  'selfplay:done': { generation: number; games: number; positions: number; seconds: number; gamesPerSec: number; positionsPerSec: number; avgLength: number; resigned: number; p0Wins: number; p1Wins: number; draws: number };
  'worker:stats': { worker: number; games: number; positions: number; evals: number; evalsPerSec: number; avgBatch: number };
  'train:batch': { step: number; lr: number; loss: number; valueLoss: number; policyLoss: number; l2Loss: number; policyEntropy: number; samplesPerSec: number };
  'train:done': { generation: number; steps: number; seconds: number; valueLoss: number; policyLoss: number; policyEntropy: number; samplesPerSec: number; bufferPositions: number };
  'resign:calibrated': { threshold: number | null; falsePositiveRate: number; wouldResign: number; checkedGames: number };
  /** One evaluation game finished: the gate (opponent `gen N`) or a strength yardstick. */
  'eval:progress': { generation: number; opponent: string; done: number; total: number };
  'eval:result': { generation: number; candidate: number; best: number; wins: number; draws: number; losses: number; score: number; accepted: boolean; elo: number };
  'strength': { generation: number; opponent: string; wins: number; draws: number; losses: number; score: number; extra?: Record<string, number> };
  'checkpoint': { generation: number; dir: string; seconds: number };
  'generation:end': { generation: number; bestGeneration: number; seconds: number; totalGames: number; totalPositions: number; trainSteps: number; elo: number };
  'run:end': { generation: number; reason: string };
  'log': { message: string };
}

export type PipelineEventName = keyof PipelineEventMap;

export class PipelineEvents {
  private readonly em = new EventEmitter();

  constructor() {
    this.em.setMaxListeners(50);
  }

  on<K extends PipelineEventName>(name: K, fn: (e: PipelineEventMap[K]) => void): this {
    this.em.on(name, fn);
    return this;
  }

  off<K extends PipelineEventName>(name: K, fn: (e: PipelineEventMap[K]) => void): this {
    this.em.off(name, fn);
    return this;
  }

  /** Listen to every event (for logs): fn(name, payload). */
  onAny(fn: (name: PipelineEventName, e: unknown) => void): () => void {
    const handlers = ALL_EVENTS.map((n) => {
      const h = (e: unknown): void => fn(n, e);
      this.em.on(n, h);
      return [n, h] as const;
    });
    return () => handlers.forEach(([n, h]) => this.em.off(n, h));
  }

  /** Listeners on one event (the pipeline streams live moves from workers only when someone listens). */
  listenerCount(name: PipelineEventName): number {
    return this.em.listenerCount(name);
  }

  emit<K extends PipelineEventName>(name: K, e: PipelineEventMap[K]): void {
    this.em.emit(name, e);
  }
}

export const ALL_EVENTS: PipelineEventName[] = [
  'run:start', 'generation:start', 'selfplay:start', 'game:start', 'game:move', 'game:end', 'selfplay:done', 'worker:stats', 'train:batch',
  'train:done', 'resign:calibrated', 'eval:progress', 'eval:result', 'strength', 'checkpoint', 'generation:end', 'run:end', 'log',
];

/** Events too frequent for the metrics file. */
const CHATTY = new Set<PipelineEventName>(['game:move', 'game:start', 'game:end', 'eval:progress']);

/** Append every non-chatty event as one JSON line {time, event, ...payload} to `path`. */
export function attachMetricsLog(events: PipelineEvents, path: string): () => void {
  mkdirSync(dirname(path), { recursive: true });
  return events.onAny((name, e) => {
    if (CHATTY.has(name)) return;
    appendFileSync(path, JSON.stringify({ time: new Date().toISOString(), event: name, ...(e as object) }) + '\n');
  });
}

/**
 * A readable progress line every `intervalSec` (for logs and non-TTY output), plus one line per
 * generation summary, evaluation and strength measurement.
 */
export function attachProgressPrinter(events: PipelineEvents, write: (line: string) => void, intervalSec = 5): () => void {
  let gen = 0;
  // Games (and their moves) ended per generation: overlapped self-play ends the next generation's early.
  const ended = new Map<number, { games: number; moves: number }>();
  let phase = 'starting';
  let lastTrain: PipelineEventMap['train:batch'] | null = null;
  const t0 = Date.now();
  const offs: (() => void)[] = [];
  const on = <K extends PipelineEventName>(n: K, fn: (e: PipelineEventMap[K]) => void): void => {
    events.on(n, fn);
    offs.push(() => events.off(n, fn));
  };
  on('generation:start', (e) => {
    gen = e.generation;
    for (const g of ended.keys()) if (g < gen) ended.delete(g);
    phase = 'self-play';
  });
  on('game:end', (e) => {
    const n = ended.get(e.generation) ?? { games: 0, moves: 0 };
    n.games++;
    n.moves += e.length;
    ended.set(e.generation, n);
  });
  on('selfplay:done', (e) => {
    phase = 'training';
    write(`gen ${e.generation} self-play: ${e.games} games, ${e.positions} positions in ${e.seconds.toFixed(1)} s (${e.gamesPerSec.toFixed(2)} games/s), avg length ${e.avgLength.toFixed(1)}, P0/P1/draw ${e.p0Wins}/${e.p1Wins}/${e.draws}, resigned ${e.resigned}`);
  });
  on('train:batch', (e) => {
    lastTrain = e;
  });
  on('train:done', (e) => {
    phase = 'evaluation';
    write(`gen ${e.generation} train: ${e.steps} steps in ${e.seconds.toFixed(1)} s, value loss ${e.valueLoss.toFixed(4)}, policy loss ${e.policyLoss.toFixed(4)}, entropy ${e.policyEntropy.toFixed(3)}, ${e.samplesPerSec.toFixed(0)} samples/s, buffer ${e.bufferPositions}`);
  });
  on('resign:calibrated', (e) => {
    write(`resign threshold ${e.threshold === null ? 'off' : e.threshold.toFixed(3)} (false positives ${(100 * e.falsePositiveRate).toFixed(1)}% of ${e.wouldResign} would-be resignations in ${e.checkedGames} no-resign games)`);
  });
  on('eval:result', (e) => {
    phase = 'strength tests';
    write(`gen ${e.generation} evaluation: candidate vs best (gen ${e.best}) +${e.wins} =${e.draws} -${e.losses}, score ${(100 * e.score).toFixed(1)}% -> ${e.accepted ? 'accepted' : 'rejected'}, Elo ${e.elo.toFixed(0)}`);
  });
  on('strength', (e) => {
    const extra = e.extra ? ' ' + Object.entries(e.extra).map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(3)}`).join(', ') : '';
    write(`gen ${e.generation} strength vs ${e.opponent}: +${e.wins} =${e.draws} -${e.losses} (score ${(100 * e.score).toFixed(1)}%)${extra}`);
  });
  on('checkpoint', (e) => write(`gen ${e.generation} checkpoint written to ${e.dir} (${e.seconds.toFixed(1)} s)`));
  on('generation:end', (e) => {
    phase = 'done';
    write(`gen ${e.generation} done in ${e.seconds.toFixed(1)} s; best net = gen ${e.bestGeneration}; ${e.totalGames} games, ${e.totalPositions} positions, ${e.trainSteps} train steps in all`);
  });
  on('log', (e) => write(e.message));
  const timer = setInterval(() => {
    const t = ((Date.now() - t0) / 1000).toFixed(0);
    const tr = lastTrain as PipelineEventMap['train:batch'] | null;
    const loss = tr ? `, last batch: v ${tr.valueLoss.toFixed(3)} p ${tr.policyLoss.toFixed(3)}` : '';
    const cur = ended.get(gen) ?? { games: 0, moves: 0 };
    const next = ended.get(gen + 1);
    write(`[${t} s] gen ${gen} ${phase}: ${cur.games} games, ${cur.moves} moves this generation${next ? ` (next generation: ${next.games} games)` : ''}${loss}`);
  }, Math.max(0.2, intervalSec) * 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    offs.forEach((f) => f());
  };
}
