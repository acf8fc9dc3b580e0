import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, initBackend } from '../../src/nets/backend.ts';
import { loadModel, loadWeights, readExtra, readMetadata, saveModel, saveWeights, writeExtra } from '../../src/nets/io.ts';
import { UserError } from '../../src/util/errors.ts';

let root: string;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  root = mkdtempSync(join(tmpdir(), 'tengen-io-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function smallNet(seed: number): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [5, 5, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }));
  m.add(tf.layers.batchNormalization());
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
  return m;
}

const input = (): tf.Tensor => tf.randomUniform([4, 5, 5, 2], -1, 1, 'float32', 42);

function predict(m: tf.LayersModel): Float32Array {
  return tf.tidy(() => (m.predict(input()) as tf.Tensor).dataSync() as Float32Array);
}

async function errorOf(p: Promise<unknown> | (() => unknown)): Promise<Error> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('saveModel / loadModel', () => {
  it('round-trips a layers model: predictions equal exactly, tfjs-node file layout', async () => {
    const dir = join(root, 'net');
    const m = smallNet(1);
    await saveModel(m, dir, { metadata: { game: 'tictactoe', step: 7 } });
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.generatedBy).toMatch(/TensorFlow\.js tfjs-layers/);
    expect(json).toHaveProperty('convertedBy');
    expect(json.modelTopology.config.layers.length).toBe(4);
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    const names = json.weightsManifest[0].weights.map((w: { name: string }) => w.name);
    expect(names.length).toBe(m.getWeights().length);
    expect(readMetadata(dir)).toEqual({ game: 'tictactoe', step: 7 });

    const loaded = await loadModel(dir);
    expect(Array.from(predict(loaded))).toEqual(Array.from(predict(m)));
    m.dispose();
    loaded.dispose();
  });

  it('loads with tfjs own loader through the same files (tf.loadLayersModel + handler)', async () => {
    const { dirLoadHandler } = await import('../../src/nets/io.ts');
    const dir = join(root, 'net');
    const viaTf = await tf.loadLayersModel(dirLoadHandler(dir));
    const viaUs = await loadModel(dir);
    expect(Array.from(predict(viaTf))).toEqual(Array.from(predict(viaUs)));
    viaTf.dispose();
    viaUs.dispose();
  });

  it('overwrites an existing model and leaves no temp or old directories', async () => {
    const dir = join(root, 'over');
    const a = smallNet(10);
    const b = smallNet(20);
    await saveModel(a, dir);
    await saveModel(b, dir);
    const loaded = await loadModel(dir);
    expect(Array.from(predict(loaded))).toEqual(Array.from(predict(b)));
    expect(Array.from(predict(loaded))).not.toEqual(Array.from(predict(a)));
    expect(readdirSync(root).filter((n) => n.startsWith('.over.'))).toEqual([]);
    [a, b, loaded].forEach((m) => m.dispose());
  });

  it('a save killed mid-swap (old copy set aside, new not yet in place) still loads the previous model', async () => {
    const dir = join(root, 'killed');
    const a = smallNet(30);
    await saveModel(a, dir);
    // The state between the two renames of a save: `dir` moved aside, the new one a temp dir.
    renameSync(dir, join(root, '.killed.old-123-x'));
    const loaded = await loadModel(dir);
    expect(Array.from(predict(loaded))).toEqual(Array.from(predict(a)));
    // The next save completes and cleans up.
    await saveModel(a, dir);
    expect(readdirSync(root).filter((n) => n.startsWith('.killed.'))).toEqual([]);
    a.dispose();
    loaded.dispose();
  });

  it('keeps optimizer weights and extra JSON documents alongside', async () => {
    const dir = join(root, 'withopt');
    const m = smallNet(40);
    m.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    await m.fit(input(), tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3), { epochs: 1, verbose: 0 });
    await saveModel(m, dir, { includeOptimizer: true, extra: { trainer: { step: 12, rng: [1, 2, 3] } } });
    expect(readExtra(dir, 'trainer')).toEqual({ step: 12, rng: [1, 2, 3] });
    expect(readExtra(dir, 'absent')).toBeUndefined();
    writeExtra(dir, 'notes', { text: 'hi' });
    expect(readExtra(dir, 'notes')).toEqual({ text: 'hi' });
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].weights.some((w: { group?: string }) => w.group === 'optimizer')).toBe(true);
    const loaded = await loadModel(dir);
    expect(Array.from(predict(loaded))).toEqual(Array.from(predict(m)));
    expect(loaded.optimizer).toBeDefined();
    m.dispose();
    loaded.dispose();
    await expect(saveModel(smallNet(1), join(root, 'bad'), { extra: { '../x': 1 } })).rejects.toThrow(/extra document name '\.\.\/x' is not allowed/);
    expect(existsSync(join(root, 'bad'))).toBe(false);
  });
});

describe('saveWeights / loadWeights (custom nets)', () => {
  it('round-trips a named weights map exactly, dtypes and shapes included', async () => {
    const dir = join(root, 'custom');
    const w = { 'policy/w': tf.randomNormal([3, 4], 0, 1, 'float32', 1), 'value/b': tf.tensor1d([1.5, -2]), steps: tf.tensor1d([7, 8, 9], 'int32') };
    await saveWeights(w, dir, { extra: { arch: { blocks: 2 } } });
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.modelTopology).toBeNull();
    const back = loadWeights(dir);
    expect(Object.keys(back).sort()).toEqual(Object.keys(w).sort());
    for (const [k, t] of Object.entries(w)) {
      expect(back[k]!.dtype).toBe(t.dtype);
      expect(back[k]!.shape).toEqual(t.shape);
      expect(Array.from(back[k]!.dataSync())).toEqual(Array.from(t.dataSync()));
    }
    expect(readExtra(dir, 'arch')).toEqual({ blocks: 2 });
    const err = await errorOf(loadModel(dir));
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/plain weights map, not a layers model; load it with loadWeights/);
    tf.dispose([...Object.values(w), ...Object.values(back)]);
  });
});

describe('clear errors for damaged model directories', () => {
  async function saved(name: string): Promise<string> {
    const dir = join(root, name);
    const m = smallNet(50);
    await saveModel(m, dir);
    m.dispose();
    return dir;
  }

  it('truncated weights.bin: names the file, its size and the size the manifest needs', async () => {
    const dir = await saved('trunc');
    const full = readFileSync(join(dir, 'weights.bin')).byteLength;
    truncateSync(join(dir, 'weights.bin'), 100);
    const err = await errorOf(loadModel(dir));
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toBe(`${join(dir, 'weights.bin')} has 100 bytes, the manifest needs ${full} (truncated?)`);
    expect((await errorOf(() => loadWeights(dir))).message).toContain('has 100 bytes');
  });

  it('missing weights.bin', async () => {
    const dir = await saved('nobin');
    unlinkSync(join(dir, 'weights.bin'));
    const err = await errorOf(loadModel(dir));
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/weights\.bin is missing; model\.json's manifest needs it \(\d+ bytes of weights in all\)/);
  });

  it('missing model.json, missing directory', async () => {
    const dir = await saved('nojson');
    unlinkSync(join(dir, 'model.json'));
    expect((await errorOf(loadModel(dir))).message).toMatch(/model\.json is missing; expected a model saved by tengen or tfjs-node/);
    const err = await errorOf(loadModel(join(root, 'nowhere')));
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/model directory .*nowhere does not exist/);
  });

  it('corrupt or wrong-shaped model.json', async () => {
    const dir = await saved('corrupt');
    writeFileSync(join(dir, 'model.json'), '{"modelTopology": {"class_name": ');
    const err = await errorOf(loadModel(dir));
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/model\.json is not valid JSON \(.+\); expected a tfjs model\.json/);
    writeFileSync(join(dir, 'model.json'), '{"modelTopology": {}, "weightsManifest": 3}');
    expect((await errorOf(loadModel(dir))).message).toMatch(/has no valid weightsManifest; expected a list of \{paths, weights\} groups/);
    writeFileSync(join(dir, 'model.json'), '[1,2]');
    expect((await errorOf(loadModel(dir))).message).toMatch(/is not a JSON object/);
  });

  it('corrupt extra JSON names its file', async () => {
    const dir = await saved('badextra');
    writeFileSync(join(dir, 'meta.json'), '{oops');
    expect((await errorOf(() => readExtra(dir, 'meta'))).message).toMatch(/meta\.json is not valid JSON/);
  });
});

describe('saveWeights with float16 precision', () => {
  it('stores IEEE half floats that tfjs decodes: exact where representable, nearest-even rounding, subnormals, overflow to infinity', async () => {
    const dir = join(root, 'half');
    const values = [0, 1, -2, 0.5, 65504, 1e-5, 2 ** -24, 0.1, 70000, -70000, 1 + 2 ** -11, 1 + 3 * 2 ** -11];
    const expected = [0, 1, -2, 0.5, 65504, 1.0013580322265625e-5, 2 ** -24, 0.0999755859375, Infinity, -Infinity, 1, 1 + 2 ** -9];
    const ints = tf.tensor1d([3, -4], 'int32');
    const floats = tf.tensor1d(values);
    await saveWeights({ floats, ints }, dir, { precision: 'float16' });
    expect(readFileSync(join(dir, 'weights.bin')).byteLength).toBe(values.length * 2 + 2 * 4);
    const back = loadWeights(dir);
    expect(Array.from(back['floats']!.dataSync())).toEqual(expected);
    expect(back['ints']!.dtype).toBe('int32');
    expect(Array.from(back['ints']!.dataSync())).toEqual([3, -4]);
    tf.dispose([ints, floats, ...Object.values(back)]);
  });
});
