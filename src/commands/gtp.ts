/**
 * `tengen gtp [--model PATH|none] [--visits N | --time S] [--size N] [--komi K] [--seed N]`: a GTP v2 Go
 * engine on stdin/stdout, for Sabaki, GoGui, KGS clients and `tengen match`. --model DIR (a net saved
 * by `tengen selfplay --game go`, or its run directory) plays PUCT guided by that net, on the board
 * size it was trained for. Without --model, each board size the controller asks for plays the net
 * that ships for it (models/go-9x9, models/go-7x7) and UCT with random rollouts where none ships
 * (19x19); --model none always plays UCT with random rollouts.
 */
import type { Command } from 'commander';
import { UserError } from '../util/errors.ts';
import { numberFlag } from '../util/flags.ts';
import { shippedNetFor } from '../agents/alphazero/shipped.ts';
import { GtpEngine, runGtp } from '../env/games/go/gtp.ts';
import type { Evaluator, Game } from '../env/games/game.ts';
import type { Player } from '../players/player.ts';

/**
 * Load a Go net once; the evaluator (onnxruntime where it loads, else tfjs) is made once per game
 * variant the controller asks for, after checking the net fits that board size.
 */
async function netEvaluatorFor(dir: string, backend: string | undefined): Promise<(game: Game) => Promise<Evaluator>> {
  const { createBestEvaluator } = await import('../nets/best-evaluator.ts');
  const { openNet, checkNetFits } = await import('../players/net.ts');
  const { dir: found, net } = await openNet(dir, backend);
  const made = new Map<string, Promise<Evaluator>>();
  return (game) => {
    checkNetFits(net.spec.inputShape, net.spec.numActions, game, found);
    const key = JSON.stringify(game.params);
    let ev = made.get(key);
    if (ev === undefined) made.set(key, (ev = createBestEvaluator(game, net.model)));
    return ev;
  };
}

/**
 * The shipped net for each board size, loaded the first time a game of that size asks for a move;
 * undefined (UCT with random rollouts) for a size no net ships for. Says on stderr which it plays.
 */
function shippedEvaluators(backend: string | undefined): (game: Game) => Promise<Evaluator | undefined> {
  const loaded = new Map<number, Promise<((game: Game) => Promise<Evaluator>) | undefined>>();
  return async (game) => {
    const size = Number(game.params.size);
    let forSize = loaded.get(size);
    if (forSize === undefined) {
      const dir = shippedNetFor(game);
      process.stderr.write(dir === null
        ? `tengen gtp: no net ships for ${size}x${size}; playing UCT with random rollouts\n`
        : `tengen gtp: ${size}x${size} plays the shipped net ${dir} (--model none for UCT with random rollouts)\n`);
      forSize = dir === null ? Promise.resolve(undefined) : netEvaluatorFor(dir, backend);
      loaded.set(size, forSize);
    }
    return (await forSize)?.(game);
  };
}

/**
 * The GTP engine's player for every board size: PUCT with the net `evaluatorFor` gives for the
 * size (UCT with random rollouts where it gives none), a fresh search per move (the controller may
 * edit the position between moves), resigning below `resignThreshold` (null: never).
 */
export async function gtpSearchPlayer(seed: number, resignThreshold: number | null, evaluatorFor?: (game: Game) => Evaluator | undefined | Promise<Evaluator | undefined>): Promise<Player> {
  const { perVariantPlayer } = await import('../players/per-variant.ts');
  const { searchPlayer } = await import('../players/search.ts');
  return perVariantPlayer('tengen', async (game) => {
    const evaluator = await evaluatorFor?.(game);
    return searchPlayer(game, {
      ...(evaluator ? { evaluator } : {}),
      mcts: { replay: 'clone', solver: false, reuseTree: false, resignThreshold: resignThreshold ?? undefined, ...(evaluator ? { batchSize: 8, virtualLoss: 3 } : {}) },
    })(seed);
  });
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

export function register(program: Command): void {
  program
    .command('gtp')
    .description('run a GTP v2 Go engine on stdin/stdout (PUCT with a net where one ships for the board size or --model names one, else UCT with random rollouts)')
    .option('--model <path>', "policy-value net from tengen selfplay --game go (a net or run directory); default: the net shipped for the board size, if any; 'none': UCT with random rollouts")
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
      let lee: Player | undefined;
      if (o.engine === 'lee') {
        if (!o.model) throw new UserError('--engine lee needs --model DIR (a run directory of tengen lee: sl/, value/, rollout/)');
        const { initBackend } = await import('../nets/backend.ts');
        const { LeePlayer } = await import('../players/lee.ts');
        await initBackend({ backend, quiet: true });
        lee = await LeePlayer.load(o.model, {
          lambda: numberFlag('--lambda', o.lambda, { min: 0, max: 1, integer: false }), raw: o.raw === true, seed: numberFlag('--seed', o.seed, { min: 0, max: 2 ** 31, integer: true }),
          resignThreshold: o.resign === 'never' ? null : numberFlag('--resign', o.resign, { min: -1, max: 1, integer: false }),
        });
      }
      const evaluatorFor = lee || o.model === 'none' ? undefined : o.model !== undefined ? await netEvaluatorFor(o.model, backend) : shippedEvaluators(backend);
      const visits = o.visits !== undefined ? numberFlag('--visits', o.visits, { min: 1, max: 1e8, integer: true }) : undefined;
      const timeMs = o.time !== undefined ? numberFlag('--time', o.time, { min: 0.01, max: 86400, integer: false }) * 1000 : undefined;
      const engine = new GtpEngine({
        size: numberFlag('--size', o.size, { min: 5, max: 19, integer: true }),
        komi: numberFlag('--komi', o.komi, { min: -1000, max: 1000, integer: false }),
        visits, timeMs,
        player: lee ?? await gtpSearchPlayer(numberFlag('--seed', o.seed, { min: 0, max: 2 ** 31, integer: true }), o.resign === 'never' ? null : numberFlag('--resign', o.resign, { min: -1, max: 1, integer: false }), evaluatorFor),
      });
      await runGtp(engine, process.stdin, (t) => process.stdout.write(t));
    });
}
