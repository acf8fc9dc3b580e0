/**
 * Every command that loads a net, given the wrong one: a net for another game or board size, a model
 * that is not a policy-value net, NaN weights, a manifest that points outside its directory, and a
 * run directory where a net directory is expected. One UserError line each (the CLI prints it
 * without a stack), and the run directory accepted wherever --model is.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Readable } from 'node:stream';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { initBackend, tf } from '../../src/nets/backend.ts';
import { saveModel } from '../../src/nets/io.ts';
import { buildNet, netSpecFor, saveNet } from '../../src/agents/alphazero/net.ts';
import { makeGame } from '../../src/env/games/index.ts';
import { runBestmove } from '../../src/commands/bestmove.ts';
import { runArena } from '../../src/commands/arena.ts';
import { playAgent } from '../../src/commands/play.ts';
import { register as registerNets } from '../../src/commands/nets.ts';
import { Pipeline } from '../../src/agents/alphazero/pipeline.ts';
import { UserError } from '../../src/util/errors.ts';
import { tinyConfig } from '../agents/alphazero/tiny-config.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'tengen-models-'));
let tttRun = '';
let nanNet = '';
let notPolicyValue = '';
let escaping = '';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
  const ttt = makeGame('tictactoe');
  const spec = netSpecFor(ttt, 'mlp', 1, 16);
  const model = buildNet(spec, 1);
  // A selfplay run directory: the net lives in checkpoint/best.
  tttRun = tmp();
  await saveNet(join(tttRun, 'checkpoint', 'best'), spec, model);
  nanNet = tmp();
  await saveNet(nanNet, spec, model);
  const w = readFileSync(join(nanNet, 'weights.bin'));
  new Float32Array(w.buffer, w.byteOffset, w.byteLength >> 2).fill(NaN, 0, 8);
  writeFileSync(join(nanNet, 'weights.bin'), w);
  escaping = tmp();
  await saveNet(escaping, spec, model);
  const mj = JSON.parse(readFileSync(join(escaping, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
  mj.weightsManifest[0]!.paths = ['../../etc/hostname'];
  writeFileSync(join(escaping, 'model.json'), JSON.stringify(mj));
  model.dispose();
  notPolicyValue = tmp();
  const single = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [4] })] });
  await saveModel(single, notPolicyValue);
  single.dispose();
}, 60_000);

const quiet = (): (() => void) => {
  const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  return () => e.mockRestore();
};

describe('loading the wrong net', () => {
  it('bestmove, arena and play refuse a tic-tac-toe net for Connect Four, naming both shapes', async () => {
    const restore = quiet();
    try {
      const fits = /the net in .* is for input \[3,3,3\] and 9 actions; connect4 needs \[6,7,3\] and 7/;
      await expect(runBestmove({ game: 'connect4', model: tttRun }, Readable.from(['4\n']), () => {}, () => {})).rejects.toThrow(fits);
      await expect(runArena({ a: `checkpoint:${tttRun}`, b: 'random', game: 'connect4', games: '2' }, () => {}, () => {})).rejects.toThrow(fits);
      await expect(playAgent(makeGame('connect4'), tttRun, { visits: 2 })).rejects.toThrow(fits);
      // The run directory itself is what they take for tic-tac-toe.
      const out: string[] = [];
      await runBestmove({ game: 'tictactoe', model: tttRun, visits: '4' }, Readable.from(['5\n']), (s) => out.push(s), () => {});
      expect(out[0]).toMatch(/^5 [1-9]\n$/);
    } finally {
      restore();
    }
  });

  it('NaN weights, a model that is not a policy-value net and a manifest leaving its directory are one line each', async () => {
    const restore = quiet();
    try {
      await expect(runBestmove({ game: 'tictactoe', model: nanNet }, Readable.from(['5\n']), () => {}, () => {})).rejects.toThrow(/weights\.bin: weight '.*' holds a non-finite value/);
      await expect(playAgent(makeGame('tictactoe'), nanNet, { visits: 2 })).rejects.toThrow(UserError);
      await expect(runBestmove({ game: 'tictactoe', model: notPolicyValue }, Readable.from(['5\n']), () => {}, () => {})).rejects.toThrow(/is not a policy-value net/);
      await expect(runBestmove({ game: 'tictactoe', model: escaping }, Readable.from(['5\n']), () => {}, () => {})).rejects.toThrow(/weightsManifest path "..\/..\/etc\/hostname" is not a file name inside/);
    } finally {
      restore();
    }
  });

  it('selfplay --init-model refuses a NaN net and a net for another game', async () => {
    await expect(Pipeline.create({ runDir: join(tmp(), 'r'), config: tinyConfig({ initModel: nanNet }) })).rejects.toThrow(/non-finite/);
    const c4 = tmp();
    const spec = netSpecFor(makeGame('connect4'), 'mlp', 1, 16);
    const m = buildNet(spec, 1);
    await saveNet(c4, spec, m);
    m.dispose();
    await expect(Pipeline.create({ runDir: join(tmp(), 'r'), config: tinyConfig({ initModel: c4 }) })).rejects.toThrow(/initModel .*: its net is .* on 6x7x3 with 7 actions; this run needs .* on 3x3x3 with 9 actions/);
  });

  it('nets export-onnx takes the run directory that bestmove and gtp take', async () => {
    const program = new Command().exitOverride().option('--backend <name>');
    registerNets(program);
    const out = join(tmp(), 'best.onnx');
    const restoreOut = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const restore = quiet();
    try {
      await program.parseAsync(['nets', 'export-onnx', tttRun, out], { from: 'user' });
    } finally {
      restore();
      restoreOut.mockRestore();
    }
    expect(existsSync(out)).toBe(true);
  });
});
