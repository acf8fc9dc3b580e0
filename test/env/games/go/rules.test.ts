import { describe, expect, it } from 'vitest';
import { GoGame, fixedHandicap, parseVertex, actionName } from '../../../../src/env/games/go/rules.ts';
import { makeGame } from '../../../../src/env/games/go/../index.ts';
import '../../../../src/env/games/go/index.ts';
import { IllegalMoveError, UserError } from '../../../../src/util/errors.ts';
import { TERMINAL } from '../../../../src/env/games/game.ts';
import { Rng } from '../../../../src/util/rng.ts';

describe('Go rules', () => {
  it('is registered and validates params', () => {
    const g = makeGame('go', { size: 9 });
    expect(g.numActions).toBe(82);
    expect(() => makeGame('go', { size: 4 })).toThrow(UserError);
    expect(() => makeGame('go', { szie: 9 })).toThrow(/unknown parameter/);
  });

  it('GTP coordinates skip I and round-trip', () => {
    expect(actionName(9, 0)).toBe('A9');
    expect(actionName(9, 80)).toBe('J1');
    expect(parseVertex(9, 'd4')).toBe((9 - 4) * 9 + 3);
    expect(parseVertex(9, 'PASS')).toBe(81);
    expect(() => parseVertex(9, 'I5')).toThrow(/no I/);
    expect(() => parseVertex(9, 'K1')).toThrow(UserError);
    for (let a = 0; a <= 361; a++) expect(parseVertex(19, actionName(19, a))).toBe(a);
  });

  it('two passes end the game, scored Tromp-Taylor with komi', () => {
    const g = new GoGame({ size: 5, komi: 0.5 });
    const s = g.newInitialState();
    s.applyAction(parseVertex(5, 'C3'));
    s.applyAction(25);
    expect(s.isTerminal()).toBe(false);
    s.applyAction(25);
    expect(s.isTerminal()).toBe(true);
    expect(s.currentPlayer()).toBe(TERMINAL);
    expect(s.result()).toBe('B+24.5');
    expect(s.returns()).toEqual([1, -1]);
    expect(() => s.applyAction(0)).toThrow(IllegalMoveError);
  });

  it('ends and scores at maxMoves', () => {
    const s = new GoGame({ size: 5, maxMoves: 3 }).newInitialState();
    for (const v of ['C3', 'D4', 'B2']) s.applyAction(parseVertex(5, v));
    expect(s.isTerminal()).toBe(true);
    expect(s.result()).toMatch(/^[BW]\+|^0$/);
    expect(() => new GoGame({ size: 5, maxMoves: 0 })).toThrow(/maxMoves/);
  });

  it('rejects illegal moves without changing the state, and names why', () => {
    const s = new GoGame({ size: 9 }).newInitialState();
    s.applyAction(40);
    const before = s.serialize();
    expect(() => s.applyAction(40)).toThrow(/occupied/);
    expect(() => s.applyAction(82)).toThrow(IllegalMoveError);
    expect(s.serialize()).toBe(before);
  });

  it('positional superko forbids exactly the moves that recreate an earlier position', () => {
    const rng = new Rng(5);
    let forbidden = 0;
    for (let g = 0; g < 60 && forbidden < 3; g++) {
      const s = new GoGame({ size: 5 }).newInitialState();
      const seen = new Set<string>([Array.from(s.board.color).join('')]);
      while (!s.isTerminal() && s.history().length < 150) {
        const col = s.nextColor() + 1;
        for (let a = 0; a < 25; a++) {
          const p = s.board.fromAction(a);
          if (!s.board.isLegal(p, col)) continue;
          const t = s.board.clone();
          t.play(p, col);
          const repeats = seen.has(Array.from(t.color).join(''));
          if (repeats) forbidden++;
          expect(s.isLegal(a)).toBe(!repeats);
        }
        const legal = s.legalActions().filter((a) => a !== 25 && !s.board.isEye(s.board.fromAction(a), col));
        s.applyAction(legal.length ? legal[rng.int(legal.length)]! : 25);
        seen.add(Array.from(s.board.color).join(''));
      }
    }
    expect(forbidden).toBeGreaterThan(0);
    // Simple ko: the immediate recapture is refused in both modes.
    const moves = ['B4', 'C4', 'A3', 'D3', 'B2', 'C2', 'C3', 'B3'].map((v) => parseVertex(5, v));
    for (const mode of ['positional', 'simple'] as const) {
      const t = new GoGame({ size: 5, superko: mode }).newInitialState();
      for (const m of moves) t.applyAction(m);
      expect(t.board.color[t.board.fromAction(parseVertex(5, 'C3'))]).toBe(0);
      expect(t.isLegal(parseVertex(5, 'C3'))).toBe(false);
      expect(t.whyIllegal(parseVertex(5, 'C3'))).toMatch(/ko/);
    }
  });

  it('handicap, resignation, undo and serialize round-trip', () => {
    expect(fixedHandicap(19, 9).map((a) => actionName(19, a)).sort()).toEqual(['D10', 'D16', 'D4', 'K10', 'K16', 'K4', 'Q10', 'Q16', 'Q4'].sort());
    expect(fixedHandicap(9, 2).map((a) => actionName(9, a))).toEqual(['C3', 'G7']);
    const g = new GoGame({ size: 9, handicap: 4 });
    const s = g.newInitialState();
    expect(s.currentPlayer()).toBe(1);
    s.applyAction(40);
    s.applyAction(41);
    const copy = g.deserialize(s.serialize());
    expect(copy.toString()).toBe(s.toString());
    expect(copy.hash()).toBe(s.hash());
    s.undo();
    expect(s.history()).toEqual([40]);
    s.resign(0);
    expect(s.result()).toBe('W+R');
    expect(s.returns()).toEqual([-1, 1]);
    expect(() => g.deserialize('{"b":[],"w":[],"toPlay":0,"moves":[40,40]}')).toThrow(/move 2/);
  });

  it('observations: 17 AlphaGo Zero planes and 48 AlphaGo Lee planes, 8 symmetries', () => {
    const g = new GoGame({ size: 9 });
    const s = g.newInitialState();
    s.applyAction(parseVertex(9, 'E5'));
    s.applyAction(parseVertex(9, 'D5'));
    const o = s.observation(0);
    expect(o.length).toBe(81 * 17);
    const e5 = parseVertex(9, 'E5');
    const d5 = parseVertex(9, 'D5');
    expect(o[e5 * 17 + 0]).toBe(1); // own stone now
    expect(o[d5 * 17 + 8]).toBe(1); // opponent now
    expect(o[d5 * 17 + 9]).toBe(0); // opponent one move ago: not yet there
    expect(o[e5 * 17 + 16]).toBe(1);
    expect(s.observation(1)[0 * 17 + 16]).toBe(0);
    expect(g.symmetries().length).toBe(8);
    const lee = new GoGame({ size: 9, encoding: 'lee' });
    const t = lee.newInitialState();
    t.applyAction(e5);
    const f = t.observation(1);
    expect(f.length).toBe(81 * 48);
    expect(f[e5 * 48 + 1]).toBe(1); // opponent stone
    expect(f[e5 * 48 + 4]).toBe(1); // played 1 turn ago
    expect(f[e5 * 48 + 12 + 3]).toBe(1); // 4 liberties
    expect(f[d5 * 48 + 46]).toBe(1); // sensible
    expect(f[d5 * 48 + 47]).toBe(0);
  });

  it('ladder features: a ladder capture and a failed escape', () => {
    // White stone at C3, black at B3, C2, D4. Black D3 ataris; White runs C4, B4... into the edge: a ladder.
    const g = new GoGame({ size: 9, encoding: 'lee' });
    const s = g.newInitialState();
    for (const v of ['B3', 'C3', 'C2', 'pass', 'D4', 'pass']) s.applyAction(parseVertex(9, v));
    const f = s.observation(0);
    expect(f[parseVertex(9, 'D3') * 48 + 44]).toBe(1);
    expect(f[parseVertex(9, 'H8') * 48 + 44]).toBe(0);
    // After Black D3, White's extension at C4 does not escape the ladder.
    s.applyAction(parseVertex(9, 'D3'));
    const w = s.observation(1);
    expect(w[parseVertex(9, 'C4') * 48 + 45]).toBe(0);
    expect(f[parseVertex(9, 'H8') * 48 + 44]).toBe(0);
  });
});

describe('Go territory estimate', () => {
  it('gives enclosed areas to their owner and leaves the far side to influence', async () => {
    const { estimateTerritory } = await import('../../../../src/env/games/go/estimate.ts');
    const s = new GoGame({ size: 9, komi: 0 }).newInitialState();
    // A black wall on column C and a white wall on column G.
    for (let r = 1; r <= 9; r++) {
      s.applyAction(parseVertex(9, `C${r}`));
      s.applyAction(parseVertex(9, `G${r}`));
    }
    const e = estimateTerritory(s);
    expect(e.ownership[parseVertex(9, 'A5')]).toBe(1);
    expect(e.ownership[parseVertex(9, 'J5')]).toBe(-1);
    expect(e.ownership[parseVertex(9, 'E5')]).toBe(0);
    expect(e.black).toBe(36); // columns A-C plus D by influence
    expect(e.white).toBe(36);
  });
});
