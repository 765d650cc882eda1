/** Farming rewards: minting periods, the uptime measure, and the reward of a node for a period. */
export {
  computeReward,
  periodView,
  scaledPolicy,
  type NodeReward,
  type NodeState,
  type RewardInput,
  type RewardPolicy,
  type TwinInput,
  type UsageInput,
} from './compute';
export { FIRST_PERIOD_START, MAX_PERIOD, PERIOD_SECONDS, POST_PERIOD_SECONDS, periodAt, periodIdOf, type Period } from './period';
export {
  measureUptime,
  type PowerEvent,
  type PowerInput,
  type UptimeMeasure,
  type UptimeReport,
  type Violation,
  type ViolationKind,
} from './uptime';
export { nodeReward, rewardPolicy, type RewardSource } from './load';
