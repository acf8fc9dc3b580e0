import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, tf } from '../../src/nets/backend.ts';
import { Rng } from '../../src/util/rng.ts';
import { muLawDecode, muLawEncode, synthClip, wavBytes } from '../../src/sequence/wavenet/audio.ts';
import { WaveNet } from '../../src/sequence/wavenet/wavenet.ts';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
});

describe('mu-law', () => {
  it('maps [-1, 1] onto 0..255 and decodes back within one quantisation step', () => {
    const x = Float32Array.from({ length: 201 }, (_, i) => -1 + i / 100);
    const q = muLawEncode(x);
    expect(q[0]).toBe(0);
    expect(q[200]).toBe(255);
    expect(Math.min(...q)).toBeGreaterThanOrEqual(0);
    const y = muLawDecode(q);
    for (let i = 0; i < x.length; i++) {
      // The step size grows with |x|; near 0 it is tiny, at the ends about 0.03.
      expect(Math.abs(y[i]! - x[i]!)).toBeLessThan(0.035);
    }
    expect(Math.abs(muLawDecode(muLawEncode([0.001]))[0]! - 0.001)).toBeLessThan(1e-3);
  });
});

describe('WaveNet', () => {
  it('has receptive field (kernel - 1) * sum(dilations) + 1', () => {
    const net = new WaveNet({ layersPerStack: 4, stacks: 2, kernel: 2, channels: 4, skipChannels: 4 });
    expect(net.dilations).toEqual([1, 2, 4, 8, 1, 2, 4, 8]);
    expect(net.receptiveField()).toBe(31);
    const k3 = new WaveNet({ layersPerStack: 3, stacks: 1, kernel: 3, channels: 4, skipChannels: 4 });
    expect(k3.receptiveField()).toBe(2 * 7 + 1);
    net.dispose();
    k3.dispose();
  });

  it('is causal: output t depends on inputs t - R + 1 .. t only', () => {
    const net = new WaveNet({ levels: 16, layersPerStack: 3, stacks: 1, channels: 4, skipChannels: 4, seed: 3 });
    const R = net.receptiveField(); // 8
    const T = 20;
    const rng = new Rng(1);
    const a = Array.from({ length: T }, () => rng.int(16));
    const b = a.slice();
    b[12] = (b[12]! + 5) % 16; // change one input
    const run = (seq: number[]): number[][] => tf.tidy(() => net.logits(tf.oneHot(tf.tensor2d([seq], [1, T], 'int32'), 16).toFloat() as tf.Tensor3D).arraySync()[0]!);
    const [la, lb] = [run(a), run(b)];
    for (let t = 0; t < T; t++) {
      const same = la[t]!.every((v, i) => Math.abs(v - lb[t]![i]!) < 1e-6);
      expect(same, `step ${t}`).toBe(t < 12 || t >= 12 + R);
    }
    net.dispose();
  });

  it('training steps lower the negative log-likelihood of a sine, without leaking tensors', () => {
    const net = new WaveNet({ levels: 32, layersPerStack: 4, stacks: 1, channels: 8, skipChannels: 8, seed: 2 });
    const rng = new Rng(4);
    const batch = [0, 1].map(() => muLawEncode(synthClip(64, rng, { noise: 0 }), 31));
    const opt = tf.train.adam(0.03);
    const first = net.trainStep(opt, batch);
    const n0 = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 25; i++) last = net.trainStep(opt, batch);
    expect(tf.memory().numTensors).toBe(n0);
    expect(last).toBeLessThan(first * 0.7);
    const gen = net.generate(batch[0]!.subarray(0, 16), 10, new Rng(1));
    expect(gen.length).toBe(10);
    expect(Array.from(gen).every((v) => v >= 0 && v < 32)).toBe(true);
    net.dispose();
  });

  it('saves and loads: same options and logits (to 1e-6), same generated samples for the same seed', async () => {
    const net = new WaveNet({ levels: 16, layersPerStack: 3, stacks: 2, channels: 4, skipChannels: 6, seed: 5 });
    const dir = mkdtempSync(join(tmpdir(), 'tengen-wavenet-'));
    await net.save(join(dir, 'net'));
    const loaded = await WaveNet.load(join(dir, 'net'));
    expect(loaded.opts).toEqual(net.opts);
    const x = tf.oneHot(tf.tensor2d([[1, 5, 9, 3, 15, 0, 7]], [1, 7], 'int32'), 16).toFloat() as tf.Tensor3D;
    expect(tf.max(tf.abs(tf.sub(net.logits(x), loaded.logits(x)))).dataSync()[0]).toBeLessThan(1e-6);
    const seedLevels = Int32Array.from([3, 4, 5]);
    expect(Array.from(loaded.generate(seedLevels, 6, new Rng(2)))).toEqual(Array.from(net.generate(seedLevels, 6, new Rng(2))));
    net.dispose();
    loaded.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rejects bad shapes and settings', () => {
    expect(() => new WaveNet({ kernel: 1 })).toThrow(/kernel must be at least 2/);
    const net = new WaveNet({ levels: 8, layersPerStack: 1, stacks: 1, channels: 2, skipChannels: 2 });
    expect(() => net.logits(tf.zeros([1, 5, 4]) as tf.Tensor3D)).toThrow(/one-hot over 8 levels/);
    expect(() => net.nll([Int32Array.from([1])])).toThrow(/at least 2 samples/);
    net.dispose();
  });
});

describe('WAV writer', () => {
  it('writes a valid 16-bit mono PCM header and samples', () => {
    const bytes = Buffer.from(wavBytes([0, 1, -1, 0.5], 8000));
    expect(bytes.toString('ascii', 0, 4)).toBe('RIFF');
    expect(bytes.toString('ascii', 8, 12)).toBe('WAVE');
    expect(bytes.readUInt32LE(24)).toBe(8000);
    expect(bytes.readUInt16LE(34)).toBe(16);
    expect(bytes.readUInt32LE(40)).toBe(8);
    expect([0, 1, 2, 3].map((i) => bytes.readInt16LE(44 + 2 * i))).toEqual([0, 32767, -32767, 16384]);
  });
});
