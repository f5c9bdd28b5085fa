/**
 * `GET /v1/privacy/budget` (read or admin): the tenant's differential-privacy budget for the
 * current month, as the ledger recorded it. The figures are the same the Privacy view shows:
 * ε spent is the conversion of the month's summed ρ at δ/2 (the cap's own conversion), and each
 * publication's ε is its share of that in proportion to its ρ.
 */
import { Controller, Get, Inject, Req, UseGuards } from '@nestjs/common';
import type { BudgetResponse } from '@silhouette/contracts';
import { PrivacyLedgerRepository, TenantRepository } from '@silhouette/db';
import {
  budgetPeriod,
  effectiveEpsilon,
  epsilonSpent,
  MIN_SHARE,
  rhoCap,
} from '@silhouette/privacy';
import type { ApiDeps } from '../api-deps';
import { AuthGuard, RequireScopes, type AuthenticatedRequest } from '../auth/auth.guard';
import { API_DEPS } from '../tokens';

const round = (value: number) => Math.round(value * 10_000) / 10_000;

@Controller('v1')
@UseGuards(AuthGuard)
export class PrivacyBudgetController {
  constructor(@Inject(API_DEPS) private readonly deps: ApiDeps) {}

  @Get('privacy/budget')
  @RequireScopes('read', 'admin')
  async budget(@Req() request: AuthenticatedRequest): Promise<BudgetResponse> {
    const tenantId = request.auth!.tenantId;
    const env = this.deps.env;
    const tenant = (await new TenantRepository(this.deps.db).findById(tenantId))!;
    const cap = {
      epsilon: effectiveEpsilon(env.DP_EPSILON_PER_MONTH, tenant.dpEpsilon),
      delta: env.DP_DELTA,
    };
    const period = budgetPeriod(new Date());
    const entries = await new PrivacyLedgerRepository(this.deps.db).publications(
      tenantId,
      period.start,
    );
    const rho = entries.reduce((sum, entry) => sum + entry.rho, 0);
    const spent = epsilonSpent(rho, cap);
    const capRho = rhoCap(cap);
    // Nearly nothing left (less than a tenth of one evenly spread day): the month is over.
    const exhausted = capRho - rho < (capRho * MIN_SHARE) / 31;
    return {
      mode: env.PRIVACY_MODE,
      period: { start: period.start.toISOString(), end: period.end.toISOString() },
      epsilon_cap: cap.epsilon,
      delta: cap.delta,
      epsilon_spent: round(spent),
      epsilon_remaining: round(Math.max(0, cap.epsilon - spent)),
      resumes_at: exhausted ? period.end.toISOString() : null,
      cadence: env.PUBLISH_CADENCE,
      publications: entries.map((entry) => ({
        id: entry.id,
        kind: entry.kind,
        at: entry.publishedAt.toISOString(),
        epsilon: rho > 0 ? round((spent * entry.rho) / rho) : 0,
        rho: entry.rho,
        snapshot_id: entry.snapshotId,
        weeks: (
          (entry.parameters as { weeks?: { bucket: string; final: boolean }[] }).weeks ?? []
        ).map(({ bucket, final }) => ({ bucket, final })),
      })),
    };
  }
}
