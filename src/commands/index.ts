import type { Command } from 'commander';
import { register as registerArena } from './arena.ts';
import { register as registerBestmove } from './bestmove.ts';
import { register as registerEval } from './eval.ts';
import { register as registerGtp } from './gtp.ts';
import { register as registerLee } from './lee.ts';
import { register as registerMatch } from './match.ts';
import { register as registerNets } from './nets.ts';
import { register as registerPlay } from './play.ts';
import { register as registerReport } from './report.ts';
import { register as registerSelfplay } from './selfplay.ts';
import { register as registerSeq } from './seq.ts';
import { register as registerSolve } from './solve.ts';
import { register as registerTrain } from './train.ts';
import { register as registerVision } from './vision.ts';
import { register as registerWatch } from './watch.ts';
import { register as registerWorker } from './worker.ts';

/**
 * Every sub-command registers itself here. Keep one file per job under src/commands/.
 * Order is the order `tengen --help` lists them: the main job first.
 */
export function registerCommands(program: Command): void {
  registerSelfplay(program);
  registerWorker(program);
  registerWatch(program);
  registerPlay(program);
  registerArena(program);
  registerBestmove(program);
  registerGtp(program);
  registerMatch(program);
  registerSolve(program);
  registerLee(program);
  registerTrain(program);
  registerEval(program);
  registerReport(program);
  registerNets(program);
  registerSeq(program);
  registerVision(program);
}
