/**
 * User-level differential privacy (issue #11): the exact discrete Gaussian sampler, zCDP
 * accounting, contribution bounding, the release API every publication calls, and the monthly
 * budget planner. README "Privacy" states the claim these implement.
 */
export { CryptoUniformSource, type UniformSource } from './crypto-random';
export {
  bernoulliExp,
  DiscreteGaussianNoise,
  discreteGaussianPmf,
  discreteGaussianSampler,
  rationalVariance,
  sampleDiscreteGaussian,
  sampleDiscreteLaplace,
  varianceValue,
  type RationalVariance,
} from './discrete-gaussian';
export {
  composeReleases,
  discreteGaussianUpperTail,
  epsilonFromRho,
  epsilonFromRhoSimple,
  gaussianRho,
  rhoFromEpsilon,
  selectionThreshold,
  sigmaForRho,
} from './zcdp-accountant';
export {
  clipPerPerson,
  selectPerPerson,
  UserKeyTally,
  type ContributionBounds,
} from './contribution-bounds';
export {
  releaseCells,
  type ExactCell,
  type FamilySpec,
  type FigureParameters,
  type FigureSpec,
  type NoisyCell,
  type ReleaseRequest,
  type ReleaseResult,
} from './dp-release';
export {
  budgetPeriod,
  effectiveEpsilon,
  CLOSED_WEEK_SHARE,
  epsilonSpent,
  MIN_SHARE,
  planRelease,
  rhoCap,
  slotsLeft,
  thresholdDelta,
  type BudgetCap,
  type BudgetPeriod,
  type PublishCadence,
  type ReleasePlan,
  type SpentSoFar,
} from './privacy-budget';
