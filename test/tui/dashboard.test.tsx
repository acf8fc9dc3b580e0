import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import { PipelineEvents } from '../../src/agents/alphazero/events.ts';
import { Dashboard, type DashboardControls } from '../../tui/dashboard.tsx';
import { lineChart, progressBar } from '../../tui/charts.ts';
import { applyEvent, emptyModel, runningMs, setPaused } from '../../tui/store.ts';

const tick = (ms = 60): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** The frame once `pred` holds (or after `ms`): a loaded machine renders late. */
async function until(frame: () => string | undefined, pred: (f: string) => boolean, ms = 5000): Promise<string> {
  const t0 = Date.now();
  while (!pred(frame() ?? '') && Date.now() - t0 < ms) await tick(20);
  return frame() ?? '';
}

function controls(): DashboardControls & { paused: boolean } {
  const c = {
    paused: false,
    togglePause: vi.fn(() => (c.paused = !c.paused)),
    saveNow: vi.fn(async () => {}),
    quit: vi.fn(async () => {}),
  };
  return c;
}

/** A stand-in board drawer: lists the moves, so the test sees which game is focused. */
const renderBoard = (moves: readonly string[]): string => `board[${moves.join(' ')}]`;

function startRun(events: PipelineEvents): void {
  events.emit('run:start', { runDir: 'runs/t', game: 'tictactoe', mode: 'alphazero', resumedFrom: null, config: { gamesPerGeneration: 4 } });
  events.emit('generation:start', { generation: 1, bestGeneration: 0 });
  events.emit('game:start', { generation: 1, gameIndex: 0, worker: 0 });
  events.emit('game:start', { generation: 1, gameIndex: 1, worker: 0 });
  events.emit('game:move', { generation: 1, gameIndex: 0, move: 'b2', moveNumber: 1, rootValue: 0.25 });
  events.emit('game:move', { generation: 1, gameIndex: 1, move: 'a1', moveNumber: 1, rootValue: -0.5 });
}

describe('self-play dashboard', () => {
  it('shows the focused game, its last move and the run figures from the event stream', async () => {
    const events = new PipelineEvents();
    const c = controls();
    const ui = render(<Dashboard events={events} controls={c} renderBoard={renderBoard} maxFps={50} />);
    startRun(events);
    events.emit('train:batch', { step: 10, lr: 0.01, loss: 2, valueLoss: 0.9, policyLoss: 1.1, l2Loss: 0, policyEntropy: 1, samplesPerSec: 1234, });
    events.emit('train:done', { generation: 1, steps: 10, seconds: 1, valueLoss: 0.9, policyLoss: 1.1, policyEntropy: 1, samplesPerSec: 1234, bufferPositions: 321 });
    await tick();
    const frame = ui.lastFrame()!;
    expect(frame).toContain('tictactoe');
    expect(frame).toContain('gen 1');
    expect(frame).toContain('board[b2]');
    expect(frame).toContain('last b2');
    expect(frame).toContain('321 positions');
    expect(frame).toContain('1234');
    expect(frame).toContain('trained 10 steps');
    ui.unmount();
  });

  it('switches the focused game with the arrow keys and tab', async () => {
    const events = new PipelineEvents();
    const ui = render(<Dashboard events={events} controls={controls()} renderBoard={renderBoard} maxFps={50} />);
    startRun(events);
    expect(await until(ui.lastFrame, (f) => f.includes('board[b2]'))).toContain('board[b2]');
    ui.stdin.write('\u001B[C'); // right arrow
    await tick();
    expect(ui.lastFrame()).toContain('board[a1]');
    ui.stdin.write('\t');
    await tick();
    expect(ui.lastFrame()).toContain('board[b2]');
    ui.unmount();
  });

  it('space pauses and resumes, s saves, q saves and quits once even if pressed twice', async () => {
    const events = new PipelineEvents();
    const c = controls();
    let release: () => void = () => {};
    c.quit = vi.fn(() => new Promise<void>((r) => (release = r)));
    const ui = render(<Dashboard events={events} controls={c} renderBoard={renderBoard} maxFps={50} />);
    startRun(events);
    await tick();
    ui.stdin.write(' ');
    await tick();
    expect(c.togglePause).toHaveBeenCalledTimes(1);
    expect(ui.lastFrame()).toContain('PAUSED');
    ui.stdin.write(' ');
    await tick();
    expect(ui.lastFrame()).not.toContain('PAUSED');
    ui.stdin.write('s');
    await tick();
    expect(c.saveNow).toHaveBeenCalledTimes(1);
    expect(ui.lastFrame()).toContain('checkpoint saved');
    ui.stdin.write('q');
    await tick();
    ui.stdin.write('q');
    await tick();
    expect(c.quit).toHaveBeenCalledTimes(1);
    expect(ui.lastFrame()).toContain('still saving');
    release();
    await tick();
    ui.unmount();
  });

  it('keys typed while the run was busy arrive together and each one still counts; a second q quits now', async () => {
    const events = new PipelineEvents();
    const c = { ...controls(), quit: vi.fn(() => new Promise<void>(() => {})), quitNow: vi.fn(() => {}) };
    const ui = render(<Dashboard events={events} controls={c} renderBoard={renderBoard} maxFps={50} />);
    startRun(events);
    await tick();
    ui.stdin.write('sq');
    await tick();
    expect(c.saveNow).toHaveBeenCalledTimes(1);
    expect(c.quit).toHaveBeenCalledTimes(1);
    expect(c.quitNow).not.toHaveBeenCalled();
    ui.stdin.write('q');
    await tick();
    expect(c.quitNow).toHaveBeenCalledTimes(1);
    expect(ui.lastFrame()).toContain('quitting now');
    ui.unmount();
  });

  it('shows the evaluation games as a progress bar, gate then strength yardstick', async () => {
    const events = new PipelineEvents();
    const ui = render(<Dashboard events={events} controls={controls()} renderBoard={renderBoard} maxFps={50} />);
    startRun(events);
    events.emit('eval:progress', { generation: 1, opponent: 'gen 0', done: 5, total: 20 });
    await tick();
    const line = ui.lastFrame()!.split('\n').find((l) => /^\s*evaluation /.test(l));
    expect(line).toBeDefined();
    expect(line).toContain('5/20 vs gen 0');
    expect(line).toContain(progressBar(5 / 20, 16));
    events.emit('eval:progress', { generation: 1, opponent: 'uct-200', done: 10, total: 10 });
    await tick();
    expect(ui.lastFrame()).toContain('10/10 vs uct-200');
    // A new generation clears it.
    events.emit('generation:start', { generation: 2, bestGeneration: 1 });
    await tick();
    expect(ui.lastFrame()).not.toContain('vs uct-200');
    ui.unmount();
  });

  it('fits the key figures in an 80-column frame', async () => {
    const events = new PipelineEvents();
    const ui = render(<Dashboard events={events} controls={controls()} renderBoard={renderBoard} maxFps={50} />);
    startRun(events);
    await tick();
    const lines = ui.lastFrame()!.split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    ui.unmount();
  });
});

describe('dashboard: pause clock, continual mode, finished games', () => {
  it('stops the run clock while paused', () => {
    const m = emptyModel();
    m.startedAt = 1_000_000;
    setPaused(m, true, 1_010_000);
    expect(runningMs(m, 1_070_000)).toBe(10_000);
    setPaused(m, false, 1_080_000);
    expect(runningMs(m, 1_085_000)).toBe(15_000);
  });

  it('the space key pauses the clock with the run', async () => {
    const events = new PipelineEvents();
    const model = emptyModel();
    const ui = render(<Dashboard events={events} controls={controls()} renderBoard={renderBoard} maxFps={50} model={model} />);
    startRun(events);
    await tick();
    ui.stdin.write(' ');
    await until(ui.lastFrame, (f) => f.includes('PAUSED'));
    expect(model.pausedSince).not.toBeNull();
    const frozen = runningMs(model);
    await tick(1100);
    expect(runningMs(model)).toBe(frozen);
    ui.unmount();
  });

  it('continual (alphazero) mode does not call the evaluation ACCEPTED', () => {
    const m = emptyModel();
    applyEvent(m, 'run:start', { runDir: 'r', game: 'connect4', mode: 'alphazero', resumedFrom: null, config: {} });
    applyEvent(m, 'eval:result', { generation: 2, candidate: 2, best: 1, wins: 1, draws: 0, losses: 3, score: 0.25, accepted: true, elo: -50 });
    expect(m.log.at(-1)).toContain('continual: the newest net plays');
    expect(m.log.at(-1)).not.toContain('ACCEPTED');
    applyEvent(m, 'run:start', { runDir: 'r', game: 'connect4', mode: 'zero', resumedFrom: null, config: {} });
    applyEvent(m, 'eval:result', { generation: 2, candidate: 2, best: 1, wins: 3, draws: 0, losses: 1, score: 0.75, accepted: true, elo: 50 });
    expect(m.log.at(-1)).toContain('ACCEPTED');
  });

  it('shows the last finished game while no game is being played', async () => {
    const events = new PipelineEvents();
    const ui = render(<Dashboard events={events} controls={controls()} renderBoard={renderBoard} maxFps={50} />);
    startRun(events);
    events.emit('game:end', { generation: 1, gameIndex: 0, worker: 0, moves: ['b2', 'a1', 'c3'], returns: [1, -1], resigned: false, resignDisabled: false, length: 3 });
    events.emit('game:end', { generation: 1, gameIndex: 1, worker: 0, moves: ['a1', 'b1'], returns: [0, 0], resigned: false, resignDisabled: false, length: 2 });
    const frame = await until(ui.lastFrame, (f) => f.includes('last finished'));
    expect(frame).toContain('Game 1 (last finished: draw in 2 moves)');
    expect(frame).toContain('board[a1 b1]');
    expect(frame).not.toContain('no game');
    ui.unmount();
  });
});

describe('dashboard model', () => {
  it('counts games of the next generation that end early (overlapped self-play) under their own generation', () => {
    const m = emptyModel();
    const end = (generation: number, gameIndex: number): void =>
      void applyEvent(m, 'game:end', { generation, gameIndex, worker: 0, moves: ['a'], returns: [1, -1], resigned: false, resignDisabled: false, length: 1 });
    applyEvent(m, 'generation:start', { generation: 1, bestGeneration: 0 });
    end(1, 0);
    end(1, 1);
    expect(m.gamesThisGen).toBe(2);
    end(2, 2); // generation 2's games play while generation 1 trains
    end(2, 3);
    end(2, 4);
    expect(m.gamesThisGen).toBe(2);
    expect(m.totalGames).toBe(5);
    applyEvent(m, 'generation:start', { generation: 2, bestGeneration: 1 });
    expect(m.gamesThisGen).toBe(3);
    end(2, 5);
    expect(m.gamesThisGen).toBe(4);
  });
});

describe('text charts', () => {
  it('draws a bar proportional to the fraction', () => {
    expect(progressBar(0.5, 12)).toBe('[#####.....]');
    expect(progressBar(0, 6)).toBe('[....]');
    expect(progressBar(1, 6)).toBe('[####]');
  });

  it('puts the maximum on the top row and the minimum on the bottom row', () => {
    const rows = lineChart([1, 2, 3, 4, 5], 20, 5);
    expect(rows).toHaveLength(5);
    expect(rows[0]!.trim().startsWith('5')).toBe(true);
    expect(rows[4]!.trim().startsWith('1')).toBe(true);
    expect(rows[0]!.endsWith('*')).toBe(true);
    expect(rows[4]!.slice(9, 10)).toBe('*');
  });
});
