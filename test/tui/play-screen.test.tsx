/**
 * The play screen driven by scripted keys (ink-testing-library): typed moves, illegal and
 * unreadable input refused in place, cursor keys and Enter, the hint, undo, Go's pass and resign,
 * the agent's turn and the result line.
 */
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { makeGame } from '../../src/env/games/index.ts';
import '../../src/env/games/go/index.ts';
import type { State } from '../../src/env/games/game.ts';
import { PlayScreen } from '../../tui/play.tsx';
import { searchPlayer } from '../../src/players/search.ts';
import type { Player } from '../../src/players/player.ts';

const mctsAgent = (initial: State, o: { visits: number; name: string }): Player => searchPlayer(initial.game, { budget: { visits: o.visits }, name: o.name })(1);

const tick = (ms = 80): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(frame: () => string | undefined, pred: (f: string) => boolean, ms = 10_000): Promise<string> {
  const t0 = Date.now();
  while (!pred(frame() ?? '') && Date.now() - t0 < ms) await tick(30);
  return frame() ?? '';
}
const type = async (stdin: { write(s: string): void }, text: string): Promise<void> => {
  for (const ch of text) {
    stdin.write(ch);
    await tick(15);
  }
};

describe('play screen', () => {
  it('reads keys typed faster than the screen renders (each key its own write, no pause)', async () => {
    const game = makeGame('tictactoe');
    const initial = game.newInitialState();
    const agent = mctsAgent(initial, { visits: 50, name: 'MCTS 50 visits' });
    const ui = render(<PlayScreen initial={initial} agent={agent} human={0} onFinish={() => '/tmp/game.txt'} />);
    await tick();
    for (const ch of 'z9\r') ui.stdin.write(ch);
    expect(await until(ui.lastFrame, (f) => f.includes("cannot read 'z9'"))).toContain("cannot read 'z9'");
    for (const ch of '\u007f\u007fb2\r') ui.stdin.write(ch);
    expect(await until(ui.lastFrame, (f) => f.includes('agent played'))).toContain('agent played');
    ui.unmount();
  });

  it('tic-tac-toe: refuses bad input in place, plays typed moves and Enter on the cursor, hints, undoes, and ends with the result', async () => {
    const game = makeGame('tictactoe');
    const initial = game.newInitialState();
    const saved: string[] = [];
    const agent = mctsAgent(initial, { visits: 200, name: 'MCTS 200 visits' });
    const ui = render(<PlayScreen initial={initial} agent={agent} human={0} onFinish={(s: State, r: string) => (saved.push(`${r} ${s.history().length}`), '/tmp/game.txt')} />);
    await tick();
    expect(ui.lastFrame()).toContain('tengen play: tictactoe');
    expect(ui.lastFrame()).toContain('against MCTS 200 visits');
    // Unreadable and illegal entries get a one-line reason; nothing is played.
    await type(ui.stdin, 'z9\r');
    expect(await until(ui.lastFrame, (f) => f.includes("cannot read 'z9'"))).toContain("cannot read 'z9'");
    // The refused text stays for editing; backspace clears it.
    await type(ui.stdin, '\u007f\u007f');
    expect(ui.lastFrame()).not.toMatch(/your move.*z9/);
    await type(ui.stdin, 'b2\r');
    await until(ui.lastFrame, (f) => f.includes('agent played'));
    await type(ui.stdin, 'b2\r');
    expect(await until(ui.lastFrame, (f) => f.includes('is not legal here'))).toContain('b2 is not legal here');
    await type(ui.stdin, '\u007f\u007f');
    // The hint shows the search's top moves with their win chances.
    ui.stdin.write('?');
    expect(await until(ui.lastFrame, (f) => f.includes('hint:'))).toMatch(/hint: [a-c][1-3] \d+% \(\d+% win\)/);
    // Undo takes back the agent's reply and your move.
    await type(ui.stdin, 'undo\r');
    expect(await until(ui.lastFrame, (f) => f.includes('took back'))).toContain('took back 2 moves');
    // Arrow keys move the highlighted legal move; Enter alone plays it, to the end of the game.
    ui.stdin.write('\u001B[C');
    await tick();
    expect(ui.lastFrame()).toMatch(/arrows pick [a-c][1-3], Enter plays it/);
    for (let i = 0; i < 6 && !/You win|The agent wins|Draw/.test(ui.lastFrame() ?? ''); i++) {
      await until(ui.lastFrame, (f) => f.includes('your move') || /You win|The agent wins|Draw/.test(f));
      if (/You win|The agent wins|Draw/.test(ui.lastFrame() ?? '')) break;
      ui.stdin.write('\r');
      await until(ui.lastFrame, (f) => !f.includes('your move') || /You win|The agent wins|Draw/.test(f), 2000);
    }
    const end = await until(ui.lastFrame, (f) => /You win|The agent wins|Draw/.test(f));
    expect(end).toMatch(/(The agent wins\.|Draw\.) Game saved to \/tmp\/game\.txt\./); // 200-visit MCTS does not lose tic-tac-toe
    expect(saved).toHaveLength(1);
    // After the end, moves are refused.
    await type(ui.stdin, 'a1\r');
    expect(await until(ui.lastFrame, (f) => f.includes('the game is over'))).toContain('the game is over');
    ui.unmount();
  }, 60_000);

  it('Go: pass and resign are words, the result names who resigned', async () => {
    const game = makeGame('go', { size: 5 });
    const initial = game.newInitialState();
    // An agent that keeps thinking, so the screen still shows the human's pass when we look.
    const pondering: Player = { name: 'a slow agent', chooseMove: () => new Promise(() => {}) };
    const first = render(<PlayScreen initial={initial} agent={pondering} human={0} />);
    await tick();
    await type(first.stdin, 'pass\r');
    expect(await until(first.lastFrame, (f) => f.includes('you played pass'))).toContain('you played pass');
    first.unmount();
    const results: string[] = [];
    const second = render(<PlayScreen initial={initial} agent={mctsAgent(initial, { visits: 50, name: 'MCTS 50 visits' })} human={0} onFinish={(_s: State, r: string) => (results.push(r), undefined)} />);
    await tick();
    await type(second.stdin, 'resign\r');
    expect(await until(second.lastFrame, (f) => f.includes('You resigned'))).toContain('You resigned: the agent wins.');
    expect(results).toEqual(['You resigned: the agent wins.']);
    second.unmount();
  }, 60_000);

  it('Connect Four: arrows typed fast then Enter play the column the arrows reached, and the selection is drawn on the board', async () => {
    const game = makeGame('connect4');
    const initial = game.newInitialState();
    const pondering: Player = { name: 'a slow agent', chooseMove: () => new Promise(() => {}) };
    // eslint-disable-next-line no-control-regex
    const plain = (f: string | undefined): string => (f ?? '').replace(/\u001B\[[0-9;]*m/g, '');
    const ui = render(<PlayScreen initial={initial} agent={pondering} human={0} />);
    await tick();
    ui.stdin.write('\u001B[C'); // right: column 2
    const selected = await until(() => plain(ui.lastFrame()), (f) => f.includes('arrows pick 2'));
    // The disc the selection would drop is drawn in its cell, bottom row, column 2.
    expect(selected).toContain('| . X . . . . . |');
    // Two more rights and Enter, without waiting for a render in between: column 4 is played.
    ui.stdin.write('\u001B[C');
    ui.stdin.write('\u001B[C');
    ui.stdin.write('\r');
    expect(await until(() => plain(ui.lastFrame()), (f) => f.includes('you played'))).toContain('you played 4');
    ui.unmount();
  });
});
