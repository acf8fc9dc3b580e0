/**
 * The games the pipeline knows: the built-in registry, plus Go once src/env/games/go registers
 * itself (import it here when it lands, so that `--game go` resolves).
 */
export { makeGame } from '../../env/games/index.ts';
