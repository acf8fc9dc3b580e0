/**
 * The dashboard's model: a plain object folded from the pipeline's events. The UI only reads it;
 * nothing here drives training. Kept free of React so it can be tested directly.
 */
import type { PipelineEventMap, PipelineEventName, PipelineEvents } from '../src/agents/alphazero/events.ts';

export interface Candidate {
  move: string;
  visits: number;
  /** Share of the root's visits, 0..1. */
  share: number;
  /** Mean value for the player to move, -1..1. */
  q: number;
}

export interface LiveGame {
  gameIndex: number;
  worker: number;
  moves: string[];
  rootValue: number;
  candidates: Candidate[];
  /** Set once the game is over: how it ended ('first player won in 9 moves'). */
  result?: string;
}

export interface WorkerRow {
  worker: number;
  games: number;
  positions: number;
  evalsPerSec: number;
  avgBatch: number;
  lastSeen: number;
}

export interface DashboardModel {
  runDir: string;
  game: string;
  mode: string;
  startedAt: number;
  generation: number;
  bestGeneration: number;
  phase: 'starting' | 'self-play' | 'training' | 'evaluation' | 'checkpoint' | 'done' | 'stopped';
  paused: boolean;
  /** Milliseconds spent paused before the current pause (the run's clock leaves them out). */
  pausedMs: number;
  /** When the current pause began (ms since the epoch); null while running. */
  pausedSince: number | null;
  gamesThisGen: number;
  /** Games finished per generation not yet started (overlapped self-play plays the next generation's games early). */
  gamesAhead: Map<number, number>;
  gamesPerGen: number;
  totalGames: number;
  totalPositions: number;
  bufferPositions: number;
  samplesPerSec: number;
  gamesPerMin: number;
  evalsPerSec: number;
  meanBatch: number;
  trainStep: number;
  valueLoss: number[];
  policyLoss: number[];
  elo: number[];
  /** The evaluation match being played now (the gate, or a strength yardstick). */
  evalProgress: { opponent: string; done: number; total: number } | null;
  live: Map<number, LiveGame>;
  /** The last game that ended, shown while no game is being played (training, evaluation). */
  lastFinished: LiveGame | null;
  workers: Map<number, WorkerRow>;
  /** Finished log lines, oldest first (rendered in <Static>). */
  log: string[];
  lastResult: string;
}

export function emptyModel(): DashboardModel {
  return {
    runDir: '',
    game: '',
    mode: '',
    startedAt: Date.now(),
    generation: 0,
    bestGeneration: 0,
    phase: 'starting',
    paused: false,
    pausedMs: 0,
    pausedSince: null,
    gamesThisGen: 0,
    gamesAhead: new Map(),
    gamesPerGen: 0,
    totalGames: 0,
    totalPositions: 0,
    bufferPositions: 0,
    samplesPerSec: 0,
    gamesPerMin: 0,
    evalsPerSec: 0,
    meanBatch: 0,
    trainStep: 0,
    valueLoss: [],
    policyLoss: [],
    elo: [],
    evalProgress: null,
    live: new Map(),
    lastFinished: null,
    workers: new Map(),
    log: [],
    lastResult: '',
  };
}

const MAX_POINTS = 400;
const MAX_LIVE = 64;

function push(arr: number[], v: number): void {
  if (!Number.isFinite(v)) return;
  arr.push(v);
  if (arr.length > MAX_POINTS) arr.splice(0, arr.length - MAX_POINTS);
}

function resultText(returns: [number, number]): string {
  return returns[0] > 0 ? 'first player won' : returns[1] > 0 ? 'second player won' : 'draw';
}

/** Pause or resume the run's clock with the run (the dashboard's space key). */
export function setPaused(m: DashboardModel, paused: boolean, now = Date.now()): void {
  if (paused && m.pausedSince === null) m.pausedSince = now;
  if (!paused && m.pausedSince !== null) {
    m.pausedMs += now - m.pausedSince;
    m.pausedSince = null;
  }
  m.paused = paused;
}

/** Milliseconds the run has been running, its pauses left out. */
export function runningMs(m: DashboardModel, now = Date.now()): number {
  return now - m.startedAt - m.pausedMs - (m.pausedSince !== null ? now - m.pausedSince : 0);
}

/** Fold one event into the model. Returns true when something visible changed. */
export function applyEvent<K extends PipelineEventName>(m: DashboardModel, name: K, payload: PipelineEventMap[K]): boolean {
  const e = payload as PipelineEventMap[PipelineEventName];
  switch (name) {
    case 'run:start': {
      const p = e as PipelineEventMap['run:start'];
      m.runDir = p.runDir;
      m.game = p.game;
      m.mode = p.mode;
      const gpg = p.config['gamesPerGeneration'];
      if (typeof gpg === 'number') m.gamesPerGen = gpg;
      m.log.push(`run ${p.runDir}: ${p.game}, mode ${p.mode}${p.resumedFrom !== null ? `, resumed from generation ${p.resumedFrom}` : ''}`);
      return true;
    }
    case 'generation:start': {
      const p = e as PipelineEventMap['generation:start'];
      m.generation = p.generation;
      m.bestGeneration = p.bestGeneration;
      m.phase = 'self-play';
      m.gamesThisGen = m.gamesAhead.get(p.generation) ?? 0;
      for (const g of m.gamesAhead.keys()) if (g <= p.generation) m.gamesAhead.delete(g);
      m.evalProgress = null;
      return true;
    }
    case 'game:start': {
      const p = e as PipelineEventMap['game:start'];
      m.live.set(p.gameIndex, { gameIndex: p.gameIndex, worker: p.worker, moves: [], rootValue: 0, candidates: [] });
      if (m.live.size > MAX_LIVE) m.live.delete(m.live.keys().next().value as number);
      return true;
    }
    case 'game:move': {
      const p = e as PipelineEventMap['game:move'] & { candidates?: Candidate[]; worker?: number };
      let g = m.live.get(p.gameIndex);
      if (!g) {
        g = { gameIndex: p.gameIndex, worker: p.worker ?? 0, moves: [], rootValue: 0, candidates: [] };
        m.live.set(p.gameIndex, g);
      }
      g.moves.push(p.move);
      g.rootValue = p.rootValue;
      if (p.candidates) g.candidates = p.candidates;
      return true;
    }
    case 'game:end': {
      const p = e as PipelineEventMap['game:end'];
      const ended = m.live.get(p.gameIndex);
      m.lastFinished = { gameIndex: p.gameIndex, worker: p.worker, moves: p.moves, rootValue: ended?.rootValue ?? 0, candidates: [], result: `${resultText(p.returns)} in ${p.length} moves${p.resigned ? ' (resigned)' : ''}` };
      m.live.delete(p.gameIndex);
      if (p.generation > m.generation) m.gamesAhead.set(p.generation, (m.gamesAhead.get(p.generation) ?? 0) + 1);
      else m.gamesThisGen++;
      m.totalGames++;
      m.totalPositions += p.length;
      m.lastResult = `game ${p.gameIndex}: ${resultText(p.returns)} in ${p.length} moves${p.resigned ? ' (resigned)' : ''}`;
      return true;
    }
    case 'selfplay:done': {
      const p = e as PipelineEventMap['selfplay:done'];
      m.phase = 'training';
      m.gamesPerMin = p.gamesPerSec * 60;
      m.log.push(`gen ${p.generation}: self-play ${p.games} games (${p.p0Wins}/${p.p1Wins}/${p.draws} first/second/draw), ${(p.gamesPerSec * 60).toFixed(1)} games/min`);
      return true;
    }
    case 'worker:stats': {
      const p = e as PipelineEventMap['worker:stats'];
      m.workers.set(p.worker, { worker: p.worker, games: p.games, positions: p.positions, evalsPerSec: p.evalsPerSec, avgBatch: p.avgBatch, lastSeen: Date.now() });
      let eps = 0;
      let batchSum = 0;
      for (const w of m.workers.values()) {
        eps += w.evalsPerSec;
        batchSum += w.avgBatch;
      }
      m.evalsPerSec = eps;
      m.meanBatch = m.workers.size ? batchSum / m.workers.size : 0;
      return true;
    }
    case 'train:batch': {
      const p = e as PipelineEventMap['train:batch'];
      m.phase = 'training';
      m.trainStep = p.step;
      m.samplesPerSec = p.samplesPerSec;
      push(m.valueLoss, p.valueLoss);
      push(m.policyLoss, p.policyLoss);
      return true;
    }
    case 'train:done': {
      const p = e as PipelineEventMap['train:done'];
      m.bufferPositions = p.bufferPositions;
      m.samplesPerSec = p.samplesPerSec;
      m.phase = 'evaluation';
      m.log.push(`gen ${p.generation}: trained ${p.steps} steps, value loss ${p.valueLoss.toFixed(3)}, policy loss ${p.policyLoss.toFixed(3)}, ${p.samplesPerSec.toFixed(0)} samples/s`);
      return true;
    }
    case 'eval:progress': {
      const p = e as PipelineEventMap['eval:progress'];
      m.phase = 'evaluation';
      m.evalProgress = { opponent: p.opponent, done: p.done, total: p.total };
      return true;
    }
    case 'eval:result': {
      const p = e as PipelineEventMap['eval:result'];
      push(m.elo, p.elo);
      // Continual (alphazero) mode has no gate: the newest net plays whatever the score; say so rather than 'ACCEPTED'.
      const verdict = m.mode === 'alphazero' ? 'continual: the newest net plays' : p.accepted ? 'ACCEPTED' : 'rejected';
      m.log.push(`gen ${p.generation}: candidate vs gen ${p.best} +${p.wins} =${p.draws} -${p.losses} (${(p.score * 100).toFixed(1)}%) ${verdict}, Elo ${p.elo.toFixed(0)}`);
      return true;
    }
    case 'strength': {
      const p = e as PipelineEventMap['strength'];
      m.log.push(`gen ${p.generation}: vs ${p.opponent} +${p.wins} =${p.draws} -${p.losses} (${(p.score * 100).toFixed(1)}%)`);
      return true;
    }
    case 'checkpoint': {
      const p = e as PipelineEventMap['checkpoint'];
      m.log.push(`gen ${p.generation}: checkpoint ${p.dir} (${p.seconds.toFixed(1)} s)`);
      return true;
    }
    case 'generation:end': {
      const p = e as PipelineEventMap['generation:end'];
      m.bestGeneration = p.bestGeneration;
      m.totalGames = p.totalGames;
      m.totalPositions = p.totalPositions;
      m.phase = 'done';
      if (m.elo.length === 0 || m.elo[m.elo.length - 1] !== p.elo) push(m.elo, p.elo);
      return true;
    }
    case 'run:end': {
      const p = e as PipelineEventMap['run:end'];
      m.phase = 'stopped';
      m.log.push(`run ended after generation ${p.generation}: ${p.reason}`);
      return true;
    }
    case 'log': {
      m.log.push((e as PipelineEventMap['log']).message);
      return true;
    }
    default:
      return false;
  }
}

/** Subscribe a model to an event stream; returns the unsubscribe function. */
export function bindModel(m: DashboardModel, events: PipelineEvents, onChange: () => void): () => void {
  return events.onAny((name, payload) => {
    if (applyEvent(m, name, payload as never)) onChange();
  });
}
