/**
 * The games the pipeline knows: the built-in registry, which registers Go itself
 * (src/env/games/go/register.ts), so `--game go` resolves everywhere, worker threads included.
 */
export { makeGame } from '../../env/games/index.ts';
