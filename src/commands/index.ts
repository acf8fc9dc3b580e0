import type { Command } from 'commander';
import { register as registerNets } from './nets.ts';
import { register as registerPlay } from './play.ts';
import { register as registerReport } from './report.ts';
import { register as registerSeq } from './seq.ts';
import { register as registerVision } from './vision.ts';

/**
 * Every sub-command registers itself here. Keep one file per job under src/commands/.
 */
export function registerCommands(program: Command): void {
  registerNets(program);
  registerPlay(program);
  registerReport(program);
  registerSeq(program);
  registerVision(program);
}
