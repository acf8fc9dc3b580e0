/** Child process for the kill-and-resume test: `tsx tiny-run.ts <runDir> <generations> [resume] [overlap]`. */
import { initBackend } from '../../../src/nets/backend.ts';
import { Pipeline } from '../../../src/agents/alphazero/pipeline.ts';
import { tinyConfig } from './tiny-config.ts';

const [runDir, gens, resume, overlap] = process.argv.slice(2);
const over = overlap === 'overlap' ? { workers: 1, overlapSelfPlay: true, mode: 'alphazero' as const } : {};
await initBackend({ backend: 'cpu', quiet: true });
const p = await Pipeline.create({ runDir: runDir!, config: tinyConfig({ generations: Number(gens), ...over }), resume: resume === 'resume', backend: 'cpu' });
p.events.on('checkpoint', (e) => process.stdout.write(`checkpoint ${e.generation}\n`));
await p.run();
p.dispose();
