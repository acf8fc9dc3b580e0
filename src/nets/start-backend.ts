/**
 * Imported first by the package's entry points that hold tensor code (tengen, tengen/agents,
 * tengen/alphazero, tengen/nets, tengen/sequence, tengen/vision): starts the tensor backend while
 * the module loads, so no library call needs a set-up step first (`new PPO(...)`, `new LSTMCell(...)`
 * work right after the import). It picks the best available backend, or the one TENGEN_BACKEND
 * names; `await initBackend({ backend: 'cpu' })` still switches later. Quiet: a library prints
 * nothing unasked. The CLI and the tests import the modules themselves, not this.
 */
import { ensureBackend } from './backend.ts';

await ensureBackend();
