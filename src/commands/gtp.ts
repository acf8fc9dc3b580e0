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
  const { NetEvaluator } = await import('../nets/evaluator.ts');
  const { openNet, checkNetFits } = await import('../agents/alphazero/agent-spec.ts');
  const { dir: found, net } = await openNet(dir, backend);
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
  engine: string;
  lambda: string;
  raw?: boolean;
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
    .option('--engine <uct|lee>', 'uct: MCTS of src/mcts (with --model: PUCT with an AlphaZero net); lee: AlphaGo Lee APV-MCTS on a `tengen lee` run directory (--model)', 'uct')
    .option('--lambda <x>', 'lee: leaf value mixing, V = (1 - x) v_net + x z_rollout', '0.5')
    .option('--raw', 'lee: play the SL policy net\'s top move without search')
    .action(async (o: GtpCliOptions, cmd: Command) => {
      if (o.engine !== 'uct' && o.engine !== 'lee') throw new UserError(`--engine must be 'uct' or 'lee', got '${o.engine}'`);
      const backend = (cmd.optsWithGlobals() as { backend?: string }).backend;
      let lee: import('../env/games/go/gtp.ts').MovePlayer | undefined;
      if (o.engine === 'lee') {
        if (!o.model) throw new UserError('--engine lee needs --model DIR (a run directory of tengen lee: sl/, value/, rollout/)');
        const { initBackend } = await import('../nets/backend.ts');
        const { LeePlayer } = await import('../agents/alphago-lee/player.ts');
        await initBackend({ backend, quiet: true });
        lee = await LeePlayer.load(o.model, {
          lambda: num('--lambda', o.lambda, 0, 1, false), raw: o.raw === true, seed: num('--seed', o.seed, 0, 2 ** 31, true),
          resignThreshold: o.resign === 'never' ? null : num('--resign', o.resign, -1, 1, false),
        });
      }
      const evaluatorFor = o.model && !lee ? await netEvaluatorFor(o.model, backend) : undefined;
      const visits = o.visits !== undefined ? num('--visits', o.visits, 1, 1e8, true) : undefined;
      const timeMs = o.time !== undefined ? num('--time', o.time, 0.01, 86400, false) * 1000 : undefined;
      const engine = new GtpEngine({
        size: num('--size', o.size, 5, 19, true),
        komi: num('--komi', o.komi, -1000, 1000, false),
        visits, timeMs,
        player: lee ?? new MctsPlayer(num('--seed', o.seed, 0, 2 ** 31, true), o.resign === 'never' ? null : num('--resign', o.resign, -1, 1, false), evaluatorFor),
      });
      await runGtp(engine, process.stdin, (t) => process.stdout.write(t));
    });
}
