import type { Command } from 'commander';
import { writeReport } from '../report/report.ts';

export function register(program: Command): void {
  program
    .command('report')
    .description('write learning curves (SVG) and an HTML page from a run directory\'s metrics.jsonl')
    .argument('<run-dir>', 'a directory written by tengen selfplay or tengen train')
    .action((runDir: string) => {
      const { html, charts } = writeReport(runDir);
      process.stdout.write(`wrote ${charts.length} charts and ${html}\n`);
    });
}
