import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, tf } from '../../src/nets/backend.ts';
import { loadModel, saveModel } from '../../src/nets/io.ts';
import { buildMobileNet } from '../../src/vision/mobilenet.ts';
import { buildDenseNet } from '../../src/vision/densenet.ts';
import { buildUNet } from '../../src/vision/segmentation.ts';
import { buildDetector } from '../../src/vision/ssd.ts';
import { loadVisionModel, type VisionKind } from '../../src/vision/saved.ts';

let root: string;
beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  root = mkdtempSync(join(tmpdir(), 'tengen-vision-saved-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** One short fit so batch-norm moving statistics move away from their initial values (they must round-trip too). */
async function nudge(model: tf.LayersModel, inShape: number[]): Promise<void> {
  const outShape = model.outputs[0]!.shape.slice(1) as number[];
  const x = tf.randomUniform([4, ...inShape], 0, 1, 'float32', 3);
  const y = tf.randomUniform([4, ...outShape], 0, 1, 'float32', 4);
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
  await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
  tf.dispose([x, y]);
}

const cases: Array<{ kind: VisionKind; build: () => tf.LayersModel; inShape: number[] }> = [
  { kind: 'mobilenet', build: () => buildMobileNet({ alpha: 0.25, inputSize: 32, classes: 4, seed: 1 }), inShape: [32, 32, 3] },
  { kind: 'densenet', build: () => buildDenseNet({ blocks: [2, 2], growth: 4, inputSize: 16, classes: 3, stem: 'small', seed: 2 }), inShape: [16, 16, 3] },
  { kind: 'unet', build: () => buildUNet({ size: 16, classes: 3, base: 4, depth: 2, seed: 3 }), inShape: [16, 16, 3] },
  { kind: 'detector', build: () => buildDetector({ size: 32, classes: 2, alpha: 0.5, seed: 4 }), inShape: [32, 32, 3] },
];

describe('saving the vision models', () => {
  for (const c of cases) {
    it(`${c.kind}: saveModel then loadVisionModel gives the same outputs (to 1e-6), kind and config`, async () => {
      const model = c.build();
      await nudge(model, c.inShape);
      const dir = join(root, c.kind);
      await saveModel(model, dir);
      const loaded = await loadVisionModel(dir, c.kind);
      expect(loaded.kind).toBe(c.kind);
      expect(loaded.config).toEqual(JSON.parse(JSON.stringify((model.getUserDefinedMetadata() as { tengen: { config: unknown } }).tengen.config)));
      const x = tf.randomUniform([2, ...c.inShape], 0, 1, 'float32', 9);
      const [a, b] = [model, loaded.model].map((m) => m.predict(x) as tf.Tensor);
      expect(tf.max(tf.abs(tf.sub(a!, b!))).dataSync()[0]).toBeLessThan(1e-6);
      // tfjs' own loader reads the same directory (the header rides along as metadata).
      const plain = await loadModel(dir);
      expect((plain.getUserDefinedMetadata() as { tengen: { kind: string } }).tengen.kind).toBe(c.kind);
      tf.dispose([x, a!, b!]);
      [model, loaded.model, plain].forEach((m) => m.dispose());
    });
  }

  it('refuses a model of another kind, naming both', async () => {
    await expect(loadVisionModel(join(root, 'unet'), 'mobilenet')).rejects.toThrow(/holds a unet model, expected mobilenet/);
  });
});

describe('recalibrateBatchNorm', () => {
  it('sets the moving statistics to the population ones: inference on the calibration images equals training-mode output', async () => {
    const { recalibrateBatchNorm } = await import('../../src/vision/recalibrate.ts');
    const model = buildMobileNet({ alpha: 0.25, inputSize: 32, classes: 3, dropout: 0, seed: 5 });
    await nudge(model, [32, 32, 3]);
    const x = tf.randomUniform([12, 32, 32, 3], 0, 1, 'float32', 21) as tf.Tensor4D;
    const gap = (): number => tf.tidy(() => tf.max(tf.abs(tf.sub(model.predict(x) as tf.Tensor, model.apply(x, { training: true }) as tf.Tensor))).dataSync()[0]!);
    expect(gap()).toBeGreaterThan(1e-3);
    const before = tf.memory().numTensors;
    expect(recalibrateBatchNorm(model, x, 5)).toBe(27);
    expect(tf.memory().numTensors).toBe(before);
    expect(gap()).toBeLessThan(1e-4);
    x.dispose();
    model.dispose();
  });
});
