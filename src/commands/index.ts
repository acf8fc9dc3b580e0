import type { Command } from 'commander';

/**
 * Every sub-command registers itself here. Keep one file per job under src/commands/.
 */
export function registerCommands(program: Command): void {
  void program;
}
