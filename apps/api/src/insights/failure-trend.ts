/**
 * The trend of a failure cluster since the previous published snapshot, matched by stable cluster
 * id. Only figures published in BOTH snapshots are compared: when either side is hidden (impact
 * below the thresholds, outcomes pooled) the change is null, never inferred. Each compared figure
 * was already shown to the tenant in its snapshot, so their difference reveals nothing new.
 */
import type { ClusterMetrics, FailureTrend, MetricRow } from '@silhouette/contracts';

export interface TrendSide {
  failureImpactMinutes: number | null;
  failureRate: number | null;
  outcomes: readonly Pick<MetricRow, 'isOther'>[];
}

/** A rate is shown only when some outcome was published as itself (else it says nothing). */
const rateShown = (side: TrendSide): number | null =>
  side.outcomes.some((row) => !row.isOther) ? side.failureRate : null;

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

function change(current: number | null, previous: number | null, digits: number) {
  return {
    previous,
    change: current === null || previous === null ? null : round(current - previous, digits),
  };
}

export function trendSide(metrics: ClusterMetrics): TrendSide {
  return {
    failureImpactMinutes: metrics.failure_impact_minutes ?? null,
    failureRate: metrics.failure_rate ?? null,
    outcomes: metrics.outcomes ?? [],
  };
}

/**
 * `previous`: the cluster in the previous snapshot (undefined when absent); `wasPooled`: its id
 * was among the previous snapshot's suppressed cluster cells; `hasPrevious`: a previous snapshot
 * exists at all.
 */
export function failureTrend(
  current: TrendSide,
  previous: TrendSide | undefined,
  context: { hasPrevious: boolean; wasPooled: boolean },
): FailureTrend {
  if (!context.hasPrevious)
    return { status: 'no_previous', failure_impact_minutes: null, failure_rate: null };
  if (!previous)
    return {
      status: context.wasPooled ? 'was_pooled' : 'new',
      failure_impact_minutes: null,
      failure_rate: null,
    };
  return {
    status: 'compared',
    failure_impact_minutes: change(current.failureImpactMinutes, previous.failureImpactMinutes, 1),
    failure_rate: change(rateShown(current), rateShown(previous), 4),
  };
}
