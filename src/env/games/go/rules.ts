/**
 * Go rules over the fast board: the Game/State contract (game.ts) for Go.
 *
 * Actions: r * N + c for points (row 0 at the top, GTP row N), N * N for pass. Two consecutive
 * passes end the game. Positional superko by default (a move may not recreate any earlier whole-
 * board position; option superko: 'simple' keeps only the simple-ko rule). Suicide is forbidden
 * unless `suicide: true`. The game also ends, and is scored, after `maxMoves` moves (default 3 N^2, as
 * OpenSpiel's max_game_length; GTP and SGF replay raise it so real games never meet it). Resignation is a method, not an action. Handicap stones use GTP's fixed
 * placement (White then moves first). Result: Tromp-Taylor area scoring with komi (default 7.5).
 * Observation `encoding: 'az'` (default): AlphaGo Zero's 17 planes (8 past positions of the player's
 * stones, 8 of the opponent's, all-ones when `player` is Black); `encoding: 'lee'`: AlphaGo Lee's
 * 48 feature planes (features.ts).
 */
import { IllegalMoveError, UserError } from '../../../util/errors.ts';
import type { Rng } from '../../../util/rng.ts';
import { TERMINAL, illegalMoveMessage } from '../game.ts';
import type { Game, PlayerId, PlayerIdOrTerminal, State, Symmetry } from '../game.ts';
import { dihedralSymmetries } from '../symmetry.ts';
import { BLACK, Board, EMPTY, NO_POINT, WHITE } from './board.ts';
import { LEE_PLANES, leeFeatures } from './features.ts';

export interface GoParams {
  size: number;
  komi: number;
  superko: 'positional' | 'simple';
  suicide: boolean;
  encoding: 'az' | 'lee';
  handicap: number;
  /** The game ends (and is scored) after this many moves, passes included. Default 3 * size * size. */
  maxMoves: number;
}

const KNOWN = ['size', 'komi', 'superko', 'suicide', 'encoding', 'handicap', 'maxMoves'];
const LETTERS = 'ABCDEFGHJKLMNOPQRST';

export function parseGoParams(p: Record<string, unknown>): GoParams {
  for (const k of Object.keys(p)) if (!KNOWN.includes(k)) throw new UserError(`go: unknown parameter '${k}'; known: ${KNOWN.join(', ')}`);
  const size = p.size ?? 19;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 5 || size > 19) throw new UserError(`go: size must be an integer in 5..19, got ${JSON.stringify(size)}`);
  const komi = p.komi ?? 7.5;
  if (typeof komi !== 'number' || !Number.isFinite(komi) || Math.abs(komi) > 1000) throw new UserError(`go: komi must be a finite number, got ${JSON.stringify(komi)}`);
  const superko = p.superko ?? 'positional';
  if (superko !== 'positional' && superko !== 'simple') throw new UserError(`go: superko must be 'positional' or 'simple', got ${JSON.stringify(superko)}`);
  const suicide = p.suicide ?? false;
  if (typeof suicide !== 'boolean') throw new UserError(`go: suicide must be true or false, got ${JSON.stringify(suicide)}`);
  const encoding = p.encoding ?? 'az';
  if (encoding !== 'az' && encoding !== 'lee') throw new UserError(`go: encoding must be 'az' or 'lee', got ${JSON.stringify(encoding)}`);
  const handicap = p.handicap ?? 0;
  if (typeof handicap !== 'number' || !(handicap === 0 || (Number.isInteger(handicap) && handicap >= 2 && handicap <= maxHandicap(size)))) {
    throw new UserError(`go: handicap must be 0 or an integer in 2..${maxHandicap(size)} for size ${size}, got ${JSON.stringify(handicap)}`);
  }
  const maxMoves = p.maxMoves ?? size * size * 3;
  if (typeof maxMoves !== 'number' || !Number.isInteger(maxMoves) || maxMoves < 1 || maxMoves > 1_000_000) {
    throw new UserError(`go: maxMoves must be an integer in 1..1000000, got ${JSON.stringify(maxMoves)}`);
  }
  return { size, komi, superko, suicide, encoding, handicap, maxMoves };
}

export function maxHandicap(n: number): number {
  if (n < 7) return 0;
  if (n === 7 || n % 2 === 0) return 4;
  return 9;
}

/** GTP fixed_handicap placement: actions (r * N + c) of the handicap stones. */
export function fixedHandicap(n: number, k: number): number[] {
  if (k < 2 || k > maxHandicap(n)) throw new UserError(`fixed handicap must be in 2..${maxHandicap(n)} on ${n}x${n}, got ${k}`);
  const e = n >= 13 ? 3 : 2;
  const lo = e;
  const hi = n - 1 - e;
  const mid = (n - 1) / 2;
  const at = (r: number, c: number): number => r * n + c;
  // GTP order: corners, then sides, then centre for odd counts.
  const pts = [at(hi, lo), at(lo, hi), at(lo, lo), at(hi, hi)];
  const sides = [at(mid, lo), at(mid, hi), at(lo, mid), at(hi, mid)];
  const out = pts.slice(0, Math.min(k, 4));
  if (k === 5 || k === 7 || k === 9) {
    if (k >= 6) out.push(sides[0]!, sides[1]!);
    if (k >= 8) out.push(sides[2]!, sides[3]!);
    out.push(at(mid, mid));
  } else {
    if (k >= 6) out.push(sides[0]!, sides[1]!);
    if (k >= 8) out.push(sides[2]!, sides[3]!);
  }
  return out;
}

export class GoGame implements Game {
  readonly name = 'go';
  readonly numActions: number;
  readonly boardShape: readonly [number, number];
  readonly observationShape: readonly [number, number, number];
  readonly maxGameLength: number;
  readonly params: Readonly<GoParams>;
  readonly n: number;
  readonly pass: number;
  private syms: Symmetry[] | null = null;

  constructor(params: Partial<GoParams> | Record<string, unknown> = {}) {
    const p = parseGoParams(params as Record<string, unknown>);
    this.params = Object.freeze(p);
    this.n = p.size;
    this.pass = p.size * p.size;
    this.numActions = p.size * p.size + 1;
    this.boardShape = [p.size, p.size];
    this.observationShape = [p.size, p.size, p.encoding === 'az' ? 17 : LEE_PLANES];
    this.maxGameLength = p.maxMoves;
  }

  /** A copy of this game with some parameters changed. */
  with(changes: Partial<GoParams>): GoGame {
    return new GoGame({ ...this.params, ...changes });
  }

  symmetries(): Symmetry[] {
    return (this.syms ??= dihedralSymmetries(this.n, this.observationShape[2], 1));
  }

  newInitialState(): GoState {
    const s = new GoState(this);
    if (this.params.handicap > 0) s.setup(fixedHandicap(this.n, this.params.handicap), [], 1);
    return s;
  }

  deserialize(text: string): GoState {
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch {
      throw new UserError(`go: cannot deserialize '${text.slice(0, 60)}': not JSON`);
    }
    const v = o as { b?: unknown; w?: unknown; toPlay?: unknown; moves?: unknown; resigned?: unknown };
    const isList = (x: unknown): x is number[] => Array.isArray(x) && x.every((a) => Number.isInteger(a));
    if (!isList(v.b) || !isList(v.w) || !isList(v.moves) || (v.toPlay !== 0 && v.toPlay !== 1)) {
      throw new UserError(`go: cannot deserialize: expected {b, w, toPlay, moves, resigned}`);
    }
    const s = new GoState(this);
    s.setup(v.b, v.w, v.toPlay);
    v.moves.forEach((a, i) => {
      if (!s.isLegal(a)) throw new UserError(`go: cannot deserialize: move ${i + 1} (${a}) is illegal`);
      s.applyAction(a);
    });
    if (v.resigned === 0 || v.resigned === 1) s.resign(v.resigned);
    return s;
  }
}

/** Hash key of a position (53 bits of the 64-bit Zobrist key, exact enough for a history set). */
export function positionKey(b: Board): number {
  return (b.hashHi >>> 11) * 4294967296 + b.hashLo;
}

export class GoState implements State {
  readonly game: GoGame;
  board: Board;
  private toPlay: PlayerId = 0;
  private passes = 0;
  private moves: number[] = [];
  private seen = new Set<number>();
  private resigned: PlayerId | -1 = -1;
  private setupB: number[] = [];
  private setupW: number[] = [];
  private setupToPlay: PlayerId = 0;
  /** Past positions (colour arrays, N*N, 1 black 2 white), most recent last, at most 8. */
  private past: Uint8Array[] = [];
  /** Move number at which each point was last played (for 'turns since'); -1 never. */
  lastPlayed: Int32Array;

  constructor(game: GoGame) {
    this.game = game;
    this.board = new Board(game.n);
    this.lastPlayed = new Int32Array(game.n * game.n).fill(-1);
    this.seen.add(positionKey(this.board));
    this.pushPast();
  }

  get komi(): number {
    return this.game.params.komi;
  }

  /** Place setup stones (handicap, SGF AB/AW) before any move; resets the state. */
  setup(black: number[], white: number[], toPlay: PlayerId): void {
    const n = this.game.n;
    const b = new Board(n);
    for (const [list, col] of [[black, BLACK], [white, WHITE]] as const) {
      for (const a of list) {
        if (!Number.isInteger(a) || a < 0 || a >= n * n) throw new UserError(`go: setup stone ${a} is off the ${n}x${n} board`);
        const p = b.fromAction(a);
        if (b.color[p] !== EMPTY) throw new UserError(`go: setup stone ${this.actionToString(a)} placed twice`);
        b.play(p, col);
        if (b.lastCaptures > 0 || b.libs[b.head[p]!] === 0) throw new UserError(`go: setup stone ${this.actionToString(a)} leaves a chain without liberties`);
      }
    }
    b.ko = NO_POINT;
    this.board = b;
    this.setupB = [...black];
    this.setupW = [...white];
    this.setupToPlay = toPlay;
    this.toPlay = toPlay;
    this.passes = 0;
    this.moves = [];
    this.resigned = -1;
    this.seen = new Set([positionKey(b)]);
    this.past = [];
    this.lastPlayed.fill(-1);
    this.pushPast();
  }

  /** Keys (positionKey) of every whole-board position of the game so far: what positional superko forbids. */
  positionKeys(): ReadonlySet<number> {
    return this.seen;
  }

  setupStones(): { black: number[]; white: number[]; toPlay: PlayerId } {
    return { black: [...this.setupB], white: [...this.setupW], toPlay: this.setupToPlay };
  }

  private pushPast(): void {
    const n = this.game.n;
    const snap = new Uint8Array(n * n);
    for (let a = 0; a < n * n; a++) snap[a] = this.board.color[this.board.fromAction(a)]!;
    this.past = this.past.length >= 8 ? [...this.past.slice(1), snap] : [...this.past, snap];
  }

  currentPlayer(): PlayerIdOrTerminal {
    return this.isTerminal() ? TERMINAL : this.toPlay;
  }
  /** The colour to move even when the game is over. */
  nextColor(): PlayerId {
    return this.toPlay;
  }
  isTerminal(): boolean {
    return this.resigned !== -1 || this.passes >= 2 || this.moves.length >= this.game.params.maxMoves;
  }
  consecutivePasses(): number {
    return this.passes;
  }

  /** After the opponent's pass, passing ends the game on the present count: its return for the player to move. */
  exitValue(): number | null {
    if (this.passes !== 1 || this.isTerminal()) return null;
    const s = this.score();
    const black = s > 0 ? 1 : s < 0 ? -1 : 0;
    return this.toPlay === 0 ? black : -black;
  }
  /**
   * Pass discipline at play time, as Go engines practise it against opponents that play on (Leela
   * Zero's and KataGo's "don't pass while points are open"): a pass chosen by the search is replaced by
   * the best-ranked other move while
   *  - the opponent has not just passed and some legal move does not fill one of our own eyes, or
   *  - the opponent has just passed and passing back would lose (or draw) on the Tromp-Taylor count.
   * Under area scoring a stone in one's own territory costs nothing, so playing on only forgoes ending
   * the game early, while a pass against an opponent that keeps playing can throw a won game away.
   * The replacement never fills an own eye; with no such move left, the pass stands.
   */
  playTimeMove(choice: number, ranked: readonly number[]): number {
    const pass = this.game.pass;
    if (choice !== pass || this.isTerminal()) return choice;
    if (this.passes === 1 && (this.exitValue() ?? 0) > 0) return pass;
    const own = this.toPlay === 0 ? BLACK : WHITE;
    const ok = (a: number): boolean => a !== pass && this.isLegal(a) && !this.board.isEye(this.board.fromAction(a), own);
    for (const a of ranked) if (ok(a)) return a;
    for (const a of this.legalActions()) if (ok(a)) return a;
    return pass;
  }
  resignedPlayer(): PlayerId | -1 {
    return this.resigned;
  }

  /** Resume a game ended by two passes (as when players dispute the result); the colour to move is kept. */
  resumeAfterPasses(): void {
    if (this.resigned !== -1 || this.passes < 2 || this.moves.length >= this.game.params.maxMoves) throw new UserError('go: resume: the game did not end by two passes');
    this.passes = 0;
  }

  /** `player` resigns: the game is over and the other player wins. */
  resign(player: PlayerId): void {
    if (this.isTerminal()) throw new IllegalMoveError('go: cannot resign, the game is already over');
    this.resigned = player;
  }

  /** Legal for the player to move (board rules, then superko). */
  isLegal(a: number): boolean {
    if (this.isTerminal() || !Number.isInteger(a) || a < 0 || a > this.game.pass) return false;
    if (a === this.game.pass) return true;
    const b = this.board;
    const p = b.fromAction(a);
    const col = this.toPlay + 1;
    if (!b.isLegal(p, col, this.game.params.suicide)) return false;
    if (this.game.params.superko === 'positional') return !this.repeats(p, col);
    return true;
  }

  /** Would playing col at p recreate an earlier position? (Any move can, once stones were captured.) */
  private repeats(p: number, col: number): boolean {
    const b = this.board;
    const opp = 3 - col;
    let lo = (b.hashLo ^ b.stoneKey(p, col, false)) >>> 0;
    let hi = (b.hashHi ^ b.stoneKey(p, col, true)) >>> 0;
    let captures = false;
    const heads: number[] = [];
    for (let d = 0; d < 4; d++) {
      const q = p + b.dirs[d]!;
      if (b.color[q] === opp) {
        const h = b.head[q]!;
        if (b.inAtari(h) && !heads.includes(h)) {
          heads.push(h);
          captures = true;
          let s = h;
          do {
            lo = (lo ^ b.stoneKey(s, opp, false)) >>> 0;
            hi = (hi ^ b.stoneKey(s, opp, true)) >>> 0;
            s = b.next[s]!;
          } while (s !== h);
        }
      }
    }
    if (!captures && b.isSuicide(p, col)) {
      const t = b.clone();
      t.play(p, col);
      return this.seen.has(positionKey(t));
    }
    return this.seen.has((hi >>> 11) * 4294967296 + lo);
  }

  legalActions(): number[] {
    const out: number[] = [];
    if (this.isTerminal()) return out;
    for (let a = 0; a <= this.game.pass; a++) if (this.isLegal(a)) out.push(a);
    return out;
  }

  legalMask(): Uint8Array {
    const m = new Uint8Array(this.game.numActions);
    for (const a of this.legalActions()) m[a] = 1;
    return m;
  }

  applyAction(a: number): void {
    if (!this.isLegal(a)) {
      const why = this.isTerminal() ? 'illegal (the game is over)' : this.whyIllegal(a);
      throw new IllegalMoveError(illegalMoveMessage(this, a, why));
    }
    if (a === this.game.pass) {
      this.board.play(NO_POINT, this.toPlay + 1);
      this.passes++;
    } else {
      this.board.play(this.board.fromAction(a), this.toPlay + 1);
      this.passes = 0;
      this.lastPlayed[a] = this.moves.length;
      this.seen.add(positionKey(this.board));
    }
    this.moves.push(a);
    this.toPlay = (1 - this.toPlay) as PlayerId;
    this.pushPast();
  }

  /** Why an action is illegal, in words. */
  whyIllegal(a: number): string {
    if (!Number.isInteger(a) || a < 0 || a > this.game.pass) return `not an action (expected 0..${this.game.pass})`;
    if (a === this.game.pass) return 'legal';
    const b = this.board;
    const p = b.fromAction(a);
    const name = this.actionToString(a);
    if (b.color[p] !== EMPTY) return `illegal (${name} is occupied)`;
    if (p === b.ko) return `illegal (${name} retakes a ko)`;
    if (!this.game.params.suicide && b.isSuicide(p, this.toPlay + 1)) return `illegal (${name} is suicide)`;
    if (this.game.params.superko === 'positional' && this.repeats(p, this.toPlay + 1)) return `illegal (${name} repeats a position: superko)`;
    return 'legal';
  }

  undo(): void {
    if (this.resigned !== -1) {
      this.resigned = -1;
      return;
    }
    if (this.moves.length === 0) throw new UserError('go: nothing to undo');
    const moves = this.moves.slice(0, -1);
    this.setup(this.setupB, this.setupW, this.setupToPlay);
    for (const a of moves) this.applyAction(a);
  }

  clone(): GoState {
    const s = new GoState(this.game);
    s.board = this.board.clone();
    s.toPlay = this.toPlay;
    s.passes = this.passes;
    s.moves = [...this.moves];
    s.seen = new Set(this.seen);
    s.resigned = this.resigned;
    s.setupB = this.setupB;
    s.setupW = this.setupW;
    s.setupToPlay = this.setupToPlay;
    s.past = [...this.past];
    s.lastPlayed = this.lastPlayed.slice();
    return s;
  }

  /** Tromp-Taylor score: Black area - White area - komi. */
  score(): number {
    return this.board.score(this.komi);
  }

  /** Result as SGF writes it: 'B+3.5', 'W+R', '0' (draw), '' while running. */
  result(): string {
    if (this.resigned !== -1) return this.resigned === 0 ? 'W+R' : 'B+R';
    if (!this.isTerminal()) return '';
    return formatScore(this.score());
  }

  returns(): [number, number] {
    if (!this.isTerminal()) return [0, 0];
    if (this.resigned !== -1) return this.resigned === 0 ? [-1, 1] : [1, -1];
    const s = this.score();
    return s > 0 ? [1, -1] : s < 0 ? [-1, 1] : [0, 0];
  }

  rollout(rng: Rng): [number, number] {
    if (this.isTerminal()) return this.returns();
    const b = this.board.clone();
    b.playout(this.toPlay + 1, rng, this.game.n * this.game.n * 3, this.game.params.suicide);
    const s = b.score(this.komi);
    return s > 0 ? [1, -1] : s < 0 ? [-1, 1] : [0, 0];
  }

  observation(player: PlayerId): Float32Array {
    if (this.game.params.encoding === 'lee') return leeFeatures(this, player);
    const n = this.game.n;
    const nn = n * n;
    const out = new Float32Array(nn * 17);
    const own = player + 1;
    for (let t = 0; t < 8; t++) {
      const snap = this.past[this.past.length - 1 - t];
      if (!snap) break;
      for (let i = 0; i < nn; i++) {
        const c = snap[i]!;
        if (c === own) out[i * 17 + t] = 1;
        else if (c !== EMPTY) out[i * 17 + 8 + t] = 1;
      }
    }
    if (player === 0) for (let i = 0; i < nn; i++) out[i * 17 + 16] = 1;
    return out;
  }

  actionToString(a: number): string {
    return actionName(this.game.n, a);
  }

  stringToAction(s: string): number {
    return parseVertex(this.game.n, s);
  }

  toString(): string {
    const n = this.game.n;
    const b = this.board;
    const lines: string[] = [];
    const cols = '   ' + LETTERS.slice(0, n).split('').join(' ');
    lines.push(cols);
    for (let r = 0; r < n; r++) {
      const row: string[] = [];
      for (let c = 0; c < n; c++) {
        const col = b.color[b.point(r, c)];
        row.push(col === BLACK ? 'X' : col === WHITE ? 'O' : '.');
      }
      const num = String(n - r).padStart(2);
      lines.push(`${num} ${row.join(' ')} ${num}`);
    }
    lines.push(cols);
    lines.push(`${this.toPlay === 0 ? 'Black' : 'White'} to move; captures B ${b.captures[BLACK]} W ${b.captures[WHITE]}; komi ${this.komi}`);
    return lines.join('\n');
  }

  hash(): bigint {
    const h = (BigInt(this.board.hashHi) << 32n) | BigInt(this.board.hashLo);
    return this.toPlay === 0 ? h : h ^ 0x9e3779b97f4a7c15n;
  }

  history(): number[] {
    return [...this.moves];
  }

  serialize(): string {
    return JSON.stringify({ b: this.setupB, w: this.setupW, toPlay: this.setupToPlay, moves: this.moves, resigned: this.resigned });
  }
}

export function formatScore(s: number): string {
  if (s === 0) return '0';
  return s > 0 ? `B+${s}` : `W+${-s}`;
}

/** GTP vertex of an action: 'D4' (letters skip I, row 1 at the bottom) or 'pass'. */
export function actionName(n: number, a: number): string {
  if (a === n * n) return 'pass';
  if (!Number.isInteger(a) || a < 0 || a > n * n) throw new RangeError(`go: action ${a} is outside 0..${n * n}`);
  const r = Math.floor(a / n);
  const c = a % n;
  return `${LETTERS[c]}${n - r}`;
}

/** Parse a GTP vertex ('D4', 'd4', 'pass'); throws a UserError saying what is expected. */
export function parseVertex(n: number, s: string): number {
  const t = s.trim().toUpperCase();
  if (t === 'PASS') return n * n;
  const m = /^([A-HJ-T])(\d{1,2})$/.exec(t);
  const c = m ? LETTERS.indexOf(m[1]!) : -1;
  const row = m ? Number(m[2]) : 0;
  if (!m || c < 0 || c >= n || row < 1 || row > n) {
    throw new UserError(`go: bad vertex '${s}'; expected a column A..${LETTERS[n - 1]} (no I) and a row 1..${n}, e.g. 'D4', or 'pass'`);
  }
  return (n - row) * n + c;
}
