/**
 * Entry point for a worker process outside the `tengen` CLI (tests and benches spawn it with tsx):
 *   tsx src/cluster/worker-main.ts --cluster redis://127.0.0.1:6379/0 [--backend cpu] [worker flags]
 */
import { Command } from 'commander';
import { register } from '../commands/worker.ts';
import { UserError } from '../util/errors.ts';

const program = new Command().option('--backend <name>').exitOverride();
register(program);
try {
  await program.parseAsync(['worker', ...process.argv.slice(2)], { from: 'user' });
  process.exit(0);
} catch (e) {
  process.stderr.write(`tengen worker: ${e instanceof UserError ? e.message : ((e as Error).stack ?? String(e))}\n`);
  process.exit(2);
}
