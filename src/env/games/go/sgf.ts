/**
 * SGF (FF[4]) for Go: read the main line (first variation at each branch) of each game, replay it
 * into a GoState; write games back with SZ, KM, RU, HA, RE and per-move comments.
 *
 * The text is first checked by a small scanner that reports the line and column of the first
 * syntax error; reading and writing are loops, not recursion, so 50,000 nested variations or a
 * 20 MB comment are read (or refused) like any other file. Bad coordinates and illegal moves are
 * reported with their move number.
 */
import { UserError } from '../../../util/errors.ts';
import type { PlayerId } from '../game.ts';
import { GoGame, GoState, formatScore } from './rules.ts';
import type { GoParams } from './rules.ts';
import type { RecordFormat } from '../records.ts';

export interface SgfNode {
  data: Record<string, string[] | undefined>;
  children: SgfNode[];
}

export interface SgfGame {
  size: number;
  komi: number;
  handicap: number;
  rules: string;
  result: string;
  black: number[];
  white: number[];
  /** Colour to move after setup (PL, else White when there are Black setup stones only, else Black). */
  toPlay: PlayerId;
  /** Main-line moves: [colour, action] (action N*N = pass). */
  moves: Array<{ color: PlayerId; action: number; comment?: string }>;
  playerBlack: string;
  playerWhite: string;
}

/** Check SGF syntax; throws a UserError naming the line and column of the first error. */
export function checkSgfSyntax(text: string): void {
  let line = 1;
  let col = 1;
  let depth = 0;
  let sawTree = false;
  let inNode = false;
  let lastIdent = false;
  const fail = (what: string): never => {
    throw new UserError(`SGF syntax error at line ${line}, column ${col}: ${what}`);
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\n') {
      line++;
      col = 1;
      continue;
    }
    if (/\s/.test(ch)) {
      col++;
      continue;
    }
    if (ch === '(') {
      if (lastIdent) fail('property without a value');
      if (depth > 0 && !inNode) fail("'(' must follow a node");
      if (depth === 0 && sawTree) {
        col++;
        depth++;
        continue;
      }
      depth++;
      sawTree = true;
      inNode = false;
    } else if (ch === ')') {
      if (lastIdent) fail('property without a value');
      if (depth === 0) fail("unmatched ')'");
      if (!inNode) fail("a game tree must hold at least one node (';')");
      depth--;
    } else if (ch === ';') {
      if (depth === 0) fail("';' outside a game tree (expected '(;' first)");
      if (lastIdent) fail('property without a value');
      inNode = true;
    } else if (/[A-Za-z]/.test(ch)) {
      if (depth === 0) fail(`unexpected '${ch}' outside a game tree`);
      if (!inNode) fail(`property before the first ';'`);
      while (i + 1 < text.length && /[A-Za-z]/.test(text[i + 1]!)) {
        i++;
        col++;
      }
      lastIdent = true;
    } else if (ch === '[') {
      if (!inNode) fail("value '[' outside a node");
      const startLine = line;
      const startCol = col;
      i++;
      col++;
      while (i < text.length && text[i] !== ']') {
        if (text[i] === '\\') {
          i++;
          col++;
        }
        if (text[i] === '\n') {
          line++;
          col = 0;
        }
        i++;
        col++;
      }
      if (i >= text.length) {
        line = startLine;
        col = startCol;
        fail("unterminated value '[' (no closing ']')");
      }
      lastIdent = false;
    } else {
      if (depth === 0 && !sawTree) fail(`unexpected '${ch}'; an SGF file starts with '(;'`);
      if (depth > 0) fail(`unexpected '${ch}'`);
    }
    col++;
  }
  if (!sawTree) fail("no game tree (expected '(;')");
  if (depth !== 0) fail(`${depth} unclosed '(' at end of file`);
}

function pointToAction(v: string, n: number, what: string): number {
  if (v === '' || (v === 'tt' && n <= 19)) return n * n;
  if (!/^[a-zA-Z]{2}$/.test(v)) throw new UserError(`SGF: ${what}: bad point '${v}' (expected two letters a..${String.fromCharCode(96 + n)})`);
  const x = v.charCodeAt(0) - 97;
  const y = v.charCodeAt(1) - 97;
  if (x < 0 || x >= n || y < 0 || y >= n) throw new UserError(`SGF: ${what}: point '${v}' is off the ${n}x${n} board`);
  return y * n + x;
}

function expandPoints(vals: string[], n: number, what: string): number[] {
  const out: number[] = [];
  for (const v of vals) {
    if (v.includes(':')) {
      const [a, b] = v.split(':');
      const p = pointToAction(a!, n, what);
      const q = pointToAction(b!, n, what);
      for (let y = Math.min(Math.floor(p / n), Math.floor(q / n)); y <= Math.max(Math.floor(p / n), Math.floor(q / n)); y++) {
        for (let x = Math.min(p % n, q % n); x <= Math.max(p % n, q % n); x++) out.push(y * n + x);
      }
    } else out.push(pointToAction(v, n, what));
  }
  return out;
}

/** Parse the first game of an SGF text (main line only). */
/**
 * The main line of every game tree in a syntax-checked text: each root node, its first child, that
 * one's first child... (other variations are skipped). Values are unescaped ('\\]' is ']', a
 * backslash before a line break removes both).
 */
function parseMainLines(text: string): SgfNode[] {
  const roots: SgfNode[] = [];
  /** Per open '(': whether that tree is on the main line, and how many subtrees it has opened. */
  const open: { main: boolean; subtrees: number }[] = [];
  let last: SgfNode | null = null;
  let node: SgfNode | null = null;
  let ident = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '(') {
      const parent = open[open.length - 1];
      const main = parent === undefined || (parent.main && parent.subtrees === 0);
      if (parent) parent.subtrees++;
      if (parent === undefined) last = null;
      open.push({ main, subtrees: 0 });
      node = null;
    } else if (ch === ')') {
      open.pop();
      node = null;
    } else if (ch === ';') {
      if (!open[open.length - 1]!.main) {
        node = null;
        continue;
      }
      node = { data: {}, children: [] };
      if (last) last.children.push(node);
      else roots.push(node);
      last = node;
    } else if (ch === '[') {
      let value = '';
      let j = i + 1;
      for (; j < text.length && text[j] !== ']'; j++) {
        if (text[j] === '\\') {
          j++;
          if (text[j] === '\r' && text[j + 1] === '\n') j++;
          if (text[j] === '\n' || text[j] === '\r') continue;
        }
        value += text[j];
      }
      if (node && ident) (node.data[ident] ??= []).push(value);
      i = j;
    } else if (/[A-Za-z]/.test(ch)) {
      let j = i;
      while (j + 1 < text.length && /[A-Za-z]/.test(text[j + 1]!)) j++;
      ident = text.slice(i, j + 1).replace(/[a-z]/g, '');
      i = j;
    }
  }
  return roots;
}

export function parseSgf(text: string): SgfGame {
  checkSgfSyntax(text);
  const trees = parseMainLines(text);
  const root = trees[0];
  if (!root) throw new UserError('SGF: no game found');
  return parseTree(root);
}

/** Parse every game of an SGF collection (`(;...)(;...)`, as self-play writes a generation's games). */
export function parseSgfCollection(text: string): SgfGame[] {
  checkSgfSyntax(text);
  const trees = parseMainLines(text);
  if (trees.length === 0) throw new UserError('SGF: no game found');
  return trees.map((t, i) => {
    try {
      return parseTree(t);
    } catch (e) {
      throw new UserError(`SGF: game ${i + 1} of ${trees.length}: ${(e as Error).message}`);
    }
  });
}

function parseTree(root: SgfNode): SgfGame {
  const d = root.data;
  const one = (k: string): string | undefined => d[k]?.[0];
  const gm = one('GM');
  if (gm !== undefined && gm !== '1') throw new UserError(`SGF: GM[${gm}] is not Go (expected GM[1])`);
  const szText = one('SZ') ?? '19';
  const size = Number(szText);
  if (!Number.isInteger(size) || size < 5 || size > 19) throw new UserError(`SGF: SZ[${szText}] is not supported (expected a square size 5..19)`);
  const komiText = one('KM') ?? '0';
  const komi = Number(komiText);
  if (!Number.isFinite(komi)) throw new UserError(`SGF: KM[${komiText}] is not a number`);
  const handicap = Number(one('HA') ?? '0') || 0;
  const game: SgfGame = {
    size, komi, handicap, rules: one('RU') ?? '', result: one('RE') ?? '', black: [], white: [], toPlay: 0, moves: [],
    playerBlack: one('PB') ?? '', playerWhite: one('PW') ?? '',
  };
  let node: SgfNode | undefined = root;
  let first = true;
  while (node) {
    const nd: Record<string, string[] | undefined> = node.data;
    if (nd.AB || nd.AW || nd.AE) {
      if (game.moves.length > 0) throw new UserError(`SGF: setup stones (AB/AW/AE) after move ${game.moves.length} are not supported`);
      if (nd.AB) game.black.push(...expandPoints(nd.AB, size, 'AB'));
      if (nd.AW) game.white.push(...expandPoints(nd.AW, size, 'AW'));
    }
    if (first) {
      game.toPlay = game.black.length > 0 && game.white.length === 0 ? 1 : 0;
      first = false;
    }
    if (nd.PL && game.moves.length === 0) game.toPlay = /^[wW2]/.test(nd.PL[0] ?? '') ? 1 : 0;
    for (const [k, color] of [['B', 0], ['W', 1]] as const) {
      const v = nd[k];
      if (v) {
        const num = game.moves.length + 1;
        game.moves.push({ color, action: pointToAction(v[0] ?? '', size, `move ${num} (${k})`), comment: nd.C?.[0] });
      }
    }
    node = node.children[0];
  }
  return game;
}

/** Replay a parsed game into a state (Tromp-Taylor engine rules, the SGF's komi). Illegal moves name their number. */
export function replaySgf(g: SgfGame, params: Partial<GoParams> = {}): GoState {
  const game = new GoGame({ maxMoves: 100_000, ...params, size: g.size, komi: g.komi });
  const s = game.newInitialState();
  if (g.black.length || g.white.length || g.toPlay !== 0) s.setup(g.black, g.white, g.toPlay);
  g.moves.forEach((m, i) => {
    // Play that continues after two passes (a disputed end) resumes the game.
    if (s.isTerminal()) s.resumeAfterPasses();
    // SGF allows a colour to move twice (e.g. after a handicap); a pass fills the gap.
    if (m.color !== s.nextColor()) s.applyAction(game.pass);
    if (!s.isLegal(m.action)) {
      throw new UserError(`SGF: move ${i + 1} (${m.color === 0 ? 'B' : 'W'} ${s.actionToString(m.action)}) is ${s.whyIllegal(m.action)}`);
    }
    s.applyAction(m.action);
  });
  return s;
}

/** Parse and replay in one step. */
export function loadSgf(text: string, params: Partial<GoParams> = {}): GoState {
  return replaySgf(parseSgf(text), params);
}

/** Parse and replay every game of a collection. */
export function loadSgfCollection(text: string, params: Partial<GoParams> = {}): GoState[] {
  return parseSgfCollection(text).map((g, i) => {
    try {
      return replaySgf(g, params);
    } catch (e) {
      throw new UserError(`SGF: game ${i + 1}: ${(e as Error).message}`);
    }
  });
}

function actionToPoint(a: number, n: number): string {
  if (a === n * n) return '';
  return String.fromCharCode(97 + (a % n), 97 + Math.floor(a / n));
}

export interface WriteSgfOptions {
  playerBlack?: string;
  playerWhite?: string;
  result?: string;
  /** Comment per move (same index as state.history()), e.g. a win rate. */
  comments?: Array<string | undefined>;
  rules?: string;
  date?: string;
}

/** Write a state's game (setup stones + moves) as SGF FF[4]. */
export function writeSgf(state: GoState, o: WriteSgfOptions = {}): string {
  const n = state.game.n;
  const setup = state.setupStones();
  const rootData: Record<string, string[]> = {
    FF: ['4'], GM: ['1'], CA: ['UTF-8'], AP: ['tengen:0.1'], SZ: [String(n)], KM: [String(state.komi)],
    RU: [o.rules ?? (state.game.params.superko === 'positional' ? 'Tromp-Taylor' : 'Tromp-Taylor (simple ko)')],
  };
  const re = o.result ?? state.result();
  if (re) rootData.RE = [re];
  if (o.playerBlack) rootData.PB = [o.playerBlack];
  if (o.playerWhite) rootData.PW = [o.playerWhite];
  if (o.date) rootData.DT = [o.date];
  if (state.game.params.handicap > 0) rootData.HA = [String(state.game.params.handicap)];
  if (setup.black.length) rootData.AB = setup.black.map((a) => actionToPoint(a, n));
  if (setup.white.length) rootData.AW = setup.white.map((a) => actionToPoint(a, n));
  if (setup.toPlay === 1) rootData.PL = ['W'];
  const root: SgfNode = { data: rootData, children: [] };
  let cur = root;
  let color = setup.toPlay;
  state.history().forEach((a, i) => {
    const data: Record<string, string[]> = { [color === 0 ? 'B' : 'W']: [actionToPoint(a, n)] };
    const c = o.comments?.[i];
    if (c) data.C = [c];
    const node: SgfNode = { data, children: [] };
    cur.children.push(node);
    cur = node;
    color = (1 - color) as PlayerId;
  });
  return stringifyMainLine(root) + '\n';
}

/** A chain of nodes (each the first child of the one before) as one game tree, one node per line. */
function stringifyMainLine(root: SgfNode): string {
  const escape = (v: string): string => v.replace(/[\\\]]/g, (c) => `\\${c}`);
  const lines: string[] = [];
  for (let node: SgfNode | undefined = root; node; node = node.children[0]) {
    let line = '  ;';
    for (const [k, vs] of Object.entries(node.data)) if (vs) line += k + vs.map((v) => `[${escape(v)}]`).join('');
    lines.push(line);
  }
  return `(\n${lines.join('\n')}\n)`;
}

export { formatScore };

/** Go's record format: the games as one SGF collection (Sabaki shows each game of the file). */
export const sgfRecordFormat: RecordFormat = {
  extension: 'sgf',
  write(game, games, info) {
    return games
      .map((x) => {
        const s = game.newInitialState() as GoState;
        for (const a of x.moves) s.applyAction(a);
        const result = x.resigned ? (x.returns[0] > 0 ? 'B+R' : 'W+R') : undefined;
        return writeSgf(s, { result, playerBlack: info.playerFirst, playerWhite: info.playerSecond, date: info.date });
      })
      .join('');
  },
};
