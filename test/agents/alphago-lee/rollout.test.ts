import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NO_POINT } from '../../../src/env/games/go/board.ts';
import { parseVertex } from '../../../src/env/games/go/rules.ts';
import { leeFeatures, LEE_PLANES } from '../../../src/env/games/go/features.ts';
import { Rng } from '../../../src/util/rng.ts';
import { UserError } from '../../../src/util/errors.ts';
import {
  candidateFeatures, isCandidate, RolloutPolicy, buildRolloutExamples, evaluateRollout, sgdEpoch,
  F_CAPTURE, F_SAVE, F_SELF_ATARI, F_ATARI, RESP_BASE, F_DIST, NUM_ROLLOUT_FEATURES,
} from '../../../src/agents/alphago-lee/rollout.ts';
import { loadExpertGames, splitByGame, symmetryTables, buildPositions, fillBatch } from '../../../src/agents/alphago-lee/data.ts';
import { position, tmp, writeToyGames } from './helpers.ts';

const v = (s: string): number => parseVertex(9, s);

function feats(moves: string[], at: string): number[] {
  const s = position(moves);
  const b = s.board;
  const h = s.history();
  const last = h.length && h[h.length - 1] !== s.game.pass ? b.fromAction(h[h.length - 1]!) : NO_POINT;
  const out = new Int32Array(16);
  const k = candidateFeatures(b, b.fromAction(v(at)), s.nextColor() + 1, last, out);
  return [...out.slice(0, k)];
}

describe('rollout policy features of known positions', () => {
  // Black B1, White A1 (1 liberty: A2), White F1 and E2 so that Black E1 is self-atari.
  const moves = ['B1', 'A1', 'pass', 'F1', 'pass', 'E2'];

  it('capture, self-atari and atari are detected at the right points', () => {
    expect(feats(moves, 'A2')).toContain(F_CAPTURE);
    expect(feats(moves, 'E1')).toContain(F_SELF_ATARI);
    expect(feats(moves, 'E1')).not.toContain(F_CAPTURE);
    expect(feats(moves, 'E5')).not.toContain(F_SELF_ATARI);
    // G1 leaves White F1 (liberties E1, G1 ... F2 is empty too) - no atari; F2 does (F1: E1, G1 -> 2 liberties) no;
    // White E2 has 4 liberties; Black D2 + E3 + F2 leave E2 one liberty: build it.
    const m2 = ['D2', 'E2', 'E3', 'pass'];
    expect(feats(m2, 'F2')).toContain(F_ATARI);
  });

  it('save atari: extending a chain in atari to 2+ liberties', () => {
    // White stone at E5 surrounded on three sides by Black; White to move saves at E4? (E4 is its last liberty)
    const s = ['D5', 'E5', 'F5', 'pass', 'E6'];
    expect(feats(s, 'E4')).toContain(F_SAVE);
  });

  it('response pattern and distance to the last move', () => {
    const f = feats(['E5'], 'E4');
    expect(f.some((x) => x >= RESP_BASE && x < RESP_BASE + 65536)).toBe(true);
    expect(f).toContain(F_DIST + 0);
    expect(feats(['E5'], 'A9').some((x) => x >= RESP_BASE && x < RESP_BASE + 65536)).toBe(false);
  });

  it('own true eyes are not candidates; legal empty points are', () => {
    const s = position(['B1', 'pass', 'A2', 'pass', 'B2', 'pass']); // Black eye at A1
    const b = s.board;
    expect(isCandidate(b, b.fromAction(v('A1')), 1)).toBe(false);
    expect(isCandidate(b, b.fromAction(v('E5')), 1)).toBe(true);
    expect(isCandidate(b, b.fromAction(v('B1')), 1)).toBe(false); // occupied
  });

  it('Lee planes: a ladder capture, ladder escape and self-atari are marked', () => {
    // White C3 in atari-able shape: Black B3, C2; Black to play D3 -> ladder? Use the classic: W at C3, B at B3, C2, D4.
    const s = position(['B3', 'C3', 'C2', 'pass', 'D4', 'pass']);
    const f = leeFeatures(s, 0);
    // Black D3 puts C3 in atari (liberty C4), and C4 then runs into D4's ladder: captured.
    expect(f[v('D3') * LEE_PLANES + 44]).toBe(1);
    // White to move: C4 extends out of atari only into a ladder? With White to move in the atari position:
    const w = position(['B3', 'C3', 'C2', 'pass', 'D4', 'pass', 'D3']);
    const g = leeFeatures(w, 1);
    expect(g[v('C4') * LEE_PLANES + 45]).toBe(0); // the ladder works: no escape
    const far = leeFeatures(position(['B3', 'C3', 'C2', 'pass', 'D3']), 1);
    expect(far[v('C4') * LEE_PLANES + 45]).toBe(1); // without D4 White runs out
  });
});

describe('rollout policy training and storage', () => {
  it('a few SGD epochs lower the loss and beat chance on training games', () => {
    const games = loadExpertGames([writeToyGames(12, 30, 3)]);
    const ex = buildRolloutExamples(games);
    expect(ex.target.length).toBeGreaterThan(200);
    const w = new Float32Array(NUM_ROLLOUT_FEATURES);
    const before = evaluateRollout(w, ex);
    const rng = new Rng(1);
    for (let e = 0; e < 3; e++) sgdEpoch(w, ex, 0.05, rng);
    const after = evaluateRollout(w, ex);
    expect(after.loss).toBeLessThan(before.loss - 0.3);
    // Chance is about 1 / (number of candidates) ~ 1/60; the toy games play next to the last move.
    expect(after.accuracy).toBeGreaterThan(0.1);
  });

  it('plays out a game fast and deterministically for a seed; saves and loads', () => {
    const p = new RolloutPolicy();
    p.weights[F_CAPTURE] = 2;
    const s = position([]);
    const a = s.board.clone();
    const b = s.board.clone();
    const r1 = p.playout(a, 1, NO_POINT, 7.5, new Rng(5), 243);
    const r2 = p.playout(b, 1, NO_POINT, 7.5, new Rng(5), 243);
    expect(r1).toEqual(r2);
    expect(r1.moves).toBeGreaterThan(40);
    const dir = tmp('ro');
    p.save(dir, { epoch: 2 });
    const { policy, meta } = RolloutPolicy.load(dir);
    expect(policy.weights[F_CAPTURE]).toBe(2);
    expect(meta['epoch']).toBe(2);
  });

  it('a missing or malformed rollout file is a UserError', () => {
    expect(() => RolloutPolicy.load(tmp('none'))).toThrow(UserError);
    const d = tmp('bad');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'rollout.json'), '{"format": "other"}');
    expect(() => RolloutPolicy.load(d)).toThrow(/not a tengen rollout policy/);
    writeFileSync(join(d, 'rollout.json'), '{oops');
    expect(() => RolloutPolicy.load(d)).toThrow(UserError);
  });
});

describe('expert data', () => {
  it('splits by game, never by position', () => {
    const games = loadExpertGames([writeToyGames(10, 10, 4)]);
    const { train, test } = splitByGame(games, 0.2, 1);
    expect(test.length).toBe(2);
    expect(train.length).toBe(8);
    const trainPaths = new Set(train.map((g) => g.path));
    for (const g of test) expect(trainPaths.has(g.path)).toBe(false);
    expect(splitByGame(games, 0.2, 1).test.map((g) => g.path)).toEqual(test.map((g) => g.path));
  });

  it('malformed SGF: skipped with a warning, or a UserError naming the file when strict', () => {
    const dir = writeToyGames(2, 6, 5);
    writeFileSync(join(dir, 'broken.sgf'), '(;GM[1]SZ[9];B[ee];W[');
    const warnings: string[] = [];
    expect(loadExpertGames([dir], { warn: (l) => warnings.push(l) })).toHaveLength(2);
    expect(warnings.join()).toMatch(/broken\.sgf/);
    expect(() => loadExpertGames([dir], { skipBad: false })).toThrow(/broken\.sgf/);
    expect(() => loadExpertGames(['/no/such/dir'])).toThrow(UserError);
  });

  it('the 8 symmetries are permutations and move features with the label', () => {
    const perms = symmetryTables(9);
    for (const p of perms) expect(new Set(p).size).toBe(81);
    const set = buildPositions(loadExpertGames([writeToyGames(1, 6, 6)]));
    const per = 81 * LEE_PLANES;
    const x = new Float32Array(per);
    const y = new Int32Array(1);
    fillBatch(set, [3], x, y, perms, [5]);
    // The label point holds the planes of the original expert point (empty, sensible).
    const a0 = set.actions[3]!;
    for (let k = 0; k < LEE_PLANES; k++) expect(x[y[0]! * LEE_PLANES + k]).toBe(set.features[3 * per + a0 * LEE_PLANES + k]);
    expect(y[0]).toBe(perms[5]![a0]);
  });
});
