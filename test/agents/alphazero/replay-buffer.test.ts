import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReplayBuffer } from '../../../src/agents/alphazero/replay-buffer.ts';
import { makeGame } from '../../../src/env/games/index.ts';
import { Rng } from '../../../src/util/rng.ts';

const game = makeGame('tictactoe');
const obsSize = 27;

function position(moves: number[]): { obs: Float32Array; legal: Uint8Array } {
  const s = game.newInitialState();
  for (const m of moves) s.applyAction(m);
  return { obs: s.observation(s.currentPlayer() as 0 | 1), legal: s.legalMask() };
}

describe('ReplayBuffer', () => {
  it('augments with symmetries: a transformed observation gets the transformed pi', () => {
    const moves = [0, 5, 7]; // an asymmetric position
    const { obs } = position(moves);
    // A target that names each legal cell distinctly, so a wrong action map shows.
    const pi = new Float32Array(9);
    const legal = game.newInitialState();
    for (const m of moves) legal.applyAction(m);
    legal.legalActions().forEach((a, k) => (pi[a] = k + 1));
    const buf = new ReplayBuffer(10, obsSize, 9);
    buf.add(obs, pi, 0.5);
    const syms = game.symmetries!();
    const seen = new Set<string>();
    const s = buf.sample(200, new Rng(3), syms);
    for (let k = 0; k < s.n; k++) {
      const o = s.obs.subarray(k * obsSize, (k + 1) * obsSize);
      const p = s.pi.subarray(k * 9, (k + 1) * 9);
      // Which symmetry made this sample? Replaying the mapped moves must give the same planes.
      const sym = syms.find((y) => position(moves.map((m) => y.mapAction(m))).obs.every((v, i) => v === o[i]));
      expect(sym).toBeDefined();
      seen.add(sym!.name);
      const mapped = position(moves.map((m) => sym!.mapAction(m)));
      for (let a = 0; a < 9; a++) {
        expect(p[sym!.mapAction(a)]).toBe(pi[a]);
        // The target's support is exactly the transformed position's legal moves.
        expect(p[a]! > 0).toBe(mapped.legal[a] === 1);
      }
      expect(s.z[k]).toBe(0.5);
    }
    expect(seen.size).toBe(8);
  });

  it('keeps a sliding window of the newest positions', () => {
    const buf = new ReplayBuffer(3, 1, 1);
    for (let i = 0; i < 5; i++) buf.add(Float32Array.of(i), Float32Array.of(1), i);
    expect(buf.size).toBe(3);
    expect([0, 1, 2].map((i) => buf.get(i).z)).toEqual([2, 3, 4]);
    expect(buf.totalAdded).toBe(5);
  });

  it('saves and loads exactly, and samples the same afterwards', () => {
    const rng = new Rng(1);
    const buf = new ReplayBuffer(50, obsSize, 9);
    for (let i = 0; i < 70; i++) {
      const o = new Float32Array(obsSize).map(() => rng.next());
      const p = new Float32Array(9).map(() => rng.next());
      buf.add(o, p, rng.next() * 2 - 1);
    }
    const path = join(mkdtempSync(join(tmpdir(), 'tengen-rb-')), 'buffer.bin');
    buf.save(path);
    const back = ReplayBuffer.load(path);
    expect(back.size).toBe(50);
    expect(back.totalAdded).toBe(70);
    const a = buf.sample(32, new Rng(9), game.symmetries!());
    const b = back.sample(32, new Rng(9), game.symmetries!());
    expect(Array.from(b.obs)).toEqual(Array.from(a.obs));
    expect(Array.from(b.pi)).toEqual(Array.from(a.pi));
    expect(Array.from(b.z)).toEqual(Array.from(a.z));
  });

  it('rejects a damaged file with a clear error', () => {
    const buf = new ReplayBuffer(4, 2, 2);
    buf.add(Float32Array.of(1, 2), Float32Array.of(0.5, 0.5), 1);
    const bytes = buf.toBytes();
    expect(() => ReplayBuffer.fromBytes(bytes.subarray(0, bytes.length - 4))).toThrow(/truncated/);
  });
});
