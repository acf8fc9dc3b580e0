/**
 * The generic game contract (after OpenSpiel's random-play test): every game in the registry is
 * played through many seeded random games and checked against src/env/games/game.ts. A game added
 * with registerGame is included automatically (the Go module registers itself when imported).
 */
import { describe, expect, it } from 'vitest';
import { listGames, makeGame } from '../../../src/env/games/index.ts';
import { TERMINAL } from '../../../src/env/games/game.ts';
import type { Game, PlayerId, State, Symmetry } from '../../../src/env/games/game.ts';
import { IllegalMoveError } from '../../../src/util/errors.ts';
import { Rng } from '../../../src/util/rng.ts';

/** Variants checked besides the defaults (small boards keep the run short). */
const VARIANTS: Record<string, Record<string, unknown>[]> = {
  gomoku: [{ size: 9 }, {}],
  othello: [{ size: 6 }, {}],
  go: [{ size: 9 }],
};

/** Per-game budget: games checked move by move, and cheaper games checked at the end only. */
function budget(game: Game): { full: number; fast: number } {
  const cells = game.boardShape[0] * game.boardShape[1];
  if (cells <= 9) return { full: 200, fast: 3000 };
  if (cells <= 42) return { full: 60, fast: 1000 };
  if (cells <= 81) return { full: 8, fast: 200 };
  return { full: 3, fast: 60 };
}

/** The variant, or the default game where a registered game takes no such params. */
function makeVariant(name: string, params: Record<string, unknown>): Game {
  try {
    return makeGame(name, params);
  } catch {
    return makeGame(name);
  }
}

function fingerprint(s: State): [string, string, string] {
  return [String(s.hash()), s.toString(), s.serialize()];
}

function checkLegal(s: State): number[] {
  const legal = s.legalActions();
  const mask = s.legalMask();
  expect(mask.length).toBe(s.game.numActions);
  const fromMask: number[] = [];
  for (let a = 0; a < mask.length; a++) {
    expect(mask[a] === 0 || mask[a] === 1).toBe(true);
    if (mask[a]) fromMask.push(a);
  }
  expect(legal).toEqual(fromMask);
  if (s.isTerminal()) {
    expect(s.currentPlayer()).toBe(TERMINAL);
    expect(legal.length).toBe(0);
  } else {
    expect([0, 1]).toContain(s.currentPlayer());
    expect(legal.length).toBeGreaterThan(0);
    const r = s.returns();
    expect(r[0]).toBe(0);
    expect(r[1]).toBe(0);
  }
  return legal;
}

function checkObservation(s: State, game: Game): void {
  const size = game.observationShape.reduce((a, b) => a * b, 1);
  for (const p of [0, 1] as PlayerId[]) {
    const obs = s.observation(p);
    expect(obs.length).toBe(size);
    for (let i = 0; i < obs.length; i++) if (!Number.isFinite(obs[i]!)) throw new Error(`${game.name}: observation[${i}] = ${obs[i]}`);
  }
}

function checkTerminal(s: State, game: Game): void {
  const [a, b] = s.returns();
  expect(a + b).toBe(0);
  expect([-1, 0, 1]).toContain(a);
  expect(s.history().length).toBeLessThanOrEqual(game.maxGameLength);
}

function sameArray(x: Float32Array, y: Float32Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/**
 * Symmetries: bijections on actions; observations map to permutations of themselves; and for maps
 * that keep the start position, replaying the mapped moves gives the mapped observation and the
 * mapped legal moves.
 */
function checkSymmetries(game: Game, syms: Symmetry[], s: State): void {
  const start = game.newInitialState();
  for (const sym of syms) {
    const seen = new Set<number>();
    for (let a = 0; a < game.numActions; a++) {
      const b = sym.mapAction(a);
      expect(Number.isInteger(b) && b >= 0 && b < game.numActions).toBe(true);
      seen.add(b);
    }
    expect(seen.size).toBe(game.numActions);
    const keepsStart = ([0, 1] as PlayerId[]).every((p) => sameArray(sym.mapObservation(start.observation(p)), start.observation(p)));
    if (keepsStart) {
      const img = game.newInitialState();
      for (const a of s.history()) img.applyAction(sym.mapAction(a));
      for (const p of [0, 1] as PlayerId[]) expect(sameArray(img.observation(p), sym.mapObservation(s.observation(p)))).toBe(true);
      const mask = s.legalMask();
      const imgMask = img.legalMask();
      for (let a = 0; a < game.numActions; a++) expect(imgMask[sym.mapAction(a)]).toBe(mask[a]);
      expect(img.returns()).toEqual(s.returns());
    } else {
      const obs = s.observation(0);
      const mapped = sym.mapObservation(obs);
      expect(Array.from(mapped).sort()).toEqual(Array.from(obs).sort());
    }
  }
}

/** One random game with every check at every move. */
function fullGame(game: Game, rng: Rng, syms: Symmetry[]): void {
  const s = game.newInitialState();
  let moves = 0;
  while (true) {
    const legal = checkLegal(s);
    checkObservation(s, game);
    if (s.isTerminal()) break;
    // Undo round trip restores hash, board text and serialization exactly.
    const before = fingerprint(s);
    const a = legal[rng.int(legal.length)]!;
    const copy = s.clone();
    s.applyAction(a);
    const after = fingerprint(s);
    expect(s.history()).toEqual([...copy.history(), a]);
    s.undo();
    expect(fingerprint(s)).toEqual(before);
    // The clone is independent: playing on it leaves the original alone.
    copy.applyAction(a);
    expect(fingerprint(s)).toEqual(before);
    expect(fingerprint(copy)).toEqual(after);
    // A string round trip of the action.
    expect(s.stringToAction(s.actionToString(a))).toBe(a);
    s.applyAction(a);
    // serialize / deserialize.
    const back = game.deserialize(s.serialize());
    expect(fingerprint(back)).toEqual(after);
    expect(back.currentPlayer()).toBe(s.currentPlayer());
    moves++;
    expect(moves).toBeLessThanOrEqual(game.maxGameLength);
    if (rng.int(6) === 0) checkSymmetries(game, syms, s);
  }
  checkTerminal(s, game);
  checkSymmetries(game, syms, s);
  // A move after the end is rejected and changes nothing.
  const before = fingerprint(s);
  expect(() => s.applyAction(0)).toThrow(IllegalMoveError);
  expect(fingerprint(s)).toEqual(before);
  // Undo all the way back to the start.
  while (s.history().length) s.undo();
  expect(fingerprint(s)).toEqual(fingerprint(game.newInitialState()));
}

/** A random game checked only for legality consistency and a sane end. */
function fastGame(game: Game, rng: Rng): number {
  const s = game.newInitialState();
  let moves = 0;
  while (!s.isTerminal()) {
    const legal = s.legalActions();
    expect(legal.length).toBeGreaterThan(0);
    s.applyAction(legal[rng.int(legal.length)]!);
    moves++;
    if (moves > game.maxGameLength) throw new Error(`${game.name}: no end after maxGameLength=${game.maxGameLength} moves`);
  }
  checkTerminal(s, game);
  return s.returns()[0];
}

for (const name of listGames()) {
  for (const params of VARIANTS[name] ?? [{}]) {
    describe(`game contract: ${name} ${JSON.stringify(params)}`, () => {
      const game = makeVariant(name, params);
      const syms = game.symmetries?.() ?? [];
      const { full, fast } = budget(game);

      it('declares consistent shapes and an identity-first symmetry list', () => {
        expect(game.name).toBe(name);
        expect(game.observationShape.slice(0, 2)).toEqual([...game.boardShape]);
        expect(game.numActions).toBeGreaterThan(0);
        if (syms.length) {
          for (let a = 0; a < game.numActions; a++) expect(syms[0]!.mapAction(a)).toBe(a);
        }
        expect(() => game.deserialize('not a game')).toThrow(/expected|cannot/i);
      });

      it(`passes every check move by move in ${full} random games`, () => {
        const rng = new Rng(`contract-full-${name}`);
        for (let g = 0; g < full; g++) fullGame(game, rng, syms);
      });

      it(`ends within maxGameLength with zero-sum returns in ${fast} random games`, () => {
        const rng = new Rng(`contract-fast-${name}`);
        const outcomes = new Set<number>();
        for (let g = 0; g < fast; g++) outcomes.add(fastGame(game, rng));
        // Random play reaches more than one outcome in every one of these games.
        expect(outcomes.size).toBeGreaterThan(1);
      });

      it('rejects an illegal action without changing the state', () => {
        const s = game.newInitialState();
        const mask = s.legalMask();
        const before = fingerprint(s);
        for (const a of [-1, game.numActions, 0.5, Number.NaN]) expect(() => s.applyAction(a)).toThrow(IllegalMoveError);
        const illegal = mask.findIndex((m) => m === 0);
        if (illegal >= 0) expect(() => s.applyAction(illegal)).toThrow(/legal actions/);
        expect(fingerprint(s)).toEqual(before);
      });
    });
  }
}
