/**
 * A GTP v2 engine over GoState; the moves come from a Player (src/players), so Go knows no search.
 *
 * Framing: each command may carry a numeric id, echoed in the reply; a reply is '= ' or '? '
 * followed by its text and one blank line. Input is cleaned as the spec says: control characters
 * other than tab/LF dropped, CR ignored, '#' comments removed, tabs as spaces; empty lines are
 * ignored. Every malformed, unknown or illegal command gets '?', and nothing a user types stops the
 * engine except 'quit'. Analysis (lz-analyze / genmove_analyze) prints Leela Zero style
 * "info move D4 visits 120 winrate 5231 prior 100 order 0 pv D4 E5" lines, which Sabaki reads;
 * kata-analyze / kata-genmove_analyze print KataGo's format (win rates as fractions, scoreLead, and
 * with `ownership true` the ownership map), which Lizzie, KaTrain and Sabaki read. final_status_list
 * and final_score remove dead stones where the player estimates ownership (scoring.ts), else
 * count Tromp-Taylor.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { UserError } from '../../../util/errors.ts';
import type { PlayerId } from '../game.ts';
import type { Analysis, MoveRequest, Player } from '../../../players/player.ts';
import { GoGame, GoState, fixedHandicap, maxHandicap, parseVertex } from './rules.ts';
import type { GoParams } from './rules.ts';
import { loadSgf, writeSgf } from './sgf.ts';
import { STATUS_ALIVE, STATUS_DEAD, STATUS_SEKI, settledScore, stoneStatus } from './scoring.ts';

export interface GtpOptions {
  size?: number;
  komi?: number;
  visits?: number;
  timeMs?: number;
  /** Picks the moves, for any board size the controller sets (see perVariantPlayer). */
  player: Player;
  name?: string;
  version?: string;
}

const COMMANDS = [
  'protocol_version', 'name', 'version', 'known_command', 'list_commands', 'quit', 'boardsize', 'clear_board', 'komi',
  'play', 'genmove', 'undo', 'showboard', 'final_score', 'fixed_handicap', 'set_free_handicap', 'loadsgf', 'printsgf',
  'time_settings', 'time_left', 'lz-analyze', 'genmove_analyze', 'lz-genmove_analyze', 'reg_genmove',
  'kata-analyze', 'kata-genmove_analyze', 'final_status_list',
];

const STREAMED = ['lz-analyze', 'genmove_analyze', 'lz-genmove_analyze', 'kata-analyze', 'kata-genmove_analyze'];

class GtpFailure extends Error {}

/**
 * A raw input line as GTP reads it: control characters other than HT and LF removed (CR among
 * them), HT turned into a space, a '#' comment cut off, surrounding spaces trimmed.
 */
export function cleanGtpLine(raw: string): string {
  // eslint-disable-next-line no-control-regex
  let line = raw.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '').replace(/\t/g, ' ');
  const hash = line.indexOf('#');
  if (hash >= 0) line = line.slice(0, hash);
  return line.trim();
}

export class GtpEngine {
  state: GoState;
  private params: Partial<GoParams>;
  private readonly player: Player;
  private visits?: number;
  private timeMs?: number;
  readonly name: string;
  readonly version: string;
  quit = false;
  private timeLeft: [number, number] = [Infinity, Infinity];
  private mainTime = 0;
  private byoTime = 0;
  private byoStones = 0;
  private statusCache: { key: string; status: Uint8Array } | null = null;

  constructor(o: GtpOptions) {
    this.params = { size: o.size ?? 19, komi: o.komi ?? 7.5, maxMoves: 100_000 };
    this.state = new GoGame(this.params).newInitialState();
    this.player = o.player;
    this.visits = o.visits;
    this.timeMs = o.timeMs;
    this.name = o.name ?? 'tengen';
    this.version = o.version ?? '0.1.0';
  }

  /**
   * Live analysis, as Leela Zero does it for Sabaki and Lizzie: `lz-analyze [color] [interval]`
   * answers `=` at once, then writes an `info ...` line every interval (centiseconds) until
   * `stop()` turns true (the next command arrived), then the blank line that ends the reply.
   * `genmove_analyze` / `lz-genmove_analyze [color] [interval]` stream the same way, then `play <move>`.
   * Returns false, writing nothing, for any other line (answer those with handle()).
   */
  async stream(raw: string, write: (t: string) => void, stop: () => boolean): Promise<boolean> {
    const parts = cleanGtpLine(raw).split(/ +/);
    let id = '';
    if (/^\d+$/.test(parts[0] ?? '')) id = parts.shift()!;
    const cmd = (parts.shift() ?? '').toLowerCase();
    if (!STREAMED.includes(cmd)) return false;
    const kata = cmd.startsWith('kata-');
    const analyseOnly = cmd === 'lz-analyze' || cmd === 'kata-analyze';
    let color: PlayerId | undefined;
    let intervalCs = 100;
    let ownership = false;
    try {
      for (let i = 0; i < parts.length; i++) {
        const a = parts[i]!;
        const key = a.toLowerCase();
        if (/^(b|w|black|white)$/i.test(a)) color = this.color(a);
        else if (/^\d+$/.test(a)) intervalCs = Number(a);
        else if (key === 'interval') continue;
        else if (kata && key === 'ownership') {
          const v = (parts[++i] ?? '').toLowerCase();
          if (v !== 'true' && v !== 'false') throw new GtpFailure(`ownership must be true or false, got '${parts[i] ?? ''}'`);
          ownership = v === 'true';
        } else throw new GtpFailure(`unexpected argument '${a}' (expected [color] [interval in centiseconds]${kata ? ' [ownership true|false]' : ''})`);
      }
      if (!analyseOnly && color === undefined) throw new GtpFailure(`syntax error: expected ${cmd} <color> [interval]`);
      const s = this.state.clone();
      if (s.isTerminal()) throw new GtpFailure('the game is over');
      if (color !== undefined && s.nextColor() !== color && analyseOnly) s.applyAction(s.game.pass);
      if (s.isTerminal()) throw new GtpFailure('the game is over');
      write(`=${id}\n`);
      const intervalMs = Math.max(10, intervalCs * 10);
      const line = (a: Analysis): string => (kata ? this.kataInfoLine(a, ownership) : this.infoLine(a));
      const onAnalysis = (a: Analysis): void => {
        if (a.candidates.length) write(line(a) + '\n');
      };
      if (analyseOnly) {
        // Ponder until the next command: searches of a minute at a time, the tree kept between them.
        while (!stop() && !s.isTerminal()) {
          await this.player.chooseMove(s, { budget: { timeMs: 60_000 }, analysisIntervalMs: intervalMs, onAnalysis, shouldStop: stop });
        }
        write('\n');
        return true;
      }
      const mv = await this.genmoveCore(color!, { analysisIntervalMs: intervalMs, onAnalysis });
      write(`play ${mv}\n\n`);
    } catch (e) {
      const msg = e instanceof GtpFailure || e instanceof UserError ? e.message : `internal error: ${e instanceof Error ? e.message : String(e)}`;
      write(`?${id} ${msg}\n\n`);
    }
    return true;
  }

  /**
   * Search for `color` and play the move (the state is changed only when a move, not a
   * resignation, comes back); returns the move's name or 'resign'. Both genmove and the streaming
   * genmove_analyze run through here.
   */
  private async genmoveCore(color: PlayerId, req: Pick<MoveRequest, 'onAnalysis' | 'analysisIntervalMs'>): Promise<string> {
    const s = this.state.clone();
    if (s.isTerminal() && s.resignedPlayer() === -1) s.resumeAfterPasses();
    if (s.isTerminal()) throw new GtpFailure('the game is over (a player resigned); use clear_board');
    if (s.nextColor() !== color) s.applyAction(s.game.pass);
    if (s.isTerminal()) s.resumeAfterPasses();
    const r = await this.player.chooseMove(s, { budget: this.limits(), analysisIntervalMs: 500, ...req });
    if (r.resign) return 'resign';
    this.state = s;
    this.playFor(color, r.action);
    return this.state.actionToString(r.action);
  }

  /** Handle one input line; returns the full reply (with the blank line) or '' for lines to ignore. */
  async handle(raw: string): Promise<string> {
    const line = cleanGtpLine(raw);
    if (line === '') return '';
    const parts = line.split(/ +/);
    let id = '';
    if (/^\d+$/.test(parts[0]!)) id = parts.shift()!;
    const cmd = (parts.shift() ?? '').toLowerCase();
    try {
      if (cmd === '') throw new GtpFailure('missing command after id');
      const out = await this.run(cmd, parts);
      return `=${id} ${out}\n\n`;
    } catch (e) {
      if (e instanceof GtpFailure || e instanceof UserError) return `?${id} ${e.message}\n\n`;
      return `?${id} internal error: ${e instanceof Error ? e.message : String(e)}\n\n`;
    }
  }

  private color(s: string | undefined): PlayerId {
    const c = (s ?? '').toLowerCase();
    if (c === 'b' || c === 'black') return 0;
    if (c === 'w' || c === 'white') return 1;
    throw new GtpFailure(`invalid color '${s ?? ''}' (expected b, black, w or white)`);
  }

  private int(s: string | undefined, what: string): number {
    if (s === undefined || !/^-?\d+$/.test(s)) throw new GtpFailure(`${what} must be an integer, got '${s ?? ''}'`);
    return Number(s);
  }

  private reset(params: Partial<GoParams>): void {
    const game = new GoGame(params);
    this.params = params;
    this.state = game.newInitialState();
  }

  /** Play `action` for `color`, passing for the other colour if it is not its turn (GTP allows any order). */
  private playFor(color: PlayerId, action: number): void {
    const s = this.state.clone();
    if (s.isTerminal() && s.resignedPlayer() === -1) s.resumeAfterPasses();
    if (s.nextColor() !== color) s.applyAction(s.game.pass);
    if (s.isTerminal()) s.resumeAfterPasses();
    if (!s.isLegal(action)) throw new GtpFailure(`illegal move: ${s.whyIllegal(action)}`);
    s.applyAction(action);
    this.state = s;
  }

  /** This move's budget: the command line's, else from the clock (time_settings), else the player's own default. */
  private limits(): { visits?: number; timeMs?: number } | undefined {
    if (this.visits !== undefined || this.timeMs !== undefined) return { visits: this.visits, timeMs: this.timeMs };
    const left = this.timeLeft[this.state.nextColor()];
    if (Number.isFinite(left)) return { timeMs: Math.max(100, Math.min(left * 1000 / 30, 10_000)) };
    return undefined;
  }

  private infoLine(a: Analysis): string {
    return a.candidates
      .slice(0, 20)
      .map((c, i) => `info move ${this.state.actionToString(c.action)} visits ${c.visits} winrate ${Math.round(((c.q + 1) / 2) * 10000)} prior ${Math.round(c.prior * 10000)} order ${i} pv ${c.pv.map((a) => this.state.actionToString(a)).join(' ')}`)
      .join(' ');
  }

  /** KataGo's kata-analyze line: win rates in [0, 1] and score leads for the player to move. */
  private kataInfoLine(a: Analysis, withOwnership: boolean): string {
    const v = (x: number): string => String(Math.round(x * 1e6) / 1e6);
    const infos = a.candidates.slice(0, 20).map((c, i) => {
      const wr = (c.q + 1) / 2;
      const lead = c.scoreLead ?? a.scoreLead ?? 0;
      return `info move ${this.state.actionToString(c.action)} visits ${c.visits} utility ${v(c.q)} winrate ${v(wr)} scoreMean ${v(lead)} ` +
        `scoreLead ${v(lead)} prior ${v(c.prior)} lcb ${v(wr)} order ${i} pv ${c.pv.map((x) => this.state.actionToString(x)).join(' ')}`;
    });
    let out = infos.join(' ');
    if (withOwnership && a.ownership) out += ' ownership ' + Array.from(a.ownership, (x) => v(x)).join(' ');
    return out;
  }

  /**
   * Status of every point of the position as it stands (dead stones from the player's ownership
   * estimate; every stone alive when the player gives none). Cached per position.
   */
  private async pointStatus(): Promise<Uint8Array> {
    const key = `${this.state.serialize()}`;
    if (this.statusCache?.key === key) return this.statusCache.status;
    const s = this.state.clone();
    if (s.isTerminal() && s.resignedPlayer() === -1) s.resumeAfterPasses();
    let ownership: Float32Array | undefined;
    if (!s.isTerminal()) {
      const r = await this.player.chooseMove(s, { budget: this.limits() });
      const own = r.analysis?.ownership;
      // Analysis ownership is from the player to move's view; scoring wants Black's.
      if (own) ownership = s.nextColor() === 0 ? own : own.map((x) => -x);
    }
    const n = s.game.n;
    let status: Uint8Array;
    if (ownership) status = stoneStatus(s, ownership);
    else {
      status = new Uint8Array(n * n);
      for (let a = 0; a < n * n; a++) if (s.board.color[s.board.fromAction(a)] !== 0) status[a] = STATUS_ALIVE;
    }
    this.statusCache = { key, status };
    return status;
  }

  private async genmove(color: PlayerId, analyze: boolean): Promise<string> {
    let info = '';
    const mv = await this.genmoveCore(color, analyze ? { onAnalysis: (a) => (info = this.infoLine(a)) } : {});
    return analyze ? `\n${info}\nplay ${mv}` : mv;
  }

  private async run(cmd: string, a: string[]): Promise<string> {
    const n = this.state.game.n;
    switch (cmd) {
      case 'protocol_version': return '2';
      case 'name': return this.name;
      case 'version': return this.version;
      case 'known_command': return COMMANDS.includes((a[0] ?? '').toLowerCase()) ? 'true' : 'false';
      case 'list_commands': return COMMANDS.join('\n');
      case 'quit': this.quit = true; return '';
      case 'boardsize': {
        const size = this.int(a[0], 'boardsize');
        if (size < 5 || size > 19) throw new GtpFailure('unacceptable size (this engine plays 5..19)');
        this.reset({ ...this.params, size, handicap: 0 });
        return '';
      }
      case 'clear_board': this.reset({ ...this.params, handicap: 0 }); return '';
      case 'komi': {
        const k = Number(a[0]);
        if (a[0] === undefined || !Number.isFinite(k)) throw new GtpFailure(`komi must be a number, got '${a[0] ?? ''}'`);
        const history = this.state.history();
        const setup = this.state.setupStones();
        this.params = { ...this.params, komi: k };
        const s = new GoGame(this.params).newInitialState();
        s.setup(setup.black, setup.white, setup.toPlay);
        for (const m of history) s.applyAction(m);
        this.state = s;
        return '';
      }
      case 'play': {
        if (a.length < 2) throw new GtpFailure('syntax error: expected play <color> <vertex>');
        const color = this.color(a[0]);
        if ((a[1] ?? '').toLowerCase() === 'resign') {
          this.state.resign(color);
          return '';
        }
        this.playFor(color, parseVertex(n, a[1]!));
        return '';
      }
      case 'genmove':
      case 'reg_genmove':
        return this.genmove(this.color(a[0]), false);
      case 'genmove_analyze':
      case 'lz-genmove_analyze':
        return this.genmove(this.color(a[0]), true);
      case 'lz-analyze': {
        // A one-shot analysis of the position for the player to move (or the colour given).
        const s = this.state.clone();
        if (s.isTerminal()) throw new GtpFailure('the game is over');
        let info = '';
        await this.player.chooseMove(s, { budget: this.limits(), analysisIntervalMs: 500, onAnalysis: (a) => (info = this.infoLine(a)) });
        return `\n${info}`;
      }
      case 'undo': {
        if (this.state.history().length === 0 && this.state.resignedPlayer() === -1) throw new GtpFailure('cannot undo');
        this.state.undo();
        return '';
      }
      case 'showboard': return '\n' + this.state.toString();
      case 'final_score': {
        const s = this.state;
        if (s.resignedPlayer() !== -1) return s.result();
        const sc = settledScore(s, await this.pointStatus());
        return sc === 0 ? '0' : sc > 0 ? `B+${sc}` : `W+${-sc}`;
      }
      case 'final_status_list': {
        const want = (a[0] ?? '').toLowerCase();
        const code = want === 'alive' ? STATUS_ALIVE : want === 'dead' ? STATUS_DEAD : want === 'seki' ? STATUS_SEKI : -1;
        if (code < 0) throw new GtpFailure(`syntax error: expected final_status_list alive|dead|seki, got '${a[0] ?? ''}'`);
        const status = await this.pointStatus();
        const out: string[] = [];
        for (let x = 0; x < n * n; x++) if (status[x] === code) out.push(this.state.actionToString(x));
        return out.join(' ');
      }
      case 'fixed_handicap': {
        const k = this.int(a[0], 'handicap');
        if (this.state.history().length > 0 || this.state.setupStones().black.length > 0) throw new GtpFailure('board not empty');
        if (k < 2 || k > maxHandicap(n)) throw new GtpFailure(`invalid number of stones (2..${maxHandicap(n)} on ${n}x${n})`);
        this.reset({ ...this.params, handicap: k });
        return fixedHandicap(n, k).map((x) => this.state.actionToString(x)).join(' ');
      }
      case 'set_free_handicap': {
        if (this.state.history().length > 0 || this.state.setupStones().black.length > 0) throw new GtpFailure('board not empty');
        if (a.length < 2 || a.length > n * n - 1) throw new GtpFailure('bad vertex list (expected at least 2 vertices)');
        const pts = a.map((v) => parseVertex(n, v));
        if (pts.includes(n * n) || new Set(pts).size !== pts.length) throw new GtpFailure('bad vertex list (pass or repeated vertex)');
        const s = new GoGame({ ...this.params, handicap: 0 }).newInitialState();
        s.setup(pts, [], 1);
        this.state = s;
        return '';
      }
      case 'loadsgf': {
        if (!a[0]) throw new GtpFailure('syntax error: expected loadsgf <file> [move_number]');
        const text = readSgfFile(a[0]);
        const s = loadSgf(text, { superko: this.params.superko, suicide: this.params.suicide, maxMoves: this.params.maxMoves });
        if (a[1] !== undefined) {
          const upTo = this.int(a[1], 'move_number');
          while (s.history().length >= Math.max(upTo, 1) && s.history().length > 0) s.undo();
        }
        this.params = { ...this.params, size: s.game.n, komi: s.komi };
        this.state = s;
        return '';
      }
      case 'printsgf': return '\n' + writeSgf(this.state, { playerBlack: '', playerWhite: '' }).trimEnd();
      case 'time_settings': {
        const [m, b, st] = [this.int(a[0], 'main time'), this.int(a[1], 'byo-yomi time'), this.int(a[2], 'byo-yomi stones')];
        if (m < 0 || b < 0 || st < 0) throw new GtpFailure('time settings must be non-negative');
        this.mainTime = m;
        this.byoTime = b;
        this.byoStones = st;
        this.timeLeft = m > 0 || b > 0 ? [m + b, m + b] : [Infinity, Infinity];
        return '';
      }
      case 'time_left': {
        const color = this.color(a[0]);
        const t = this.int(a[1], 'time');
        const stones = this.int(a[2], 'stones');
        if (t < 0 || stones < 0) throw new GtpFailure('time_left values must be non-negative');
        this.timeLeft[color] = stones > 0 ? t / stones * 20 : t;
        void this.mainTime; void this.byoTime; void this.byoStones;
        return '';
      }
      default:
        throw new GtpFailure('unknown command');
    }
  }
}

/** The largest SGF file loadsgf reads (a game with many variations is a few hundred KB). */
export const MAX_SGF_BYTES = 4 * 1024 * 1024;

/**
 * The text of an SGF file for loadsgf: a regular file (not a device, pipe or directory: /dev/zero
 * would fill memory, /dev/stdin block the engine) of at most MAX_SGF_BYTES.
 */
function readSgfFile(path: string): string {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new GtpFailure(`cannot read ${path}: no such file`);
  }
  if (!st.isFile()) throw new GtpFailure(`cannot read ${path}: not a regular file`);
  if (st.size > MAX_SGF_BYTES) throw new GtpFailure(`cannot read ${path}: ${st.size} bytes, more than the ${MAX_SGF_BYTES} an SGF file may have here`);
  let fd: number | undefined;
  try {
    // O_NONBLOCK: should the path turn into a FIFO between the check and the open, do not wait on it.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) throw new GtpFailure(`cannot read ${path}: not a regular file`);
    const buf = Buffer.alloc(MAX_SGF_BYTES + 1);
    let n = 0;
    for (let got = 1; got > 0 && n < buf.length; n += got) got = readSync(fd, buf, n, buf.length - n, n);
    if (n > MAX_SGF_BYTES) throw new GtpFailure(`cannot read ${path}: more than the ${MAX_SGF_BYTES} bytes an SGF file may have here`);
    return buf.subarray(0, n).toString('utf8');
  } catch (e) {
    if (e instanceof GtpFailure) throw e;
    throw new GtpFailure(`cannot read ${path}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The longest input line read (a GTP command is a few dozen bytes; 64 KB holds any sane one). */
export const MAX_GTP_LINE = 64 * 1024;

/**
 * Run the engine over a readable stream of lines (stdin), writing replies; resolves on quit or EOF.
 * Lines end at LF only: GTP says a CR is removed like any other control character, not a line
 * break. A line longer than MAX_GTP_LINE is answered with an error, without being kept whole.
 * Lines are read while a command runs, so a live analysis (lz-analyze) stops when the next one comes.
 */
export async function runGtp(engine: GtpEngine, input: NodeJS.ReadableStream, write: (t: string) => void): Promise<void> {
  const queue: { text: string; tooLong: boolean }[] = [];
  let partial = '';
  let tooLong = false;
  let ended = false;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const take = (chunk: string): void => {
    let start = 0;
    for (let lf = chunk.indexOf('\n'); lf >= 0; lf = chunk.indexOf('\n', start)) {
      if (!tooLong) partial += chunk.slice(start, lf);
      queue.push({ text: tooLong ? '' : partial, tooLong: tooLong || partial.length > MAX_GTP_LINE });
      partial = '';
      tooLong = false;
      start = lf + 1;
    }
    if (!tooLong) partial += chunk.slice(start);
    if (partial.length > MAX_GTP_LINE) {
      tooLong = true;
      partial = '';
    }
    notify();
  };
  // A UTF-8 character split between two chunks is decoded whole.
  const decoder = new StringDecoder('utf8');
  const onData = (d: Buffer | string): void => take(typeof d === 'string' ? d : decoder.write(d));
  const onEnd = (): void => {
    partial += decoder.end();
    if (partial !== '' || tooLong) queue.push({ text: partial, tooLong });
    partial = '';
    ended = true;
    notify();
  };
  input.on('data', onData);
  input.on('end', onEnd);
  input.on('error', onEnd);
  const pending = (): boolean => ended || queue.some((l) => l.tooLong || cleanGtpLine(l.text) !== '');
  try {
    for (;;) {
      if (queue.length === 0) {
        if (ended) break;
        await new Promise<void>((r) => (wake = r));
        continue;
      }
      const line = queue.shift()!;
      if (line.tooLong) {
        write(`? line too long (more than ${MAX_GTP_LINE} bytes)\n\n`);
        continue;
      }
      if (await engine.stream(line.text, write, pending)) continue;
      const reply = await engine.handle(line.text);
      if (reply) write(reply);
      if (engine.quit) break;
    }
  } finally {
    input.off('data', onData);
    input.off('end', onEnd);
    input.off('error', onEnd);
    input.pause();
  }
}
