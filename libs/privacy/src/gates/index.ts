/**
 * The gates between the sealed store and anything published (BRIEF.md, privacy invariants 4, 5
 * and 7): k-thresholds per cell, anti-differencing breakdowns and series, the free-text gate,
 * k-anonymous goal merging, and the evidence recorded per published snapshot.
 */
export {
  assertValidThresholds,
  cellCounts,
  DEFAULT_THRESHOLDS,
  distinctUsers,
  failureReason,
  passes,
  resolveThresholds,
  SUPPRESSION_REASONS,
  type Cell,
  type SuppressionReason,
  type Thresholds,
} from './thresholds';
export {
  publishBreakdown,
  publishSeries,
  type BreakdownOptions,
  type BreakdownPublication,
  type BucketPublication,
  type NumericFieldsOf,
  type OtherBucket,
  type PublishedPart,
  type SeriesPoint,
  type SeriesPublication,
  type Suppression,
} from './breakdown';
export {
  canonicalizePublishedText,
  DEFAULT_MIN_AUDITOR_SCORE,
  gatePublishedText,
  piiTypesIn,
  TEXT_REJECTION_REASONS,
  type TextGateOptions,
  type TextGateResult,
  type TextRejectionReason,
} from './text-gate';
export {
  goalTokens,
  jaccard,
  mergeGoals,
  mergeGoalsWithSuppressions,
  type GoalParseCache,
  type GoalStatement,
  type MergedGoal,
  type MergeGoalsOptions,
  type SuppressedGoal,
} from './goals';
export {
  EvidenceRecorder,
  pooledClusterIds,
  scopeKind,
  tenantEvidenceView,
  withdrawPublished,
  type AuditorVersion,
  type ModelVersions,
  type PrivacyEvidence,
  type SuppressedCellEvidence,
  type SuppressedKindCount,
  type TenantEvidence,
} from './evidence';
