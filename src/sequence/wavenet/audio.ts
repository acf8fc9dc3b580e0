/**
 * Audio helpers for WaveNet: mu-law companding and quantisation to 256 levels, a synthetic
 * dataset (sums of sines with noise), and a 16-bit PCM WAV writer.
 */
import { Rng } from '../../util/rng.ts';
import { UserError } from '../../util/errors.ts';
import { writeFileAtomic } from '../../util/fs.ts';

/** mu-law encode x in [-1, 1] to an integer level in [0, mu]. */
export function muLawEncode(x: ArrayLike<number>, mu = 255): Int32Array {
  const out = new Int32Array(x.length);
  const l = Math.log1p(mu);
  for (let i = 0; i < x.length; i++) {
    const v = Math.max(-1, Math.min(1, x[i]!));
    const f = (Math.sign(v) * Math.log1p(mu * Math.abs(v))) / l;
    out[i] = Math.floor(((f + 1) / 2) * mu + 0.5);
  }
  return out;
}

/** Inverse of muLawEncode (to the centre of each level). */
export function muLawDecode(q: ArrayLike<number>, mu = 255): Float32Array {
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) {
    const f = (2 * q[i]!) / mu - 1;
    out[i] = (Math.sign(f) * (Math.pow(1 + mu, Math.abs(f)) - 1)) / mu;
  }
  return out;
}

/** A clip of `length` samples: 1-3 sines of random frequency and phase plus Gaussian noise, scaled into [-0.9, 0.9]. */
export function synthClip(length: number, rng: Rng, opts: { sampleRate?: number; noise?: number } = {}): Float32Array {
  const sr = opts.sampleRate ?? 8000;
  const noise = opts.noise ?? 0.02;
  const k = 1 + rng.int(3);
  const comps = Array.from({ length: k }, () => ({ f: rng.uniform(100, 800), p: rng.uniform(0, 2 * Math.PI), a: rng.uniform(0.3, 1) }));
  const x = new Float32Array(length);
  let peak = 1e-9;
  for (let t = 0; t < length; t++) {
    let v = 0;
    for (const c of comps) v += c.a * Math.sin((2 * Math.PI * c.f * t) / sr + c.p);
    v += rng.normal(0, noise);
    x[t] = v;
    peak = Math.max(peak, Math.abs(v));
  }
  for (let t = 0; t < length; t++) x[t] = (0.9 * x[t]!) / peak;
  return x;
}

/** 16-bit mono PCM WAV bytes. */
export function wavBytes(samples: ArrayLike<number>, sampleRate = 8000): Uint8Array {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new UserError(`sampleRate must be a positive integer, got ${sampleRate}`);
  const n = samples.length;
  const buf = Buffer.alloc(44 + 2 * n);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + 2 * n, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16); // PCM chunk size
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(2 * n, 40);
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(Math.max(-1, Math.min(1, samples[i]!)) * 32767), 44 + 2 * i);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

export function writeWav(path: string, samples: ArrayLike<number>, sampleRate = 8000): void {
  writeFileAtomic(path, wavBytes(samples, sampleRate));
}
