/**
 * `tengen gtp [--model PATH] [--visits N | --time S] [--size N] [--komi K] [--seed N]`: a GTP v2 Go
 * engine on stdin/stdout, for Sabaki, GoGui, KGS clients and `tengen match`. The default player is
 * UCT with random rollouts; --model DIR (a net saved by `tengen selfplay --game go`, or its run
 * directory) plays PUCT guided by that net, on the board size it was trained for.
 */
import type { Command } from 'commander';
import { UserError } from '../util/errors.ts';
import { GtpEngine, MctsPlayer, runGtp } from '../env/games/go/gtp.ts';
import type { Evaluator, Game } from '../env/games/game.ts';

/** Load a Go net once; the evaluator checks it fits each board size the controller asks for. */
async function netEvaluatorFor(dir: string, backend: string | undefined): Promise<(game: Game) => Evaluator> {
  const { initBackend } = await import('../nets/backend.ts');
  const { NetEvaluator } = await import('../nets/evaluator.ts');
  const { findNetDir, loadNet } = await import('../agents/alphazero/net.ts');
  const { checkNetFits } = await import('../agents/alphazero/agent-spec.ts');
  const found = findNetDir(dir);
  if (found === null) throw new UserError(`--model ${dir}: no net there (expected model.json in it, or a selfplay run directory with checkpoint/best)`);
  await initBackend({ backend, quiet: true });
  const net = await loadNet(found);
  return (game) => {
    checkNetFits(net.spec.inputShape, net.spec.numActions, game, found);
    return new NetEvaluator(game, net.model);
  };
}

interface GtpCliOptions {
  model?: string;
  visits?: string;
  time?: string;
  size: string;
  komi: string;
  seed: string;
  resign: string;
}

function num(name: string, v: string, min: number, max: number, int: boolean): number {
  const x = Number(v);
  if (!Number.isFinite(x) || x < min || x > max || (int && !Number.isInteger(x))) {
    throw new UserError(`${name} must be ${int ? 'an integer' : 'a number'} in ${min}..${max}, got '${v}'`);
  }
  return x;
}

export function register(program: Command): void {
  program
    .command('gtp')
    .description('run a GTP v2 Go engine on stdin/stdout (UCT with random rollouts, or PUCT with --model)')
    .option('--model <path>', 'policy-value net from tengen selfplay --game go (a net or run directory)')
    .option('--visits <n>', 'simulations per move (default 400 when neither --visits nor --time is given)')
    .option('--time <s>', 'seconds per move')
    .option('--size <n>', 'board size 5..19', '19')
    .option('--komi <k>', 'komi', '7.5')
    .option('--seed <n>', 'search seed', '0')
    .option('--resign <v>', "resign when the root value is below v (in -1..1), or 'never'", '-0.9')
    .action(async (o: GtpCliOptions, cmd: Command) => {
      const evaluatorFor = o.model ? await netEvaluatorFor(o.model, (cmd.optsWithGlobals() as { backend?: string }).backend) : undefined;
      const visits = o.visits !== undefined ? num('--visits', o.visits, 1, 1e8, true) : undefined;
      const timeMs = o.time !== undefined ? num('--time', o.time, 0.01, 86400, false) * 1000 : undefined;
      const engine = new GtpEngine({
        size: num('--size', o.size, 5, 19, true),
        komi: num('--komi', o.komi, -1000, 1000, false),
        visits, timeMs,
        player: new MctsPlayer(num('--seed', o.seed, 0, 2 ** 31, true), o.resign === 'never' ? null : num('--resign', o.resign, -1, 1, false), evaluatorFor),
      });
      await runGtp(engine, process.stdin, (t) => process.stdout.write(t));
    });
}
