import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, initBackend } from '../../src/nets/backend.ts';
import { buildResNet } from '../../src/nets/resnet.ts';
import { buildLeePolicyNet, buildLeeValueNet } from '../../src/nets/lee-nets.ts';
import { summarizeModel } from '../../src/nets/summary.ts';
import { loadModel, saveModel } from '../../src/nets/io.ts';
import { toOnnxBytes } from '../../src/nets/onnx-export.ts';
import { maxAbsDiff, randomFloats, randomizeBatchNorm } from './helpers.ts';

let dir = '';
beforeAll(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
  dir = mkdtempSync(join(tmpdir(), 'tengen-nets-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Save to memory and load back, as a file round trip does (topology JSON + weight buffer). */
async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return tf.loadLayersModel(tf.io.fromMemory(artifacts!));
}

function outputs(model: tf.LayersModel, obs: Float32Array, shape: number[]): Float32Array[] {
  return tf.tidy(() => {
    const out = model.predict(tf.tensor(obs, shape));
    return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
  });
}

describe('save and load', () => {
  it('round-trips the residual net (weights, BN moving statistics, names, outputs)', async () => {
    const model = buildResNet({ blocks: 2, filters: 4, inputShape: [4, 4, 3], numActions: 17, seed: 2 });
    randomizeBatchNorm(model, 3);
    const loaded = await roundTrip(model);
    expect(loaded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    expect(summarizeModel(loaded).nonTrainableParams).toBe(summarizeModel(model).nonTrainableParams);
    const obs = randomFloats(2 * 48, 4);
    const [a, b] = [outputs(model, obs, [2, 4, 4, 3]), outputs(loaded, obs, [2, 4, 4, 3])];
    expect(maxAbsDiff(a[0]!, b[0]!)).toBe(0);
    expect(maxAbsDiff(a[1]!, b[1]!)).toBe(0);
    model.dispose();
    loaded.dispose();
  });

  it('round-trips the Lee nets, including the custom PositionBias layer', async () => {
    const pol = buildLeePolicyNet({ board: 5, planes: 3, filters: 4, layers: 3, pass: true, seed: 5 });
    pol.getLayer('position_bias').setWeights([tf.tensor3d(randomFloats(25, 6), [5, 5, 1])]);
    const val = buildLeeValueNet({ board: 5, planes: 4, filters: 4, layers: 3, seed: 7 });
    for (const [m, planes] of [[pol, 3], [val, 4]] as const) {
      const loaded = await roundTrip(m);
      const obs = randomFloats(2 * 25 * planes, 8);
      expect(maxAbsDiff(outputs(m, obs, [2, 5, 5, planes])[0]!, outputs(loaded, obs, [2, 5, 5, planes])[0]!)).toBe(0);
      loaded.dispose();
      m.dispose();
    }
  });
});

describe('save and load through src/nets/io.ts', () => {
  it('round-trips the residual net and the Lee policy net through a model directory', async () => {
    const res = buildResNet({ blocks: 2, filters: 4, inputShape: [3, 3, 2], numActions: 10, seed: 9 });
    randomizeBatchNorm(res, 10);
    const lee = buildLeePolicyNet({ board: 3, planes: 2, filters: 2, layers: 3, seed: 11 });
    lee.getLayer('position_bias').setWeights([tf.tensor3d(randomFloats(9, 12), [3, 3, 1])]);
    for (const [i, m] of [res, lee].entries()) {
      await saveModel(m, join(dir, `m${i}`));
      const loaded = await loadModel(join(dir, `m${i}`));
      const obs = randomFloats(2 * 18, 13 + i);
      const a = outputs(m, obs, [2, 3, 3, 2]);
      const b = outputs(loaded, obs, [2, 3, 3, 2]);
      a.forEach((t, k) => expect(maxAbsDiff(t, b[k]!)).toBe(0));
      // the loaded model exports to the same ONNX graph
      expect(Buffer.from(toOnnxBytes(loaded)).equals(Buffer.from(toOnnxBytes(m)))).toBe(true);
      loaded.dispose();
      m.dispose();
    }
  });
});
