/**
 * The per-tenant monthly budget and how each publication may spend it.
 *
 * The cap (ε_cap, δ_cap) per calendar month (UTC) becomes a zCDP budget ρ_cap = the largest ρ
 * whose conversion at δ_cap/2 stays within ε_cap; the other δ_cap/2 pays for the noisy
 * thresholds of data keys, shared in proportion to ρ. So if a month's publications add up to at
 * most ρ_cap and δ_cap/2, everything published that month is (ε_cap, δ_cap)-DP.
 *
 * Split: CLOSED_WEEK_SHARE of ρ_cap goes to closed weeks (each released once), the rest to the
 * current week, which is re-released at the cadence. The planner divides what is left evenly
 * over what can still come this month: the closed weeks pending now plus one per Monday still
 * ahead (each Monday closes a week), and one current-week release per cadence slot left. It can
 * therefore never overspend, whatever the operator asks for; a share smaller than MIN_SHARE of
 * an evenly spread month's share is refused, and publishing waits for the next month.
 */
import { epsilonFromRho, rhoFromEpsilon } from './zcdp-accountant';

export const CLOSED_WEEK_SHARE = 0.8;
/**
 * A share below this fraction of what a release would get in an evenly spread month (the pool
 * over 5 weeks, or over the month's cadence slots) is refused: noise that wide shows nothing.
 */
export const MIN_SHARE = 0.1;

export type PublishCadence = 'hourly' | 'daily' | 'weekly';

export interface BudgetCap {
  epsilon: number;
  delta: number;
}

export interface BudgetPeriod {
  start: Date;
  /** Exclusive: the first instant of the next month. */
  end: Date;
}

/** The calendar month (UTC) containing `at`. */
export function budgetPeriod(at: Date): BudgetPeriod {
  const start = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const end = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
  return { start, end };
}

/** ρ_cap of a cap (see the module header: δ_cap/2 for the conversion). */
export function rhoCap(cap: BudgetCap): number {
  return rhoFromEpsilon(cap.epsilon, cap.delta / 2);
}

/** ε spent so far, by the same conversion as the cap (so spent ≤ cap exactly when ρ ≤ ρ_cap). */
export function epsilonSpent(rho: number, cap: BudgetCap): number {
  return rho <= 0 ? 0 : epsilonFromRho(rho, cap.delta / 2);
}

/** δ a release of `rho` may spend on thresholds: its share of δ_cap/2. */
export function thresholdDelta(rho: number, cap: BudgetCap): number {
  return ((cap.delta / 2) * rho) / rhoCap(cap);
}

const DAY = 86_400_000;

/** Mondays (UTC) strictly after `now`'s day and before the period's end. */
function mondaysAhead(now: Date, period: BudgetPeriod): number {
  let count = 0;
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  for (let day = today + DAY; day < period.end.getTime(); day += DAY)
    if (new Date(day).getUTCDay() === 1) count++;
  return count;
}

/** Cadence slots left in the period, counting the current one. */
export function slotsLeft(cadence: PublishCadence, now: Date, period: BudgetPeriod): number {
  const left = period.end.getTime() - now.getTime();
  if (cadence === 'hourly') return Math.max(1, Math.ceil(left / 3_600_000));
  if (cadence === 'daily') return Math.max(1, Math.ceil(left / DAY));
  return 1 + mondaysAhead(now, period);
}

export interface SpentSoFar {
  rhoClosedWeeks: number;
  rhoCurrentWeek: number;
}

export interface ReleasePlan {
  period: BudgetPeriod;
  rhoCap: number;
  /** ρ for each pending closed week (0: none pending or refused). */
  rhoPerClosedWeek: number;
  /** ρ for the current week (0: refused). */
  rhoCurrentWeek: number;
  /** When a part was refused: why, and when publishing resumes. */
  refused?: { reason: 'budget_spent'; resumesAt: Date };
}

export function planRelease(input: {
  cap: BudgetCap;
  spent: SpentSoFar;
  now: Date;
  cadence: PublishCadence;
  pendingClosedWeeks: number;
  currentWeek: boolean;
}): ReleasePlan {
  const period = budgetPeriod(input.now);
  const cap = rhoCap(input.cap);
  const monthSlots = slotsLeft(input.cadence, period.start, period);
  const closedLeft = Math.max(0, cap * CLOSED_WEEK_SHARE - input.spent.rhoClosedWeeks);
  const currentLeft = Math.max(
    0,
    cap - input.spent.rhoClosedWeeks - input.spent.rhoCurrentWeek - closedLeft,
  );
  let rhoPerClosedWeek = 0;
  let rhoCurrentWeek = 0;
  let refused = false;
  if (input.pendingClosedWeeks > 0) {
    const share = closedLeft / (input.pendingClosedWeeks + mondaysAhead(input.now, period));
    if (share >= (MIN_SHARE * cap * CLOSED_WEEK_SHARE) / 5) rhoPerClosedWeek = share;
    else refused = true;
  }
  if (input.currentWeek) {
    const share = currentLeft / slotsLeft(input.cadence, input.now, period);
    if (share >= (MIN_SHARE * cap * (1 - CLOSED_WEEK_SHARE)) / monthSlots) rhoCurrentWeek = share;
    else refused = true;
  }
  return {
    period,
    rhoCap: cap,
    rhoPerClosedWeek,
    rhoCurrentWeek,
    ...(refused ? { refused: { reason: 'budget_spent' as const, resumesAt: period.end } } : {}),
  };
}

/** A tenant's monthly ε: its own choice when lower than the deployment's cap, else the cap. */
export function effectiveEpsilon(deploymentCap: number, tenantChoice: number | null): number {
  return tenantChoice === null ? deploymentCap : Math.min(tenantChoice, deploymentCap);
}
