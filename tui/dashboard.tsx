/**
 * Self-play dashboard (Ink). Listens to the pipeline's event stream through a DashboardModel and
 * re-renders at a capped frame rate; keys only send commands (pause, save, quit) to the controls
 * the pipeline hands in. Finished log items go to <Static> so they scroll away cheaply.
 */
import React, { useEffect, useRef, useState } from 'react';
import { Box, Static, Text, useApp, useInput, useStdout, type Key } from 'ink';
import type { PipelineEvents } from '../src/agents/alphazero/events.ts';
import { bindModel, emptyModel, runningMs, setPaused, type DashboardModel, type LiveGame } from './store.ts';
import { lineChart, progressBar } from './charts.ts';

export interface DashboardControls {
  /** Pause or resume self-play and training; returns the new paused state. */
  togglePause(): boolean;
  /** Save the network now; resolves to a line saying where (or nothing). */
  saveNow(): Promise<string | void>;
  /** Stop the run after the current generation's checkpoint; resolves when it has stopped. */
  quit(): Promise<void>;
  /** Second q: stop at once (after a checkpoint being written, if any). Optional. */
  quitNow?(): void;
}

export interface DashboardProps {
  events: PipelineEvents;
  controls: DashboardControls;
  /** Readable board after the given moves (the game's State.toString()). */
  renderBoard: (moves: readonly string[]) => string;
  /** Frames per second at most (default 8). */
  maxFps?: number;
  /** Inject a model (tests); otherwise a fresh one is bound to `events`. */
  model?: DashboardModel;
}

function fmtNum(v: number, digits = 0): string {
  if (!Number.isFinite(v)) return '-';
  return v >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : v >= 1e4 ? `${(v / 1e3).toFixed(1)}k` : v.toFixed(digits);
}

function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  return `${h > 0 ? `${h}h` : ''}${String(mm).padStart(h > 0 ? 2 : 1, '0')}m${String(s % 60).padStart(2, '0')}s`;
}

function Stat({ label, value }: { label: string; value: string }): React.JSX.Element {
  return (
    <Text>
      <Text dimColor>{label.padEnd(13)}</Text>
      {value}
    </Text>
  );
}

function BoardPanel({ game, renderBoard, focusIdx, count }: { game: LiveGame | undefined; renderBoard: DashboardProps['renderBoard']; focusIdx: number; count: number }): React.JSX.Element {
  if (!game) {
    return (
      <Box flexDirection="column" marginRight={2}>
        <Text bold>Game</Text>
        <Text dimColor>no game played yet</Text>
      </Box>
    );
  }
  let board: string;
  try {
    board = renderBoard(game.moves);
  } catch (e) {
    board = `(cannot draw: ${(e as Error).message})`;
  }
  const last = game.moves[game.moves.length - 1];
  return (
    <Box flexDirection="column" marginRight={2}>
      <Text bold>
        Game {game.gameIndex}{' '}
        {game.result !== undefined ? <Text dimColor>(last finished: {game.result})</Text> : <Text dimColor>({focusIdx + 1}/{count}, worker {game.worker})</Text>}
      </Text>
      <Text>{board}</Text>
      <Text>
        move {game.moves.length}
        {last !== undefined ? (
          <Text>
            , last <Text color="yellow" bold>{last}</Text>
          </Text>
        ) : null}
        , value {game.rootValue >= 0 ? '+' : ''}
        {game.rootValue.toFixed(2)}
      </Text>
      {game.candidates.slice(0, 4).map((c) => (
        <Text key={c.move}>
          <Text color="cyan">{c.move.padEnd(5)}</Text> {(c.share * 100).toFixed(0).padStart(3)}% q {c.q >= 0 ? '+' : ''}
          {c.q.toFixed(2)}
        </Text>
      ))}
    </Box>
  );
}

export function Dashboard(props: DashboardProps): React.JSX.Element {
  const { events, controls, renderBoard } = props;
  const maxFps = props.maxFps ?? 8;
  const modelRef = useRef<DashboardModel>(props.model ?? emptyModel());
  const dirty = useRef(true);
  const [, setFrame] = useState(0);
  const [focus, setFocus] = useState(0);
  const [status, setStatus] = useState('');
  const quitting = useRef(false);
  const { exit } = useApp();
  const { stdout } = useStdout();
  const width = Math.max(40, stdout?.columns ?? 80);

  useEffect(() => bindModel(modelRef.current, events, () => (dirty.current = true)), [events]);
  useEffect(() => {
    const t = setInterval(() => {
      if (!dirty.current) return;
      dirty.current = false;
      setFrame((f) => f + 1);
    }, Math.max(16, 1000 / maxFps));
    return () => clearInterval(t);
  }, [maxFps]);

  const m = modelRef.current;
  const live = [...m.live.values()].sort((a, b) => a.gameIndex - b.gameIndex);
  const focusIdx = live.length ? ((focus % live.length) + live.length) % live.length : 0;

  useInput((raw, key) => {
    // Keys typed while the run was busy arrive together ('sq'): handle each one.
    const plain = !key.ctrl && !key.meta && raw.length > 1 && /^[ -~]+$/.test(raw);
    for (const input of plain ? [...raw] : [raw]) onKey(input, key);
  });

  const onKey = (input: string, key: Key): void => {
    if (input === 'q' || (key.ctrl && input === 'c')) {
      if (quitting.current) {
        if (controls.quitNow) {
          setStatus('quitting now; the run resumes from its last checkpoint');
          controls.quitNow();
        } else setStatus('still saving, the run stops as soon as the checkpoint is written');
        return;
      }
      quitting.current = true;
      setStatus(controls.quitNow ? 'stopping after this generation (q again: quit now, resume from the last checkpoint)' : 'saving checkpoint and quitting...');
      dirty.current = true;
      void controls.quit().then(
        () => exit(),
        (e: unknown) => {
          setStatus(`quit failed: ${(e as Error).message}`);
          exit();
        },
      );
      return;
    }
    if (quitting.current) return;
    if (input === ' ') {
      const paused = controls.togglePause();
      setPaused(m, paused);
      setStatus(paused ? 'paused (space resumes)' : 'resumed');
    } else if (input === 's') {
      setStatus('saving...');
      void controls.saveNow().then(
        (where) => setStatus(where ? where : 'checkpoint saved'),
        (e: unknown) => setStatus(`save failed: ${(e as Error).message}`),
      );
    } else if (key.rightArrow || key.downArrow || key.tab) {
      setFocus((f) => f + 1);
    } else if (key.leftArrow || key.upArrow) {
      setFocus((f) => f - 1);
    }
    dirty.current = true;
  };

  const chartW = Math.max(24, Math.floor((width - 4) / 2));
  const genFrac = m.gamesPerGen > 0 ? m.gamesThisGen / m.gamesPerGen : 0;
  const workers = [...m.workers.values()].sort((a, b) => a.worker - b.worker);
  const logItems = m.log.map((line, i) => ({ id: i, line }));

  return (
    <Box flexDirection="column">
      <Static items={logItems}>{(item) => <Text key={item.id} dimColor>{item.line}</Text>}</Static>
      <Box>
        <Text bold color="green">tengen self-play </Text>
        <Text>
          {m.game || '...'} {m.mode} | gen {m.generation} (best {m.bestGeneration}) | {m.paused ? <Text color="yellow">PAUSED</Text> : m.phase} | {elapsed(runningMs(m))}
        </Text>
      </Box>
      <Box>
        <BoardPanel game={live[focusIdx] ?? m.lastFinished ?? undefined} renderBoard={renderBoard} focusIdx={focusIdx} count={live.length} />
        <Box flexDirection="column">
          <Stat label="games" value={`${fmtNum(m.totalGames)} (${m.gamesThisGen}${m.gamesPerGen ? `/${m.gamesPerGen}` : ''} this gen)`} />
          <Stat label="buffer" value={`${fmtNum(m.bufferPositions)} positions`} />
          <Stat label="games/min" value={fmtNum(m.gamesPerMin, 1)} />
          <Stat label="samples/s" value={fmtNum(m.samplesPerSec)} />
          <Stat label="net calls/s" value={fmtNum(m.evalsPerSec)} />
          <Stat label="mean batch" value={fmtNum(m.meanBatch, 1)} />
          <Stat label="train step" value={fmtNum(m.trainStep)} />
          <Stat label="Elo" value={m.elo.length ? fmtNum(m.elo[m.elo.length - 1]!) : '-'} />
          <Text>
            <Text dimColor>{'generation'.padEnd(13)}</Text>
            {progressBar(genFrac, 16)} {(genFrac * 100).toFixed(0)}%
          </Text>
          {m.evalProgress ? (
            <Text>
              <Text dimColor>{'evaluation'.padEnd(13)}</Text>
              {progressBar(m.evalProgress.done / Math.max(1, m.evalProgress.total), 16)} {m.evalProgress.done}/{m.evalProgress.total} vs{' '}
              {m.evalProgress.opponent}
            </Text>
          ) : null}
          {workers.map((w) => (
            <Text key={w.worker} dimColor>
              worker {w.worker}: {w.games} games, {fmtNum(w.evalsPerSec)} evals/s, batch {w.avgBatch.toFixed(1)}
            </Text>
          ))}
        </Box>
      </Box>
      <Box>
        <Box flexDirection="column" width={chartW}>
          <Text bold>loss (value / policy)</Text>
          {lineChart(m.valueLoss, chartW, 3).map((row, i) => (
            <Text key={`v${i}`} color="magenta">{row}</Text>
          ))}
          {lineChart(m.policyLoss, chartW, 3).map((row, i) => (
            <Text key={`p${i}`} color="blue">{row}</Text>
          ))}
        </Box>
        <Box flexDirection="column" width={chartW}>
          <Text bold>Elo</Text>
          {lineChart(m.elo, chartW, 6).map((row, i) => (
            <Text key={`e${i}`} color="green">{row}</Text>
          ))}
        </Box>
      </Box>
      {m.lastResult ? <Text dimColor>{m.lastResult}</Text> : null}
      <Text>
        <Text dimColor>keys: space pause, arrows/tab game, s save net, q stop after this gen (qq: now)</Text>
        {status ? <Text color="yellow"> | {status}</Text> : null}
      </Text>
    </Box>
  );
}
