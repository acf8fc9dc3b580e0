import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/nets/backend.ts';
import { buildResNet } from '../../src/nets/resnet.ts';
import { randomFloats } from './helpers.ts';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
});

function logits(model: tf.LayersModel, obs: Float32Array, shape: [number, number, number]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor4d(obs, [1, ...shape])) as tf.Tensor[])[0]!.dataSync() as Float32Array);
}

describe('residual net, convolutional policy head', () => {
  it('gives one logit per point, row-major as the observation, plus a pass logit last', () => {
    // One block: the stem's 3x3 conv and the heads. A change at one cell may move only the logits of
    // the points within one step of it (and the pass, which pools the whole board).
    const shape: [number, number, number] = [5, 6, 4];
    const model = buildResNet({ blocks: 1, filters: 8, inputShape: shape, numActions: 31, seed: 5, policyHead: 'conv' });
    const obs = randomFloats(5 * 6 * 4, 9);
    const before = logits(model, obs, shape);
    expect(before.length).toBe(31);
    const [r0, c0] = [1, 4];
    const moved = obs.slice();
    for (let k = 0; k < 4; k++) moved[(r0 * 6 + c0) * 4 + k]! += 3;
    const after = logits(model, moved, shape);
    const changed: number[] = [];
    for (let a = 0; a < 31; a++) if (Math.abs(after[a]! - before[a]!) > 1e-6) changed.push(a);
    const near = (a: number): boolean => Math.abs(Math.floor(a / 6) - r0) <= 1 && Math.abs((a % 6) - c0) <= 1;
    expect(changed).toContain(r0 * 6 + c0);
    expect(changed.filter((a) => a < 30 && !near(a))).toEqual([]);
    model.dispose();
  });

  it('the dense head (the paper\'s) has no such locality: every logit moves', () => {
    const shape: [number, number, number] = [5, 6, 4];
    const model = buildResNet({ blocks: 1, filters: 8, inputShape: shape, numActions: 31, seed: 5 });
    const obs = randomFloats(5 * 6 * 4, 9);
    const moved = obs.slice();
    for (let k = 0; k < 4; k++) moved[(1 * 6 + 4) * 4 + k]! += 3;
    const before = logits(model, obs, shape);
    const after = logits(model, moved, shape);
    const far = [0, 6, 24, 25].filter((a) => Math.abs(after[a]! - before[a]!) > 1e-6);
    expect(far.length).toBeGreaterThan(0);
    model.dispose();
  });

  it('without a pass (numActions = points) has no pass logit and keeps the output name', () => {
    const model = buildResNet({ blocks: 2, filters: 8, inputShape: [7, 7, 3], numActions: 49, seed: 1, policyHead: 'conv' });
    expect(model.outputs.map((t) => t.sourceLayer.name)).toEqual(['policy', 'value']);
    expect(model.outputs[0]!.shape).toEqual([null, 49]);
    expect(() => model.getLayer('policy_pass')).toThrow();
    model.dispose();
  });

  it('refuses a game whose actions are not its points, saying what fits', () => {
    // Connect Four: 6x7 board, 7 column actions
    expect(() => buildResNet({ blocks: 1, filters: 8, inputShape: [6, 7, 2], numActions: 7, policyHead: 'conv' })).toThrow(/needs one action per board point \(42\) or one more for a pass \(43\), got numActions 7/);
    expect(() => buildResNet({ blocks: 1, filters: 8, inputShape: [6, 7, 2], numActions: 7, policyHead: 'wide' as 'conv' })).toThrow(/policyHead must be 'dense' or 'conv'/);
  });
});
