/**
 * The `tengen` command. Each user job is one sub-command, defined in its own file under
 * src/commands/ (a `register(program)` function), so the CLI stays a thin index.
 */
import { Command, CommanderError } from 'commander';
import { UserError } from './util/errors.ts';
import { registerCommands } from './commands/index.ts';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('tengen')
    .description('Reinforcement-learning and game-playing engine: environments, board games, Go, MCTS, AlphaZero.')
    .version('0.1.0')
    .option('--backend <name>', 'tensor backend: tensorflow-gpu, tensorflow, wasm or cpu (default: best available; also TENGEN_BACKEND)')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`${str.split('\n')[0]!.replace(/^error: /, 'tengen: ')} (see tengen --help)\n`) });
  registerCommands(program);
  program.command('help [command]', { hidden: true }).action((name?: string) => {
    const sub = name ? program.commands.find((c) => c.name() === name) : undefined;
    (sub ?? program).outputHelp();
  });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit with code 0; usage errors were already printed as one line.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof UserError) {
      process.stderr.write(`tengen: ${e.message}\n`);
      // Usage errors exit 2; a UserError subclass may carry its own code (solve: 1 when lines fail).
      const code = (e as { exitCode?: unknown }).exitCode;
      return typeof code === 'number' ? code : 2;
    }
    throw e;
  }
}

/** Run the CLI as a process: sets the exit code (0 ok, 2 usage error, 1 internal error). */
export function runAsProcess(): void {
  main(process.argv.slice(2)).then(
    (code) => {
      // A command that set its own status (train: 130 when interrupted) keeps it.
      if (code !== 0 || process.exitCode === undefined) process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`tengen: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}

if (process.argv[1] !== undefined && /(?:^|[\\/])cli\.ts$/.test(process.argv[1])) runAsProcess();
