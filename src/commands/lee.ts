/**
 * `tengen lee <stage>`: the AlphaGo Lee pipeline on 9x9 Go (src/agents/alphago-lee). Stages write to
 * one run directory (--dir): rollout/, sl/, rl/, value/; each reads the earlier stages from there and
 * resumes from its own checkpoint when rerun.
 *
 *   tengen lee gen-data --games N [--level 10] --out DIR      GNU Go self-play games as SGF
 *   tengen lee rollout  --dir RUN --data DIR [--data DIR2]    rollout policy (accuracy, us/move)
 *   tengen lee sl       --dir RUN --data DIR ...              SL policy net (test accuracy)
 *   tengen lee rl       --dir RUN                             RL policy net (win rate vs SL)
 *   tengen lee value    --dir RUN [--games N]                 value net data + training (MSE)
 *   tengen lee eval     --dir RUN [--games N]                 RL vs SL policy match
 * Play with the search: tengen gtp --engine lee --model RUN [--lambda 0.5] [--raw].
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../util/errors.ts';
import { optionalNumberFlag } from '../util/flags.ts';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

async function backend(cmd: Command): Promise<void> {
  const { initBackend } = await import('../nets/backend.ts');
  await initBackend({ backend: (cmd.optsWithGlobals() as { backend?: string }).backend, quiet: true });
}

function needDir(d: string | undefined): string {
  if (!d?.trim()) throw new UserError('--dir RUN is required (the pipeline run directory)');
  return d;
}

export function register(program: Command): void {
  const lee = program.command('lee').description('AlphaGo Lee pipeline on 9x9 Go: gen-data, rollout, sl, rl, value, eval');

  lee
    .command('gen-data')
    .description('GNU Go self-play games with randomised openings, as SGF (resumable)')
    .requiredOption('--games <n>', 'games to have in --out')
    .option('--level <n>', 'GNU Go level 0..10', '10')
    .requiredOption('--out <dir>', 'directory for game-NNNNN.sgf')
    .option('--opening-moves <n>', 'random opening moves, up to n per game', '4')
    .option('--minutes <m>', 'stop after m minutes')
    .option('--seed <n>', 'seed', '1')
    .option('--engine <cmd>', 'GTP engine command line (default: gnugo --mode gtp --level L --chinese-rules)')
    .action(async (o: { games: string; level: string; out: string; openingMoves: string; minutes?: string; seed: string; engine?: string }) => {
      const { genData } = await import('../agents/alphago-lee/gen-data.ts');
      const r = await genData({
        games: optionalNumberFlag('--games', o.games, { min: 1, max: 1e7, integer: true })!, level: optionalNumberFlag('--level', o.level, { min: 0, max: 10, integer: true })!, out: o.out,
        openingMoves: optionalNumberFlag('--opening-moves', o.openingMoves, { min: 0, max: 40, integer: true }), minutes: optionalNumberFlag('--minutes', o.minutes, { min: 0, max: 1e6, integer: false }),
        seed: optionalNumberFlag('--seed', o.seed, { min: 0, max: 2 ** 31, integer: true }), engine: o.engine,
      });
      console.log(`gen-data: ${r.written} new games (${r.total} in ${o.out}), ${r.secondsPerGame.toFixed(2)} s/game`);
    });

  lee
    .command('rollout')
    .description('train the rollout policy (linear softmax on 3x3 / response patterns) by SGD')
    .option('--dir <run>', 'pipeline run directory')
    .option('--data <dir>', 'SGF directory (repeatable)', collect)
    .option('--epochs <n>', 'SGD epochs', '6')
    .option('--lr <x>', 'learning rate', '0.02')
    .option('--seed <n>', 'seed (also the train/test split)', '1')
    .action(async (o: { dir?: string; data?: string[]; epochs: string; lr: string; seed: string }) => {
      if (!o.data?.length) throw new UserError('--data DIR is required (a directory of 9x9 SGF games)');
      const { trainRolloutStage } = await import('../agents/alphago-lee/train-rollout.ts');
      trainRolloutStage({
        dir: join(needDir(o.dir), 'rollout'), data: o.data, epochs: optionalNumberFlag('--epochs', o.epochs, { min: 1, max: 1e4, integer: true }),
        lr: optionalNumberFlag('--lr', o.lr, { min: 1e-9, max: 100, integer: false }), seed: optionalNumberFlag('--seed', o.seed, { min: 0, max: 2 ** 31, integer: true }),
      });
    });

  lee
    .command('sl')
    .description('train the SL policy network on the expert moves')
    .option('--dir <run>', 'pipeline run directory')
    .option('--data <dir>', 'SGF directory (repeatable)', collect)
    .option('--filters <k>', 'filters per conv layer (paper 192)', '32')
    .option('--layers <n>', 'conv layers (paper 13)', '6')
    .option('--steps <n>', 'mini-batch steps', '2000')
    .option('--batch <n>', 'mini-batch size', '64')
    .option('--lr <x>', 'learning rate')
    .option('--optimizer <adam|sgd>', 'optimizer', 'adam')
    .option('--minutes <m>', 'stop after m minutes (checkpointed; rerun to continue)')
    .option('--seed <n>', 'seed (also the train/test split)', '1')
    .action(async (o: { dir?: string; data?: string[]; filters: string; layers: string; steps: string; batch: string; lr?: string; optimizer: string; minutes?: string; seed: string }, cmd: Command) => {
      if (!o.data?.length) throw new UserError('--data DIR is required (a directory of 9x9 SGF games)');
      if (o.optimizer !== 'adam' && o.optimizer !== 'sgd') throw new UserError(`--optimizer must be adam or sgd, got '${o.optimizer}'`);
      const dir = join(needDir(o.dir), 'sl');
      await backend(cmd);
      const { trainSl } = await import('../agents/alphago-lee/sl.ts');
      await trainSl({
        dir, data: o.data, filters: optionalNumberFlag('--filters', o.filters, { min: 1, max: 1024, integer: true }), layers: optionalNumberFlag('--layers', o.layers, { min: 3, max: 40, integer: true }),
        steps: optionalNumberFlag('--steps', o.steps, { min: 1, max: 1e9, integer: true }), batch: optionalNumberFlag('--batch', o.batch, { min: 1, max: 4096, integer: true }), lr: optionalNumberFlag('--lr', o.lr, { min: 1e-9, max: 10, integer: false }),
        optimizer: o.optimizer, minutes: optionalNumberFlag('--minutes', o.minutes, { min: 0, max: 1e6, integer: false }), seed: optionalNumberFlag('--seed', o.seed, { min: 0, max: 2 ** 31, integer: true }),
      });
    });

  lee
    .command('rl')
    .description('train the RL policy network by REINFORCE against a pool of its earlier snapshots')
    .option('--dir <run>', 'pipeline run directory (reads sl/, writes rl/)')
    .option('--iterations <n>', 'iterations (one REINFORCE update per mini-batch of games)', '50')
    .option('--games <n>', 'games per iteration (even; the paper: 128)', '128')
    .option('--pool-every <n>', 'add a snapshot to the opponent pool every n iterations', '5')
    .option('--lr <x>', 'learning rate (default: SGD 0.001 as the paper; Adam 1e-5)')
    .option('--optimizer <sgd|adam>', 'optimizer (the paper: SGD)', 'sgd')
    .option('--eval-games <n>', 'RL vs SL games at the end', '200')
    .option('--eval-every <n>', 'also play the SL net every n iterations (0: never), for the learning curve', '0')
    .option('--eval-every-games <n>', 'games of each of those measurements', '64')
    .option('--minutes <m>', 'stop after m minutes (checkpointed; rerun to continue)')
    .option('--seed <n>', 'seed', '1')
    .action(async (o: { dir?: string; iterations: string; games: string; poolEvery: string; lr?: string; optimizer: string; evalGames: string; evalEvery: string; evalEveryGames: string; minutes?: string; seed: string }, cmd: Command) => {
      if (o.optimizer !== 'adam' && o.optimizer !== 'sgd') throw new UserError(`--optimizer must be sgd or adam, got '${o.optimizer}'`);
      const run = needDir(o.dir);
      await backend(cmd);
      const { trainRl } = await import('../agents/alphago-lee/rl.ts');
      await trainRl({
        sl: join(run, 'sl'), dir: join(run, 'rl'), iterations: optionalNumberFlag('--iterations', o.iterations, { min: 1, max: 1e9, integer: true }),
        gamesPerIter: optionalNumberFlag('--games', o.games, { min: 2, max: 1e5, integer: true }), poolEvery: optionalNumberFlag('--pool-every', o.poolEvery, { min: 1, max: 1e9, integer: true }),
        lr: optionalNumberFlag('--lr', o.lr, { min: 1e-9, max: 10, integer: false }), optimizer: o.optimizer,
        evalGames: optionalNumberFlag('--eval-games', o.evalGames, { min: 0, max: 1e6, integer: true }),
        evalEvery: optionalNumberFlag('--eval-every', o.evalEvery, { min: 0, max: 1e9, integer: true }),
        evalEveryGames: optionalNumberFlag('--eval-every-games', o.evalEveryGames, { min: 2, max: 1e6, integer: true }),
        minutes: optionalNumberFlag('--minutes', o.minutes, { min: 0, max: 1e6, integer: false }), seed: optionalNumberFlag('--seed', o.seed, { min: 0, max: 2 ** 31, integer: true }),
      });
    });

  lee
    .command('value')
    .description('value network: one position per self-play game of the RL policy, then MSE regression')
    .option('--dir <run>', 'pipeline run directory (reads sl/ and rl/, writes value/)')
    .option('--games <n>', 'positions (= games) of value data', '3000')
    .option('--max-u <n>', 'the random move U is drawn from 1..n', '60')
    .option('--filters <k>', 'filters per conv layer', '32')
    .option('--layers <n>', 'conv layers', '6')
    .option('--steps <n>', 'mini-batch steps', '1500')
    .option('--minutes <m>', 'stop training after m minutes (checkpointed; rerun to continue)')
    .option('--seed <n>', 'seed', '1')
    .action(async (o: { dir?: string; games: string; maxU: string; filters: string; layers: string; steps: string; minutes?: string; seed: string }, cmd: Command) => {
      const run = needDir(o.dir);
      await backend(cmd);
      const { genValueData, trainValue } = await import('../agents/alphago-lee/value.ts');
      const seed = optionalNumberFlag('--seed', o.seed, { min: 0, max: 2 ** 31, integer: true });
      await genValueData({ sl: join(run, 'sl'), rl: join(run, 'rl'), dir: join(run, 'value'), games: optionalNumberFlag('--games', o.games, { min: 10, max: 1e8, integer: true })!, maxU: optionalNumberFlag('--max-u', o.maxU, { min: 1, max: 400, integer: true }), seed });
      await trainValue({
        dir: join(run, 'value'), filters: optionalNumberFlag('--filters', o.filters, { min: 1, max: 1024, integer: true }), layers: optionalNumberFlag('--layers', o.layers, { min: 3, max: 40, integer: true }),
        steps: optionalNumberFlag('--steps', o.steps, { min: 1, max: 1e9, integer: true }), minutes: optionalNumberFlag('--minutes', o.minutes, { min: 0, max: 1e6, integer: false }), seed,
      });
    });

  lee
    .command('eval')
    .description('RL policy vs SL policy (both sampling, alternating colours)')
    .option('--dir <run>', 'pipeline run directory')
    .option('--games <n>', 'games', '200')
    .option('--seed <n>', 'seed', '7')
    .action(async (o: { dir?: string; games: string; seed: string }, cmd: Command) => {
      const run = needDir(o.dir);
      await backend(cmd);
      const { FastNet, loadCheckedModel } = await import('../agents/alphago-lee/nets.ts');
      const { policyMatch } = await import('../agents/alphago-lee/play.ts');
      const { wilson } = await import('../util/elo.ts');
      const rl = await FastNet.create(await loadCheckedModel(join(run, 'rl'), 48, 81, 'eval (RL net)'));
      const sl = await FastNet.create(await loadCheckedModel(join(run, 'sl'), 48, 81, 'eval (SL net)'));
      const games = optionalNumberFlag('--games', o.games, { min: 1, max: 1e6, integer: true })!;
      const r = await policyMatch(rl, sl, games, optionalNumberFlag('--seed', o.seed, { min: 0, max: 2 ** 31, integer: true })!);
      const w = wilson(r.wins + r.draws / 2, games);
      console.log(`RL vs SL: ${r.wins} wins, ${r.losses} losses, ${r.draws} draws; win rate ${(100 * r.winRate).toFixed(1)}% (95% CI ${(100 * w[0]).toFixed(1)}-${(100 * w[1]).toFixed(1)}%)`);
    });
}
