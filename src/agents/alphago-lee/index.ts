/**
 * AlphaGo Lee (Silver et al. 2016) on 9x9 Go: expert data from GNU Go, the rollout policy, the SL
 * and RL policy networks, the value network and APV-MCTS. Stage outputs live in one run directory
 * (rollout/, sl/, rl/, value/) and each stage resumes from its checkpoint; `tengen lee <stage>`
 * drives them and `tengen gtp --engine lee --model DIR` plays with the search.
 */
export { genData, gnugoPath, type GenDataOptions, type GenDataSummary } from './gen-data.ts';
export {
  loadExpertGames, splitByGame, forEachPosition, buildPositions, symmetryTables, fillBatch,
  type ExpertGame, type PositionSet, type LoadOptions,
} from './data.ts';
export {
  RolloutPolicy, candidateFeatures, isCandidate, buildRolloutExamples, evaluateRollout, sgdEpoch, rolloutSpeed,
  NUM_ROLLOUT_FEATURES, type RolloutExamples,
} from './rollout.ts';
export { trainRolloutStage, type RolloutStageOptions, type RolloutStageResult } from './train-rollout.ts';
export { FastNet, loadCheckedModel, policyAccuracy } from './nets.ts';
export { trainSl, slStep, policyLoss, type SlOptions, type SlState } from './sl.ts';
export { playGames, policyMatch, shouldPass, pickMove, type PlayOptions, type ScoredGame, type Chooser } from './play.ts';
export { trainRl, reinforceStep, reinforceAdvantages, type RlOptions, type RlState } from './rl.ts';
export {
  genValueData, trainValue, readValueData, valuePlanes, valueStep,
  type ValueDataOptions, type ValueTrainOptions, type ValueState, type ValueData,
} from './value.ts';
export { ApvMcts, ApvNode, mixLeafValue, type ApvOptions, type ApvNets, type ApvResult } from './apv-mcts.ts';
