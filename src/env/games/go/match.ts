/**
 * Match runner: N games between two GTP engines given as shell command lines, alternating colours.
 * Every game is written as SGF (atomically). At the end of each game both engines' final_score is
 * compared with each other and with our own Tromp-Taylor score; disagreements are reported.
 * Summary: wins/draws per engine, win rate with a 95% Wilson interval, Elo difference with interval.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../../util/errors.ts';
import { writeFileAtomic } from '../../../util/fs.ts';
import { describeMatch, matchEstimate } from '../../../util/elo.ts';
import type { PlayerId } from '../game.ts';
import { GoGame, GoState, parseVertex } from './rules.ts';
import { writeSgf } from './sgf.ts';

/** A GTP engine running as a child process. */
export class GtpClient {
  private proc: ChildProcessWithoutNullStreams;
  private buf = '';
  private waiting: { resolve: (s: string) => void; reject: (e: Error) => void; cmd: string } | null = null;
  private dead: string | null = null;
  private stderrTail = '';

  constructor(readonly label: string, readonly command: string) {
    this.proc = spawn('sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (d: string) => this.onData(d));
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (d: string) => (this.stderrTail = (this.stderrTail + d).slice(-500)));
    this.proc.stdin.on('error', () => undefined);
    this.proc.on('error', (e) => this.die(`could not start: ${e.message}`));
    this.proc.on('exit', (code, sig) => this.die(`exited (${sig ?? `code ${code}`})${this.stderrTail ? `; stderr: ${this.stderrTail.trim().split('\n').slice(-2).join(' | ')}` : ''}`));
  }

  private die(why: string): void {
    if (this.dead) return;
    this.dead = why;
    this.waiting?.reject(new UserError(`engine ${this.label} ('${this.command}') ${why} while answering '${this.waiting.cmd}'`));
    this.waiting = null;
  }

  private onData(d: string): void {
    this.buf += d.replace(/\r/g, '');
    const end = this.buf.indexOf('\n\n');
    if (end < 0 || !this.waiting) return;
    const reply = this.buf.slice(0, end);
    this.buf = this.buf.slice(end + 2);
    const w = this.waiting;
    this.waiting = null;
    const body = reply.replace(/^[=?]\d*\s?/, '');
    if (reply.startsWith('=')) w.resolve(body.trim());
    else w.reject(new UserError(`engine ${this.label} refused '${w.cmd}': ? ${body.trim()}`));
  }

  /** Send one command; resolves with the reply text, rejects on '?' or a dead engine. */
  send(cmd: string): Promise<string> {
    if (this.dead) return Promise.reject(new UserError(`engine ${this.label} ('${this.command}') ${this.dead}`));
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject, cmd };
      this.proc.stdin.write(cmd + '\n');
    });
  }

  async close(): Promise<void> {
    if (this.dead) return;
    try {
      await Promise.race([this.send('quit'), new Promise((r) => setTimeout(r, 2000))]);
    } catch {
      // already gone
    }
    if (!this.dead) this.proc.kill();
  }
}

/** The GNU Go binary: /usr/games/gnugo (Debian's place) where it exists, else `gnugo` on PATH. */
export function gnugoPath(): string {
  return existsSync('/usr/games/gnugo') ? '/usr/games/gnugo' : 'gnugo';
}

/** Quote a word for `sh -c` (engine command lines are run through the shell). */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface MatchOptions {
  black: string;
  white: string;
  games: number;
  size: number;
  komi: number;
  /** Seconds per move sent as time_settings 0 S 1 (byo-yomi of one stone). */
  timeS?: number;
  sgfDir: string;
  maxMoves?: number;
  /**
   * Whose count decides a game that ends by passes or at the move limit: our Tromp-Taylor count
   * (the default) or engine 0's / 1's `final_score`. Tromp-Taylor counts every stone on the board
   * as alive, so when an engine such as GNU Go passes with dead stones of its opponent still in
   * its area the Tromp-Taylor winner can be the loser; GNU Go's final_score removes them first.
   */
  referee?: 0 | 1;
  log?: (line: string) => void;
  /** Index of the first game (colours alternate by index; SGF names use it). Default 0. */
  firstGame?: number;
}

export interface GameRecord {
  index: number;
  /** Which engine (0 = --black's, 1 = --white's) played Black. */
  blackEngine: 0 | 1;
  result: string;
  /** What decided `result`: resignation or forfeit, our Tromp-Taylor count, or an engine's final_score. */
  scoredBy: 'resign' | 'forfeit' | 'tromp-taylor' | 'A' | 'B';
  /** Winner engine index, or -1 for a draw. */
  winner: 0 | 1 | -1;
  moves: number;
  ourScore: string;
  engineScores: [string, string];
  disagreements: string[];
  sgfPath: string;
  /** Per engine: genmoves answered, and the total and longest time they took (ms, as seen by the referee). */
  genmoves: [number, number];
  thinkMs: [number, number];
  maxThinkMs: [number, number];
}

export interface MatchSummary {
  games: GameRecord[];
  wins: [number, number];
  draws: number;
  winRate: number;
  /** A's score's 95% interval. */
  wilson: [number, number];
  /** A's Elo difference (clipped at 0% and 100%: see util/elo.ts) and its 95% interval (+-Infinity at the ends). */
  elo: number;
  eloInterval: [number, number];
}

/** Normalise a score string for comparison ('B+3.5', 'W+R', '0'); '' if unreadable. */
export function normScore(s: string): string {
  const t = s.trim().toUpperCase();
  if (t === '0' || t === 'DRAW' || t === 'JIGO') return '0';
  const m = /^([BW])\+(R|RESIGN|T|TIME|F|FORFEIT|\d+(?:\.\d+)?)$/.exec(t);
  if (!m) return '';
  const v = /^\d/.test(m[2]!) ? String(Number(m[2])) : m[2]!.slice(0, 1);
  return `${m[1]}+${v}`;
}

/** Set up a new game on an engine: board size, an empty board, komi. */
export async function gtpNewGame(e: GtpClient, size: number, komi: number): Promise<void> {
  await e.send(`boardsize ${size}`);
  await e.send('clear_board');
  await e.send(`komi ${komi}`);
}

/** An engine's answer to genmove for the colour to move in `state`: a legal action, a resignation, or why neither. */
export type GenmoveAnswer = { kind: 'move'; action: number } | { kind: 'resign' } | { kind: 'invalid'; why: string };

export async function gtpGenmove(e: GtpClient, state: GoState): Promise<GenmoveAnswer> {
  const n = state.game.n;
  const reply = (await e.send(`genmove ${state.nextColor() === 0 ? 'black' : 'white'}`)).trim().toLowerCase();
  if (reply === 'resign') return { kind: 'resign' };
  let a: number;
  try {
    a = parseVertex(n, reply);
  } catch {
    return { kind: 'invalid', why: `answered genmove with '${reply}', not a vertex of the ${n}x${n} board` };
  }
  if (!state.isLegal(a)) return { kind: 'invalid', why: `played ${reply}, which is ${state.whyIllegal(a)}` };
  return { kind: 'move', action: a };
}

async function playGame(engines: [GtpClient, GtpClient], index: number, o: MatchOptions): Promise<GameRecord> {
  const blackEngine: 0 | 1 = index % 2 === 0 ? 0 : 1;
  const byColor: [GtpClient, GtpClient] = blackEngine === 0 ? [engines[0], engines[1]] : [engines[1], engines[0]];
  for (const e of engines) {
    await gtpNewGame(e, o.size, o.komi);
    if (o.timeS !== undefined) await e.send(`time_settings 0 ${Math.max(1, Math.round(o.timeS))} 1`);
  }
  const state: GoState = new GoGame({ size: o.size, komi: o.komi, maxMoves: 100_000 }).newInitialState();
  const maxMoves = o.maxMoves ?? o.size * o.size * 3;
  let result = '';
  let forfeit: PlayerId | -1 = -1;
  const disagreements: string[] = [];
  const genmoves: [number, number] = [0, 0];
  const thinkMs: [number, number] = [0, 0];
  const maxThinkMs: [number, number] = [0, 0];
  while (!state.isTerminal() && state.history().length < maxMoves) {
    const color = state.nextColor();
    const name = color === 0 ? 'black' : 'white';
    const t0 = performance.now();
    const answer = await gtpGenmove(byColor[color], state);
    const ms = performance.now() - t0;
    const who = byColor[color] === engines[0] ? 0 : 1;
    genmoves[who]++;
    thinkMs[who] += ms;
    maxThinkMs[who] = Math.max(maxThinkMs[who], ms);
    if (answer.kind === 'resign') {
      state.resign(color);
      break;
    }
    if (answer.kind === 'invalid') {
      forfeit = color;
      disagreements.push(`engine ${byColor[color].label} ${answer.why} (Tromp-Taylor, positional superko)`);
      break;
    }
    const a = answer.action;
    state.applyAction(a);
    await byColor[1 - color]!.send(`play ${name} ${state.actionToString(a)}`);
  }
  const ourScore = state.resignedPlayer() === -1 ? normScore(formatTT(state)) : state.result();
  let scoredBy: GameRecord['scoredBy'] = 'tromp-taylor';
  if (forfeit !== -1) {
    result = forfeit === 0 ? 'W+F' : 'B+F';
    scoredBy = 'forfeit';
  } else if (state.resignedPlayer() !== -1) {
    result = state.result();
    scoredBy = 'resign';
  } else result = ourScore;
  const engineScores: [string, string] = ['', ''];
  if (state.resignedPlayer() === -1 && forfeit === -1) {
    for (let i = 0; i < 2; i++) {
      try {
        engineScores[i] = normScore(await engines[i]!.send('final_score'));
      } catch (e) {
        engineScores[i] = `(error: ${(e as Error).message})`;
      }
    }
    if (engineScores[0] !== engineScores[1]) disagreements.push(`final_score differs: ${engines[0].label} says ${engineScores[0]}, ${engines[1].label} says ${engineScores[1]}`);
    for (let i = 0; i < 2; i++) {
      if (engineScores[i] !== ourScore) disagreements.push(`${engines[i]!.label} final_score ${engineScores[i]} differs from our Tromp-Taylor score ${ourScore}${state.isTerminal() ? '' : ' (game stopped at the move limit)'}`);
    }
    if (o.referee !== undefined) {
      const r = normScore(engineScores[o.referee]);
      if (r !== '' && !/\+[RF]$/.test(r)) {
        result = r;
        scoredBy = o.referee === 0 ? 'A' : 'B';
      } else disagreements.push(`referee ${engines[o.referee].label} gave no readable final_score ('${engineScores[o.referee]}'); the game is scored by Tromp-Taylor`);
    }
  }
  const winnerColor = result.startsWith('B') ? 0 : result.startsWith('W') ? 1 : -1;
  const winner: 0 | 1 | -1 = winnerColor === -1 ? -1 : winnerColor === 0 ? blackEngine : ((1 - blackEngine) as 0 | 1);
  mkdirSync(o.sgfDir, { recursive: true });
  const sgfPath = join(o.sgfDir, `game-${String(index + 1).padStart(3, '0')}.sgf`);
  writeFileAtomic(sgfPath, writeSgf(state, {
    playerBlack: byColor[0].command, playerWhite: byColor[1].command, result,
    date: new Date().toISOString().slice(0, 10),
  }));
  return { index, blackEngine, result, scoredBy, winner, moves: state.history().length, ourScore, engineScores, disagreements, sgfPath, genmoves, thinkMs, maxThinkMs };
}

function formatTT(s: GoState): string {
  const v = s.score();
  return v === 0 ? '0' : v > 0 ? `B+${v}` : `W+${-v}`;
}

export async function runMatch(o: MatchOptions): Promise<MatchSummary> {
  if (!Number.isInteger(o.games) || o.games < 1) throw new UserError(`--games must be a positive integer, got ${o.games}`);
  const log = o.log ?? ((l: string) => console.log(l));
  const engines: [GtpClient, GtpClient] = [new GtpClient('A', o.black), new GtpClient('B', o.white)];
  const games: GameRecord[] = [];
  try {
    for (const e of engines) {
      const name = await e.send('name');
      const pv = await e.send('protocol_version');
      log(`engine ${e.label}: ${name} (GTP ${pv}) = ${e.command}`);
    }
    const first = o.firstGame ?? 0;
    for (let i = first; i < first + o.games; i++) {
      const g = await playGame(engines, i, o);
      games.push(g);
      const who = g.winner === -1 ? 'draw' : `engine ${g.winner === 0 ? 'A' : 'B'} wins`;
      const by = g.scoredBy === 'A' || g.scoredBy === 'B' ? ` by ${g.scoredBy}'s final_score${g.result !== g.ourScore ? ` (Tromp-Taylor: ${g.ourScore})` : ''}` : '';
      log(`game ${i + 1}/${first + o.games}: A as ${g.blackEngine === 0 ? 'Black' : 'White'}, ${g.result}${by} (${who}), ${g.moves} moves, ${g.sgfPath}`);
      for (const d of g.disagreements) log(`  disagreement: ${d}`);
    }
  } finally {
    await Promise.all(engines.map((e) => e.close()));
  }
  const wins: [number, number] = [games.filter((g) => g.winner === 0).length, games.filter((g) => g.winner === 1).length];
  const draws = games.length - wins[0] - wins[1];
  const score = wins[0] + draws / 2;
  const winRate = score / games.length;
  const e = matchEstimate(wins[0], draws, wins[1]);
  const summary: MatchSummary = { games, wins, draws, winRate, wilson: [e.low, e.high], elo: e.elo, eloInterval: [e.eloLow, e.eloHigh] };
  log(`result: A ${wins[0]} wins, B ${wins[1]} wins, ${draws} draws; for A: ${describeMatch(e)}`);
  return summary;
}
