import { describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import '../../src/vision/archs.ts'; // registers mobilenet, densenet121, densenet before the command reads the registry
import { register } from '../../src/commands/nets.ts';

/** Run `tengen nets ...` through a program with only that command; returns stdout. */
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

const num = (text: string, label: string): number => Number(new RegExp(`^${label}: (\\d+)`, 'm').exec(text)?.[1]);

describe('tengen nets summary for the vision archs', () => {
  it('prints MobileNet (alpha 1, 224, 1000 classes) with Keras counts and ~569M multiply-adds', async () => {
    const out = await run(['summary', '--arch', 'mobilenet', '--alpha', '1', '--input', '224', '--classes', '1000']);
    expect(out).toMatch(/conv_dw_13 \(DepthwiseConv2D\)/);
    expect(num(out, 'Total params')).toBe(4_253_864);
    expect(num(out, 'Trainable params')).toBe(4_231_976);
    expect(Math.round(num(out, 'Multiply-adds per example') / 1e6)).toBe(569);
  }, 30_000);

  it('prints DenseNet-121 with Keras counts', async () => {
    const out = await run(['summary', '--arch', 'densenet121', '--input', '224', '--classes', '1000']);
    expect(out).toMatch(/conv5_block16_concat \(Concatenate\)/);
    expect(num(out, 'Total params')).toBe(8_062_504);
    expect(num(out, 'Trainable params')).toBe(7_978_856);
  }, 30_000);

  it('rejects an option the arch does not take', async () => {
    await expect(run(['summary', '--arch', 'densenet121', '--alpha', '0.5'])).rejects.toThrow(/takes no --alpha option/);
  });
});
