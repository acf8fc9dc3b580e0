import { describe, expect, it } from 'vitest';
import { makeGame } from '../../src/env/games/index.ts';
import { MCTS, NetEvaluator, maskedSoftmax, type PolicyValueModel } from '../../src/mcts/index.ts';

const c4 = makeGame('connect4');

/** A stand-in model: logit = column index, value = +0.5; records what it was given. */
class FakeModel implements PolicyValueModel {
  inputs: { n: number; len: number }[] = [];
  async predict(input: Float32Array, n: number): Promise<{ logits: Float32Array; value: Float32Array }> {
    this.inputs.push({ n, len: input.length });
    const logits = new Float32Array(n * 7);
    for (let i = 0; i < n * 7; i++) logits[i] = i % 7;
    return { logits, value: new Float32Array(n).fill(0.5) };
  }
}

describe('NetEvaluator', () => {
  it('batches observations, masks illegal moves and normalises the policy', async () => {
    const model = new FakeModel();
    const ev = new NetEvaluator(c4, model);
    const full = c4.deserialize('connect4:6,6,6,6,6,6');
    const out = await ev.evaluate([c4.newInitialState(), full]);
    expect(model.inputs).toEqual([{ n: 2, len: 2 * 6 * 7 * 3 }]);
    expect(out.value[0]).toBeCloseTo(0.5);
    const p = out.policy[1]!;
    expect(p[6]).toBe(0);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(p[5]! / p[4]!).toBeCloseTo(Math.E, 4);
    // A search driven by it prefers the high-logit columns.
    const r = await new MCTS(c4, { seed: 1, evaluator: ev, batchSize: 4 }).search(c4.newInitialState(), { visits: 100 });
    expect(r.action).toBe(6);
  });

  it('rejects a model output of the wrong size', async () => {
    const bad: PolicyValueModel = { predict: async () => ({ logits: new Float32Array(3), value: new Float32Array(1) }) };
    await expect(new NetEvaluator(c4, bad).evaluate([c4.newInitialState()])).rejects.toThrow(/returned 3 logits/);
    expect(Array.from(maskedSoftmax(Float32Array.of(1, 2), Uint8Array.of(0, 0)))).toEqual([0, 0]);
  });
});
