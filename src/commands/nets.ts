/**
 * `tengen nets ...`: inspect neural-net architectures.
 *
 *   tengen nets summary --arch resnet --blocks 20 --filters 256 --board 19 --planes 17 [--actions 362]
 *   tengen nets summary --arch lee-policy --filters 192 --board 19
 *   tengen nets list
 *   tengen nets export-onnx runs/x/best runs/x/best.onnx   (a saved model directory -> ONNX file)
 *
 * The flags of `summary` are the union of the options of the registered archs (src/nets/archs.ts);
 * each arch rejects the flags it does not take. Modules that register more archs must be imported
 * above the registry read (the vision module, when it lands: `import '../vision/archs.ts'`).
 */
import type { Command } from 'commander';
import { UserError } from '../util/errors.ts';
import { initBackend } from '../nets/backend.ts';
import { buildArch, listArchs, type ArchOption } from '../nets/archs.ts';
import { summarizeModel, formatSummary } from '../nets/summary.ts';
import { loadModel } from '../nets/io.ts';
import { exportOnnx } from '../nets/onnx-export.ts';
import { findNetDir } from '../agents/alphazero/net.ts';
import '../vision/archs.ts'; // registers mobilenet, densenet and the U-Net with the arch registry

/** camelCase key commander gives a kebab-case flag. */
const camel = (s: string): string => s.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function parseNumber(flag: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new UserError(`--${flag} expects a number, got '${v}'`);
    return n;
  };
}

/** All options of all archs, each once, with the archs that take it. */
function optionUnion(): { opt: ArchOption; archs: string[] }[] {
  const byName = new Map<string, { opt: ArchOption; archs: string[] }>();
  for (const a of listArchs()) {
    for (const o of a.options) {
      const e = byName.get(o.name);
      if (e) e.archs.push(a.name);
      else byName.set(o.name, { opt: o, archs: [a.name] });
    }
  }
  return [...byName.values()];
}

export function register(program: Command): void {
  const nets = program.command('nets').description('inspect neural-net architectures (summary, parameter and multiply-add counts)');

  nets
    .command('list')
    .description('list the architectures `nets summary --arch` knows, with their options')
    .action(() => {
      for (const a of listArchs()) {
        const opts = a.options.map((o) => `--${o.name}${typeof o.default === 'number' ? ` (${o.default})` : ''}`).join(' ');
        process.stdout.write(`${a.name.padEnd(12)} ${a.description}\n${' '.repeat(13)}${opts}\n`);
      }
    });

  const summary = nets
    .command('summary')
    .description('print a layer table (name, type, output shape, params, multiply-adds) and the exact parameter counts of an architecture')
    .requiredOption('--arch <name>', `architecture: ${listArchs().map((a) => a.name).join(', ')} (defaults: tengen nets list)`)
    .option('--connections', 'add a column naming each layer\'s inputs');
  for (const { opt, archs } of optionUnion()) {
    const def = typeof opt.default === 'number' ? `; default ${opt.default}` : '';
    summary.option(`--${opt.name} <n>`, `${opt.description} [${archs.join(', ')}${archs.length === 1 ? def : ''}]`, parseNumber(opt.name));
  }
  summary.action(async (raw: Record<string, unknown>) => {
    const given: Record<string, number | undefined> = {};
    for (const { opt } of optionUnion()) given[opt.name] = raw[camel(opt.name)] as number | undefined;
    await initBackend({ backend: program.opts()['backend'] as string | undefined, quiet: true });
    const model = buildArch(raw['arch'] as string, given);
    try {
      process.stdout.write(formatSummary(summarizeModel(model), { connections: raw['connections'] === true }) + '\n');
    } finally {
      model.dispose();
    }
  });

  nets
    .command('export-onnx')
    .description('export a saved model directory (model.json + weights.bin) to an ONNX file (opset 13, batch norm folded), written atomically')
    .argument('<model-dir>', 'directory written by saveModel (src/nets/io.ts), or a selfplay run directory (its best net)')
    .argument('<out>', 'the .onnx file to write')
    .action(async (dir: string, out: string) => {
      await initBackend({ backend: program.opts()['backend'] as string | undefined, quiet: true });
      // The directories --model takes elsewhere (bestmove, gtp, play): a net, a run or a checkpoint.
      const netDir = findNetDir(dir);
      if (netDir === null) throw new UserError(`${dir}: no model there (expected model.json in it, or a selfplay run directory with checkpoint/best)`);
      if (netDir !== dir) process.stderr.write(`tengen: exporting ${netDir}\n`);
      const model = await loadModel(netDir);
      try {
        let bytes: Uint8Array;
        try {
          bytes = exportOnnx(model, out);
        } catch (e) {
          if (e instanceof Error && e.message.startsWith('exportOnnx:')) throw new UserError(e.message);
          throw e;
        }
        process.stdout.write(`wrote ${out} (${bytes.length} bytes, outputs: ${model.outputs.map((o) => o.sourceLayer.name).join(', ')})\n`);
      } finally {
        model.dispose();
      }
    });
}
