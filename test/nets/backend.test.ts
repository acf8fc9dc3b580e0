import { describe, expect, it } from 'vitest';
import { tf, initBackend, backendName, availableBackends, BACKEND_NAMES } from '../../src/nets/backend.ts';
import { UserError } from '../../src/util/errors.ts';

describe('tensor backend selection', () => {
  it('reports nothing before initialisation', () => {
    expect(backendName()).toBeNull();
  });

  it('picks the best available backend (wasm here unless tfjs-node is installed) and is idempotent', async () => {
    const avail = availableBackends();
    expect(avail).toContain('wasm');
    expect(avail).toContain('cpu');
    const name = await initBackend({ quiet: true });
    expect(name).toBe(avail[0]);
    expect(backendName()).toBe(name);
    expect(await initBackend({ quiet: true })).toBe(name);
    // tensors compute on it
    const s = tf.tidy(() => tf.tensor1d([1, 2, 3]).square().sum().dataSync()[0]);
    expect(s).toBe(14);
  });

  it('switches when a backend is named, and follows tf.setBackend', async () => {
    expect(await initBackend({ backend: 'cpu', quiet: true })).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(await initBackend({ backend: 'WASM', quiet: true })).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    await tf.setBackend('cpu');
    expect(backendName()).toBe('cpu');
    await tf.setBackend('wasm');
  });

  it('rejects an unknown backend name with the list of names and what is available', async () => {
    const err = await initBackend({ backend: 'cuda', quiet: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    const msg = (err as Error).message;
    expect(msg).toContain("'cuda'");
    for (const n of BACKEND_NAMES) expect(msg).toContain(n);
    expect(msg).toContain('available here: ');
    // the previous choice stays in force
    expect(tf.getBackend()).toBe('wasm');
  });

  it.skipIf(availableBackends().includes('tensorflow'))('names a missing tfjs-node package and how to install it', async () => {
    const err = await initBackend({ backend: 'tensorflow', quiet: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/tensor backend 'tensorflow' is not available: @tensorflow\/tfjs-node is not installed .*available here: .*wasm, cpu/);
  });

  it('reads TENGEN_BACKEND when no name is passed', async () => {
    process.env['TENGEN_BACKEND'] = 'cpu';
    try {
      expect(await initBackend({ quiet: true })).toBe('cpu');
    } finally {
      delete process.env['TENGEN_BACKEND'];
    }
    await initBackend({ backend: 'wasm', quiet: true });
  });

  it('logs one line naming the backend unless quiet', async () => {
    const writes: string[] = [];
    const orig = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      await initBackend({ backend: 'cpu' });
    } finally {
      process.stderr.write = orig;
    }
    expect(writes.filter((w) => w.includes('tengen: tensor backend'))).toEqual(['tengen: tensor backend cpu\n']);
    await initBackend({ backend: 'wasm', quiet: true });
  });

  it('leaves no emscripten process handlers behind (crashes print the error, not minified code)', async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    const src = process.listeners('uncaughtException').map((l) => String(l));
    expect(src.some((s) => s.includes('ExitStatus'))).toBe(false);
  });
});
