/**
 * Stage 1: train the rollout policy by SGD on the expert moves (train games), report top-1 accuracy
 * on the test games and microseconds per rollout move. Checkpoint: <dir>/rollout.json after every
 * epoch (weights + progress); a rerun continues from the last finished epoch.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../util/rng.ts';
import { loadExpertGames, splitByGame } from './data.ts';
import { RolloutPolicy, buildRolloutExamples, evaluateRollout, rolloutSpeed, sgdEpoch } from './rollout.ts';

export interface RolloutStageOptions {
  data: string[];
  dir: string;
  epochs?: number;
  lr?: number;
  seed?: number;
  testFraction?: number;
  log?: (line: string) => void;
}

export interface RolloutStageResult {
  epochs: number;
  trainPositions: number;
  testPositions: number;
  trainAccuracy: number;
  testAccuracy: number;
  testLoss: number;
  usPerMove: number;
  history: Array<{ epoch: number; trainLoss: number; testAccuracy: number }>;
}

export function trainRolloutStage(o: RolloutStageOptions): RolloutStageResult {
  const log = o.log ?? ((l: string) => console.log(l));
  const seed = o.seed ?? 1;
  const epochs = o.epochs ?? 6;
  const lr = o.lr ?? 0.02;
  mkdirSync(o.dir, { recursive: true });
  const games = loadExpertGames(o.data, { warn: log });
  const { train, test } = splitByGame(games, o.testFraction ?? 0.1, seed);
  const trainEx = buildRolloutExamples(train);
  const testEx = buildRolloutExamples(test);
  let policy = new RolloutPolicy();
  let history: RolloutStageResult['history'] = [];
  let start = 0;
  if (existsSync(join(o.dir, 'rollout.json'))) {
    const { policy: p, meta } = RolloutPolicy.load(o.dir);
    policy = p;
    start = typeof meta['epoch'] === 'number' ? meta['epoch'] : 0;
    history = Array.isArray(meta['history']) ? (meta['history'] as RolloutStageResult['history']) : [];
    log(`rollout: resuming after epoch ${start}`);
  }
  log(`rollout: ${train.length} train games (${trainEx.target.length} positions), ${test.length} test games (${testEx.target.length} positions)`);
  for (let e = start; e < epochs; e++) {
    const rng = new Rng(seed * 7919 + e);
    const l = sgdEpoch(policy.weights, trainEx, lr / (1 + e * 0.5), rng);
    const te = evaluateRollout(policy.weights, testEx);
    history.push({ epoch: e + 1, trainLoss: l, testAccuracy: te.accuracy });
    log(`rollout: epoch ${e + 1}/${epochs} train loss ${l.toFixed(4)} test loss ${te.loss.toFixed(4)} test accuracy ${(100 * te.accuracy).toFixed(1)}%`);
    policy.save(o.dir, { epoch: e + 1, history });
  }
  const tr = evaluateRollout(policy.weights, trainEx);
  const te = evaluateRollout(policy.weights, testEx);
  const speed = rolloutSpeed(policy, 9, 7.5, 200, seed);
  const result: RolloutStageResult = {
    epochs, trainPositions: tr.positions, testPositions: te.positions, trainAccuracy: tr.accuracy, testAccuracy: te.accuracy,
    testLoss: te.loss, usPerMove: speed.usPerMove, history,
  };
  policy.save(o.dir, { epoch: Math.max(start, epochs), history, result });
  log(`rollout: test accuracy ${(100 * te.accuracy).toFixed(1)}% (train ${(100 * tr.accuracy).toFixed(1)}%), ${speed.usPerMove.toFixed(2)} us/move`);
  return result;
}
