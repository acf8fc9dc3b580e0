/**
 * End to end: `tengen play --game tictactoe` in a real terminal (tmux), a full game played with
 * keys, then the result line and the saved game are checked.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** tmux is installed and can keep a server and a detached session alive here. */
function tmuxWorks(): boolean {
  if (spawnSync('tmux', ['-V']).status !== 0) {
    console.warn('tmux is not installed: skipping the terminal end-to-end test of tengen play');
    return false;
  }
  const probe = `tengen-probe-${process.pid}`;
  const started = spawnSync('tmux', ['new-session', '-d', '-s', probe, '-x', '80', '-y', '24', 'sleep 5']).status === 0;
  const alive = started && spawnSync('tmux', ['capture-pane', '-p', '-t', probe]).status === 0;
  spawnSync('tmux', ['kill-session', '-t', probe]);
  if (!alive) console.warn('tmux cannot keep a detached session alive here: skipping the terminal end-to-end test of tengen play');
  return alive;
}
const hasTmux = tmuxWorks();

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!hasTmux)('tengen play in a terminal', () => {
  it('plays a whole tic-tac-toe game with the keyboard and prints the result', async () => {
    const session = `tengen-play-${process.pid}`;
    const saveDir = mkdtempSync(join(tmpdir(), 'tengen-play-'));
    const tsx = join(root, 'node_modules', '.bin', 'tsx');
    // The tmux session inherits this environment, CI=true included on a CI runner: the screen must
    // still be drawn (tui/load-ink.ts), since a terminal is what the user looks at.
    const cmd = `cd ${root} && ${tsx} src/cli.ts play --game tictactoe --visits 200 --save-dir ${saveDir} 2>${join(saveDir, 'stderr.txt')}; sleep 30`;
    const tmux = (...args: string[]): string => execFileSync('tmux', args, { encoding: 'utf8' });
    tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', cmd);
    try {
      const screen = (): string => {
        try {
          return tmux('capture-pane', '-p', '-t', session);
        } catch (e) {
          let err = '';
          try {
            err = readFileSync(join(saveDir, 'stderr.txt'), 'utf8');
          } catch {
            // no stderr file yet
          }
          throw new Error(`the tmux session ended early: ${(e as Error).message}\ntengen play stderr:\n${err}`);
        }
      };
      const deadline = Date.now() + 60_000;
      while (!screen().includes('your move') && Date.now() < deadline) await sleep(200);
      expect(screen()).toContain('tengen play: tictactoe');
      // An illegal entry is refused in place.
      tmux('send-keys', '-t', session, 'z9', 'Enter');
      await sleep(500);
      expect(screen()).toMatch(/cannot read 'z9'/);
      // Then Enter with no text plays the highlighted legal move, until the game ends.
      let result = '';
      while (Date.now() < deadline) {
        const s = screen();
        const m = /(You win!|The agent wins\.|Draw\.)/.exec(s);
        if (m) {
          result = m[1]!;
          break;
        }
        if (/your move/.test(s)) {
          tmux('send-keys', '-t', session, 'BSpace', 'BSpace', 'BSpace', 'Enter');
        }
        await sleep(400);
      }
      expect(result).not.toBe('');
      expect(screen()).toContain('Game saved to');
      const files = readdirSync(saveDir).filter((f) => f !== 'stderr.txt');
      expect(files).toHaveLength(1);
      const record = readFileSync(join(saveDir, files[0]!), 'utf8');
      expect(record).toMatch(/# result: /);
      const moves = record.trim().split('\n').pop()!.split(' ');
      expect(moves.length).toBeGreaterThanOrEqual(5);
    } finally {
      spawnSync('tmux', ['kill-session', '-t', session]);
    }
  }, 90_000);
});
