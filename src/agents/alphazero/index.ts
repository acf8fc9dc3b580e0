/**
 * AlphaGo Zero / AlphaZero self-play pipeline: the public API (the CLI is src/commands/selfplay.ts).
 *
 * @module tengen/alphazero
 */
import '../../nets/start-backend.ts'; // starts the tensor backend as the package loads (see there)
export { Pipeline, readRunConfig, type PipelineOptions } from './pipeline.ts';
export { PipelineEvents, attachMetricsLog, attachProgressPrinter, ALL_EVENTS, type PipelineEventMap, type PipelineEventName, type GameEndInfo } from './events.ts';
export { defaultConfig, mergeConfig, validateConfig, GAME_DEFAULTS, DEFAULT_GAME, CONFIG_FIELDS, type AZConfig } from './config.ts';
export { ReplayBuffer, type Sample } from './replay-buffer.ts';
export { Trainer, type StepStats } from './trainer.ts';
export { playSelfPlayGame, playSelfPlayGames, gameTargets, type PlayedGame, type SelfPlaySettings } from './selfplay.ts';
export { gate, passesGate, type GateResult } from './gating.ts';
export { EloLadder } from './elo.ts';
export { eloDiff, scoreInterval, matchEstimate, describeMatch } from '../../util/elo.ts';
export { calibrateResign, falsePositiveRate, type ResignRecord } from './resign.ts';
export { buildNet, loadNet, saveNet, findNetDir, type NetSpec } from './net.ts';
export { loadCheckpoint, saveCheckpoint, findCheckpoint } from './checkpoint.ts';
export { SHIPPED_MODELS, shippedNetDir, shippedNetFor } from './shipped.ts';
