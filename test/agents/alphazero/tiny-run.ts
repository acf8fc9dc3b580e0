/** Child process for the kill-and-resume test: `tsx tiny-run.ts <runDir> <generations> [resume]`. */
import { initBackend } from '../../../src/nets/backend.ts';
import { Pipeline } from '../../../src/agents/alphazero/pipeline.ts';
import { tinyConfig } from './tiny-config.ts';

const [runDir, gens, resume] = process.argv.slice(2);
await initBackend({ backend: 'cpu', quiet: true });
const p = await Pipeline.create({ runDir: runDir!, config: tinyConfig({ generations: Number(gens) }), resume: resume === 'resume' });
p.events.on('checkpoint', (e) => process.stdout.write(`checkpoint ${e.generation}\n`));
await p.run();
p.dispose();
