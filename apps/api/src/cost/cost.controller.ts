/**
 * Cost control (issue #15, items 4 and 5): this month's LLM spend and budgets (`GET /v1/cost`,
 * shown on an admin's overview), the tenant's budget and sample rate
 * (`PATCH /v1/admin/cost`) and the estimate of tagging the backlog (`GET /v1/admin/estimate`).
 */
import { Controller, Get, Inject, Patch, Req, UseGuards } from '@nestjs/common';
import {
  updateCostSettingsSchema,
  type CostSummary,
  type EstimateResponse,
} from '@silhouette/contracts';
import { CostControlRepository } from '@silhouette/db';
import type { ApiDeps } from '../api-deps';
import { AuthGuard, RequireScopes, type AuthenticatedRequest } from '../auth/auth.guard';
import { readJsonBody } from '../common/read-body';
import { API_DEPS } from '../tokens';
import { backlogEstimate, costSummary } from './cost-view';

@Controller('v1')
@UseGuards(AuthGuard)
export class CostController {
  constructor(@Inject(API_DEPS) private readonly deps: ApiDeps) {}

  // Admins only: monthly spend and call counts are operational figures, exact per month.
  @Get('cost')
  @RequireScopes('admin')
  async cost(@Req() request: AuthenticatedRequest): Promise<CostSummary> {
    return costSummary(this.deps.db, this.deps.env, request.auth!.tenantId);
  }

  @Patch('admin/cost')
  @RequireScopes('admin')
  async update(@Req() request: AuthenticatedRequest): Promise<CostSummary> {
    const body = await readJsonBody(request, updateCostSettingsSchema);
    await new CostControlRepository(this.deps.db).updateSettings(request.auth!.tenantId, {
      ...(body.llm_budget_usd_per_month !== undefined
        ? { budgetUsdPerMonth: body.llm_budget_usd_per_month }
        : {}),
      ...(body.sample_rate !== undefined ? { sampleRate: body.sample_rate } : {}),
    });
    return costSummary(this.deps.db, this.deps.env, request.auth!.tenantId);
  }

  @Get('admin/estimate')
  @RequireScopes('admin')
  async estimate(@Req() request: AuthenticatedRequest): Promise<EstimateResponse> {
    return backlogEstimate(this.deps.db, this.deps.env, request.auth!.tenantId);
  }
}
