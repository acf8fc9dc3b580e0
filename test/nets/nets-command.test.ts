import { afterAll, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import * as ort from 'onnxruntime-node';
import { buildResNet } from '../../src/nets/resnet.ts';
import { saveModel } from '../../src/nets/io.ts';
import { register } from '../../src/commands/nets.ts';
import { UserError } from '../../src/util/errors.ts';

/** Run `tengen nets ...` through a program that has only this command; returns stdout. */
async function run(args: string[]): Promise<string> {
  const program = new Command().exitOverride().option('--backend <name>').configureOutput({ writeErr: () => {} });
  register(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['--backend', 'cpu', 'nets', ...args], { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out;
}

const line = (text: string, label: string): number => {
  const m = new RegExp(`^${label}: (\\d+)$`, 'm').exec(text);
  if (!m) throw new Error(`no '${label}' line in:\n${text}`);
  return Number(m[1]);
};

describe('tengen nets summary', () => {
  it('prints the layer table and exact counts for a residual net', async () => {
    const out = await run(['summary', '--arch', 'resnet', '--blocks', '2', '--filters', '8', '--board', '5', '--planes', '3']);
    // stem 3x3x3x8, 1 block of two 3x3x8x8 convs, 3 BN of 8 (+2 +1 in the heads), heads for 26 actions
    const bns = 3 * 8 + 2 + 1;
    const weights = 9 * 3 * 8 + 2 * 9 * 8 * 8 + 8 * 2 + (2 * 25 * 26 + 26) + 8 + (25 * 256 + 256) + 257;
    expect(line(out, 'Trainable params')).toBe(weights + 2 * bns);
    expect(line(out, 'Non-trainable params')).toBe(2 * bns);
    expect(line(out, 'Total params')).toBe(weights + 4 * bns);
    expect(out).toMatch(/res1_conv2 \(Conv2D\)\s+\(None, 5, 5, 8\)\s+576/);
    expect(out).toMatch(/^policy \(Dense\)\s+\(None, 26\)/m);
  });

  it('summarises the AlphaGo Lee policy net', async () => {
    const out = await run(['summary', '--arch', 'lee-policy', '--filters', '4', '--board', '5', '--planes', '2', '--layers', '3']);
    expect(line(out, 'Total params')).toBe(5 * 5 * 2 * 4 + 4 + 9 * 4 * 4 + 4 + 4 + 25);
    expect(out).toContain('position_bias (PositionBias)');
  });

  it('rejects unknown archs, options the arch does not take, and non-numbers with a clear error', async () => {
    await expect(run(['summary', '--arch', 'vgg'])).rejects.toThrow(UserError);
    await expect(run(['summary', '--arch', 'vgg'])).rejects.toThrow(/unknown arch 'vgg'; known archs:/);
    await expect(run(['summary', '--arch', 'lee-value', '--blocks', '3'])).rejects.toThrow(/arch 'lee-value' takes no --blocks option/);
    await expect(run(['summary', '--arch', 'resnet', '--filters', 'many'])).rejects.toThrow(/--filters expects a number, got 'many'/);
  });

  it('lists the archs', async () => {
    const out = await run(['list']);
    for (const a of ['resnet', 'lee-policy', 'lee-value']) expect(out).toMatch(new RegExp(`^${a} `, 'm'));
  });
});

describe('tengen nets export-onnx', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tengen-export-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('turns a saved model directory into an ONNX file that onnxruntime runs', async () => {
    const model = buildResNet({ blocks: 2, filters: 4, inputShape: [3, 3, 2], numActions: 10, seed: 1 });
    await saveModel(model, join(dir, 'net'));
    model.dispose();
    const out = await run(['export-onnx', join(dir, 'net'), join(dir, 'net.onnx')]);
    expect(out).toMatch(/^wrote .*net\.onnx \(\d+ bytes, outputs: policy, value\)/);
    const session = await ort.InferenceSession.create(join(dir, 'net.onnx'));
    expect(session.outputNames).toEqual(['policy', 'value']);
    const res = await session.run({ planes: new ort.Tensor('float32', new Float32Array(18), [1, 3, 3, 2]) });
    expect(res['policy']!.dims).toEqual([1, 10]);
    await session.release();
  });

  it('reports a missing model directory as a user error and writes nothing', async () => {
    await expect(run(['export-onnx', join(dir, 'nope'), join(dir, 'nope.onnx')])).rejects.toThrow(UserError);
    expect(existsSync(join(dir, 'nope.onnx'))).toBe(false);
  });
});
