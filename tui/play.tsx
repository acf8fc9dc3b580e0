/**
 * Play against the agent (Ink). Moves are typed as coordinates (the game's own notation: `b2`,
 * `D4`, a Connect Four column number) and confirmed with Enter, or chosen with the arrow keys among
 * the legal moves. Words: `undo`, `pass`, `resign`, `hint`, `quit`; the `?` key shows a hint.
 * Illegal or unparsable input is refused in place with a one-line reason.
 */
import React, { useEffect, useRef, useState } from 'react';
import { Box, Text, useApp, useInput } from 'ink';
import type { PlayerId, State } from '../src/env/games/game.ts';
import type { Analysis, Player } from '../src/players/player.ts';

export interface PlayProps {
  initial: State;
  /** The opponent (the play screen's "agent"): any Player; its analysis is shown while it thinks. */
  agent: Player;
  /** The human's side: 0 moves first. */
  human: PlayerId;
  /** Called once when the game ends or the player quits; saves the record and returns where. */
  onFinish?: (state: State, result: string) => string | undefined;
  /** Final-score text for games that have one (Go), shown with the result. */
  scoreText?: (state: State) => string | undefined;
}

function describeResult(state: State, human: PlayerId, resignedBy: PlayerId | null): string {
  if (resignedBy !== null) return resignedBy === human ? 'You resigned: the agent wins.' : 'The agent resigned: you win!';
  const r = state.returns();
  if (r[human] > 0) return 'You win!';
  if (r[human] < 0) return 'The agent wins.';
  return 'Draw.';
}

function candidatesText(state: State, a: Analysis, n = 3): string {
  return a.candidates
    .slice(0, n)
    .map((c) => `${state.actionToString(c.action)} ${((100 * c.visits) / Math.max(1, a.totalVisits)).toFixed(0)}% (${(50 + 50 * c.q).toFixed(0)}% win)`)
    .join(', ');
}

/** The legal move the arrow keys point at (they cycle through the legal moves), or null when there is none. */
function selectedMove(state: State, cursor: number): number | null {
  if (state.isTerminal()) return null;
  const legal = state.legalActions();
  return legal.length ? legal[((cursor % legal.length) + legal.length) % legal.length]! : null;
}

/**
 * Where a move would put its stone on the drawn board: the empty points ('.') that the board drawn
 * after the move shows otherwise (Connect Four: the cell the disc falls to; a pass marks nothing).
 */
export function moveMarks(state: State, action: number): Map<string, string> {
  const marks = new Map<string, string>();
  const after = state.clone();
  try {
    after.applyAction(action);
  } catch {
    return marks;
  }
  const a = state.toString().split('\n');
  const b = after.toString().split('\n');
  a.forEach((line, r) => {
    const other = b[r];
    if (other === undefined || other.length !== line.length) return;
    for (let c = 0; c < line.length; c++) if (line[c] === '.' && other[c] !== '.' && other[c] !== ' ') marks.set(`${r}:${c}`, other[c]!);
  });
  return marks;
}

/** The board, with the selected move's stone drawn where it would land (highlighted). */
function BoardView({ state, selected }: { state: State; selected: number | null }): React.JSX.Element {
  const text = state.toString();
  const marks = selected !== null ? moveMarks(state, selected) : new Map<string, string>();
  if (marks.size === 0) return <Text>{text}</Text>;
  return (
    <Box flexDirection="column">
      {text.split('\n').map((line, r) => {
        const parts: React.JSX.Element[] = [];
        let from = 0;
        for (let c = 0; c < line.length; c++) {
          const m = marks.get(`${r}:${c}`);
          if (m === undefined) continue;
          parts.push(<Text key={`t${c}`}>{line.slice(from, c)}</Text>);
          parts.push(<Text key={`m${c}`} inverse color="cyan">{m}</Text>);
          from = c + 1;
        }
        parts.push(<Text key="end">{line.slice(from)}</Text>);
        return <Text key={r}>{parts}</Text>;
      })}
    </Box>
  );
}

export function PlayScreen({ initial, agent, human, onFinish, scoreText }: PlayProps): React.JSX.Element {
  const { exit } = useApp();
  const stateRef = useRef<State>(initial.clone());
  const [, setVersion] = useState(0);
  // The typed text lives in a ref, written at once, and a render follows: keys typed faster than a
  // render (or a paste that arrives key by key) must not be read from a stale closure when Enter comes.
  const inputRef = useRef('');
  const [message, setMessage] = useState('');
  const [thinking, setThinking] = useState<Analysis | null>(null);
  const [hint, setHint] = useState('');
  // The arrow-key selection, in a ref like the typed text: arrows then Enter arriving before a render
  // must play the move the arrows picked, not the one of the last render.
  const cursorRef = useRef(0);
  const [lastMove, setLastMove] = useState('');
  const [resignedBy, setResignedBy] = useState<PlayerId | null>(null);
  const [finished, setFinished] = useState<string | null>(null);
  const busy = useRef(false);
  const refresh = (): void => setVersion((v) => v + 1);
  const setInput = (t: string): void => {
    inputRef.current = t;
    refresh();
  };
  const state = stateRef.current;
  const over = state.isTerminal() || resignedBy !== null;
  const toMove = state.currentPlayer();

  const finish = (resigned: PlayerId | null): void => {
    const result = describeResult(stateRef.current, human, resigned);
    const score = scoreText?.(stateRef.current);
    const saved = onFinish?.(stateRef.current, result);
    setFinished(`${result}${score ? ` Final score ${score}.` : ''}${saved ? ` Game saved to ${saved}.` : ''}`);
  };

  // The agent moves whenever it is its turn.
  useEffect(() => {
    if (over || toMove === human || busy.current) return;
    busy.current = true;
    setHint('');
    void agent
      .chooseMove(stateRef.current.clone(), { onAnalysis: (a) => setThinking(a) })
      .then((res) => {
        const s = stateRef.current;
        setThinking(null);
        if (res.resign) {
          setResignedBy((1 - human) as PlayerId);
          finish((1 - human) as PlayerId);
        } else {
          const chance = res.analysis ? ` (win chance ${(50 + 50 * res.analysis.rootValue).toFixed(0)}%)` : '';
          setLastMove(`agent played ${s.actionToString(res.action)}${chance}`);
          s.applyAction(res.action);
          agent.observe?.(res.action);
          if (s.isTerminal()) finish(null);
        }
        busy.current = false;
        refresh();
      })
      .catch((e: unknown) => {
        busy.current = false;
        setMessage(`agent failed: ${(e as Error).message}`);
      });
  });

  const playHuman = (a: number): void => {
    const s = stateRef.current;
    const name = s.actionToString(a);
    s.applyAction(a);
    agent.observe?.(a);
    setLastMove(`you played ${name}`);
    setMessage('');
    setInput('');
    setHint('');
    if (s.isTerminal()) finish(null);
    refresh();
  };

  const showHint = (): void => {
    if (busy.current || over) return;
    busy.current = true;
    setMessage('thinking about a hint...');
    void agent.chooseMove(stateRef.current.clone(), { onAnalysis: (a) => setThinking(a) }).then((res) => {
      setThinking(null);
      setHint(res.analysis ? `hint: ${candidatesText(stateRef.current, res.analysis)}` : `hint: ${stateRef.current.actionToString(res.action)}`);
      setMessage('');
      // The hint's search is not the game's: the agent's next search starts afresh.
      agent.reset?.();
      busy.current = false;
    });
  };

  const submit = (text: string): void => {
    const s = stateRef.current;
    const word = text.trim().toLowerCase();
    if (word === 'quit' || word === 'exit') {
      if (!finished) onFinish?.(s, 'unfinished');
      exit();
      return;
    }
    if (over) {
      setMessage('the game is over: type quit (or press Esc) to leave');
      return;
    }
    if (busy.current) {
      setMessage('wait: the agent is thinking');
      return;
    }
    if (word === '') {
      const selected = selectedMove(s, cursorRef.current);
      if (selected !== null) playHuman(selected);
      return;
    }
    if (word === 'hint') return showHint();
    if (word === 'undo') {
      const hist = s.history();
      // Take back the agent's reply and your move, so it is your turn again.
      let n = 0;
      while (n < hist.length && (n === 0 || s.currentPlayer() !== human)) {
        s.undo();
        n++;
      }
      if (n === 0) setMessage('nothing to undo');
      else setMessage(`took back ${n} move${n > 1 ? 's' : ''}`);
      agent.reset?.();
      setInput('');
      setLastMove('');
      refresh();
      return;
    }
    if (word === 'resign') {
      setResignedBy(human);
      setInput('');
      finish(human);
      return;
    }
    let a: number;
    try {
      a = s.stringToAction(text.trim());
    } catch (e) {
      setMessage(`cannot read '${text.trim()}': ${(e as Error).message}`);
      return;
    }
    const legalNow = s.isTerminal() ? [] : s.legalActions();
    if (!legalNow.includes(a)) {
      setMessage(`${text.trim()} is not legal here; legal: ${legalNow.slice(0, 12).map((x) => s.actionToString(x)).join(' ')}${legalNow.length > 12 ? ' ...' : ''}`);
      return;
    }
    playHuman(a);
  };

  useInput((ch, key) => {
    if (key.escape || (key.ctrl && ch === 'c')) {
      if (!finished) onFinish?.(stateRef.current, 'unfinished');
      exit();
      return;
    }
    const typed = inputRef.current;
    if (key.return) return submit(typed);
    if (key.backspace || key.delete) return setInput(typed.slice(0, -1));
    if (key.leftArrow || key.upArrow) {
      cursorRef.current--;
      return refresh();
    }
    if (key.rightArrow || key.downArrow) {
      cursorRef.current++;
      return refresh();
    }
    if (ch === '?' && typed === '') return showHint();
    if (!ch || key.ctrl || key.meta) return;
    // A pasted or fast-typed chunk can carry the Enter with it ("b2\r").
    const printable = ch.replace(/[^\x20-\x7e]/g, '');
    if (/[\r\n]/.test(ch)) return submit((typed + printable).slice(0, 32));
    if (printable) setInput((typed + printable).slice(0, 32));
  });

  const selected = !over && toMove === human ? selectedMove(state, cursorRef.current) : null;
  const cursorMove = selected !== null ? state.actionToString(selected) : '';
  return (
    <Box flexDirection="column">
      <Text bold>
        tengen play: {state.game.name} <Text dimColor>you are {human === 0 ? 'first (X / Black)' : 'second (O / White)'}, against {agent.name}</Text>
      </Text>
      <BoardView state={state} selected={selected} />
      {lastMove ? <Text color="yellow">{lastMove}</Text> : null}
      {thinking ? (
        <Text color="cyan">
          agent thinking: {thinking.totalVisits} visits{thinking.candidates[0] ? `, best ${state.actionToString(thinking.candidates[0].action)}` : ''}, win chance {(50 + 50 * thinking.rootValue).toFixed(0)}%
        </Text>
      ) : null}
      {hint ? <Text color="green">{hint}</Text> : null}
      {finished ? (
        <Text bold color="green">
          {finished}
        </Text>
      ) : over ? null : toMove === human ? (
        <Text>
          your move{cursorMove ? <Text dimColor> (arrows pick {cursorMove}, Enter plays it)</Text> : null}: <Text color="cyan">{inputRef.current}</Text>
          <Text inverse> </Text>
        </Text>
      ) : null}
      {message ? <Text color="red">{message}</Text> : null}
      <Text dimColor>type a move and Enter | words: undo pass resign hint quit | ? hint | Esc quit</Text>
    </Box>
  );
}
