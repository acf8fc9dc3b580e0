/**
 * `tengen gtp [--engine mc|az|lee] [--model PATH|none] [--visits N | --time S] [--threads T] [--size N]
 * [--komi K] [--seed N]`: a GTP v2 Go engine on stdin/stdout, for Sabaki, GoGui, Lizzie, KaTrain and
 * `tengen match`. The default engine, mc, is the Monte-Carlo Go engine (src/go-engine: heavy playouts,
 * RAVE, prior knowledge, T threads), on every board size. az plays PUCT with an AlphaZero net: --model
 * DIR (a net saved by `tengen selfplay --game go`, or its run directory; naming one picks az), else the
 * net that ships for the board size (models/go-9x9, models/go-7x7), UCT with random rollouts where none
 * ships or with --model none. lee plays AlphaGo Lee's APV-MCTS on a `tengen lee` run directory.
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
      budget: { visits: 400 },
      ...(evaluator ? { evaluator } : {}),
      mcts: { replay: 'clone', solver: false, reuseTree: false, resignThreshold: resignThreshold ?? undefined, ...(evaluator ? { batchSize: 8, virtualLoss: 3 } : {}) },
    })(seed);
  });
}

interface GtpCliOptions {
  model?: string;
  visits?: string;
  time?: string;
  threads?: string;
  size: string;
  komi: string;
  seed: string;
  resign: string;
  engine?: string;
  lambda: string;
  raw?: boolean;
}

export function register(program: Command): void {
  program
    .command('gtp')
    .description('run a GTP v2 Go engine on stdin/stdout (the Monte-Carlo Go engine by default; PUCT with an AlphaZero net with --engine az or --model)')
    .option('--engine <mc|az|lee>', "mc: the Monte-Carlo Go engine (default); az: PUCT with an AlphaZero net (--model DIR, else the net shipped for the board size, else UCT with random rollouts; the default when --model is given); lee: AlphaGo Lee APV-MCTS on a `tengen lee` run directory (--model)")
    .option('--model <path>', "az/lee: the net (a net or run directory); az default: the net shipped for the board size, if any; 'none': UCT with random rollouts")
    .option('--visits <n>', 'playouts (mc) or simulations (az) per move; default mc: 24000 on 9x9 and smaller, 32000 on 13x13, 48000 on 19x19; az: 400')
    .option('--time <s>', 'seconds per move (instead of --visits)')
    .option('--threads <n>', 'mc: search threads (default: the cores, at most 4)')
    .option('--size <n>', 'board size 5..19', '19')
    .option('--komi <k>', 'komi', '7.5')
    .option('--seed <n>', 'search seed', '0')
    .option('--resign <v>', "resign when the position's value for the engine is below v (in -1..1; -0.9 is a 5% win rate), or 'never'", '-0.9')
    .option('--lambda <x>', 'lee: leaf value mixing, V = (1 - x) v_net + x z_rollout', '0.5')
    .option('--raw', 'lee: play the SL policy net\'s top move without search')
    .action(async (o: GtpCliOptions, cmd: Command) => {
      const engineKind = o.engine ?? (o.model !== undefined ? 'az' : 'mc');
      if (!['mc', 'az', 'uct', 'lee'].includes(engineKind)) throw new UserError(`--engine must be mc, az or lee, got '${engineKind}'`);
      if (engineKind === 'mc' && o.model !== undefined) throw new UserError('--model names a net, which the mc engine does not use; use --engine az (or leave out --engine)');
      const backend = (cmd.optsWithGlobals() as { backend?: string }).backend;
      const seed = numberFlag('--seed', o.seed, { min: 0, max: 2 ** 31, integer: true });
      const resign = o.resign === 'never' ? null : numberFlag('--resign', o.resign, { min: -1, max: 1, integer: false });
      if (o.threads !== undefined && engineKind !== 'mc') throw new UserError('--threads is for the mc engine');
      const visits = o.visits !== undefined ? numberFlag('--visits', o.visits, { min: 1, max: 1e8, integer: true }) : undefined;
      const timeMs = o.time !== undefined ? numberFlag('--time', o.time, { min: 0.01, max: 86400, integer: false }) * 1000 : undefined;
      const size = numberFlag('--size', o.size, { min: 5, max: 19, integer: true });
      const komi = numberFlag('--komi', o.komi, { min: -1000, max: 1000, integer: false });
      if (engineKind === 'mc') {
        const { availableParallelism } = await import('node:os');
        const { goEnginePlayer } = await import('../players/go-engine.ts');
        const threads = o.threads !== undefined ? numberFlag('--threads', o.threads, { min: 1, max: 64, integer: true }) : Math.min(4, availableParallelism());
        const player = goEnginePlayer({ threads, resignWinrate: resign === null ? null : (resign + 1) / 2 })(seed);
        const engine = new GtpEngine({ size, komi, visits, timeMs, player });
        try {
          await runGtp(engine, process.stdin, (t) => process.stdout.write(t));
        } finally {
          await player.close?.();
        }
        return;
      }
      let lee: Player | undefined;
      if (engineKind === 'lee') {
        if (!o.model) throw new UserError('--engine lee needs --model DIR (a run directory of tengen lee: sl/, value/, rollout/)');
        const { initBackend } = await import('../nets/backend.ts');
        const { LeePlayer } = await import('../players/lee.ts');
        await initBackend({ backend, quiet: true });
        lee = await LeePlayer.load(o.model, {
          visits: 400, lambda: numberFlag('--lambda', o.lambda, { min: 0, max: 1, integer: false }), raw: o.raw === true, seed,
          resignThreshold: resign,
        });
      }
      const evaluatorFor = lee || o.model === 'none' ? undefined : o.model !== undefined ? await netEvaluatorFor(o.model, backend) : shippedEvaluators(backend);
      const engine = new GtpEngine({
        size, komi, visits, timeMs,
        player: lee ?? await gtpSearchPlayer(seed, resign, evaluatorFor),
      });
      await runGtp(engine, process.stdin, (t) => process.stdout.write(t));
    });
}
