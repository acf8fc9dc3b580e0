/** A tiny tic-tac-toe run for tests: a small net, few games and simulations, main-thread self-play, gated (zero) mode. */
import { defaultConfig, mergeConfig, type AZConfig } from '../../../src/agents/alphazero/config.ts';

export function tinyConfig(over: Partial<AZConfig> = {}): AZConfig {
  return mergeConfig(defaultConfig('tictactoe'), {
    arch: 'mlp', blocks: 1, filters: 16, gamesPerGeneration: 8, concurrentGames: 4, simulations: 8, mctsBatchSize: 4,
    evalGames: 4, evalSimulations: 4, strengthGames: 2, batchSize: 16, minBufferPositions: 16, samplesPerPosition: 2,
    workers: 0, progressInterval: 1000, seed: 7, mode: 'zero', ...over,
  }, 'test');
}
