import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Req,
  UseGuards,
} from '@nestjs/common';
import { z } from 'zod';
import type { PipelineStatus, TenantInfo } from '@silhouette/contracts';
import {
  API_KEY_SCOPES,
  ApiKeyRepository,
  AuditLogRepository,
  ErasureRequestRepository,
  PipelineStatusRepository,
  TenantRepository,
  type ApiKeyInfo,
} from '@silhouette/db';
import { effectiveEpsilon } from '@silhouette/privacy';
import type { ApiDeps } from '../api-deps';
import { AuthGuard, RequireScopes, type AuthenticatedRequest } from '../auth/auth.guard';
import { badRequest, notFound } from '../common/api-error';
import { parseWith, readJsonBody } from '../common/read-body';
import { API_DEPS } from '../tokens';

const createKeyBody = z
  .object({ scope: z.enum(API_KEY_SCOPES), label: z.string().trim().max(100).default('') })
  .strict();
const settingsBody = z
  .object({
    k_users: z.number().int().optional(),
    min_conversations: z.number().int().optional(),
    retention_days: z.number().int().min(0).max(3650).nullable().optional(),
    /** Manual minutes per task type label; replaces the whole table. */
    minutes_overrides: z
      .record(
        z.string().trim().min(1).max(60),
        z.object({ manual_minutes: z.number().min(0).max(480) }).strict(),
      )
      .optional(),
    /** dp mode: spend less than the deployment's monthly ε (null: the deployment's cap). */
    dp_epsilon: z.number().positive().nullable().optional(),
  })
  .strict();
const erasureBody = z.object({ user_id: z.string().min(1).max(256) }).strict();
const auditQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });
const uuidParam = z.uuid();

function keyView(key: ApiKeyInfo) {
  return {
    id: key.id,
    scope: key.scope,
    label: key.label,
    prefix: key.prefix,
    created_at: key.createdAt.toISOString(),
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
  };
}

/** Tenant self-service: keys, privacy settings, erasure, audit log, pipeline progress. */
@Controller('v1')
@UseGuards(AuthGuard)
export class AdminController {
  constructor(@Inject(API_DEPS) private readonly deps: ApiDeps) {}

  @Get('tenant')
  @RequireScopes('read', 'admin', 'ingest')
  async tenant(@Req() request: AuthenticatedRequest): Promise<TenantInfo> {
    const tenant = (await new TenantRepository(this.deps.db).findById(request.auth!.tenantId))!;
    return {
      id: tenant.id,
      slug: tenant.slug,
      name: tenant.name,
      scope: request.auth!.scope,
      k_users: tenant.kUsers,
      min_conversations: tenant.minConversations,
      retention_days: tenant.retentionDays,
      privacy_mode: this.deps.env.PRIVACY_MODE,
      dp_epsilon: effectiveEpsilon(this.deps.env.DP_EPSILON_PER_MONTH, tenant.dpEpsilon),
      minutes_overrides: Object.fromEntries(
        Object.entries(tenant.minutesOverrides).map(([label, value]) => [
          label,
          { manual_minutes: value.manualMinutes },
        ]),
      ),
    };
  }

  // Raw, ungated pipeline counts (how many conversations arrived, when): operators of the
  // integration only, never a read key (issue #10), which sees published figures alone.
  @Get('status')
  @RequireScopes('admin', 'ingest')
  async status(@Req() request: AuthenticatedRequest): Promise<PipelineStatus> {
    const status = await new PipelineStatusRepository(this.deps.db).forTenant(
      request.auth!.tenantId,
    );
    return {
      conversations: status.total,
      accepted: status.accepted,
      waiting_for_idle: status.waitingForIdle,
      tagged: status.tagged,
      embedded: status.embedded,
      failed: status.failed,
      paused_budget: status.pausedBudget,
      not_sampled: status.notSampled,
      content_deleted: status.contentDeleted,
    };
  }

  @Get('admin/keys')
  @RequireScopes('admin')
  async listKeys(@Req() request: AuthenticatedRequest) {
    const keys = await new ApiKeyRepository(this.deps.db).list(request.auth!.tenantId);
    return { keys: keys.map(keyView) };
  }

  @Post('admin/keys')
  @RequireScopes('admin')
  async createKey(@Req() request: AuthenticatedRequest) {
    const body = await readJsonBody(request, createKeyBody);
    const created = await new ApiKeyRepository(this.deps.db).create(
      request.auth!.tenantId,
      body.scope,
      body.label,
    );
    return {
      ...keyView(created),
      key: created.key,
      note: 'store this key now: it is not shown again',
    };
  }

  @Delete('admin/keys/:id')
  @RequireScopes('admin')
  @HttpCode(204)
  async revokeKey(@Req() request: AuthenticatedRequest, @Param('id') id: string): Promise<void> {
    // Another tenant's key id is indistinguishable from a missing one.
    if (!uuidParam.safeParse(id).success) throw notFound('API key');
    const revoked = await new ApiKeyRepository(this.deps.db).revoke(request.auth!.tenantId, id);
    if (!revoked) throw notFound('API key');
  }

  @Get('admin/settings')
  @RequireScopes('admin')
  async settings(@Req() request: AuthenticatedRequest): Promise<TenantInfo> {
    return this.tenant(request);
  }

  @Patch('admin/settings')
  @RequireScopes('admin')
  async updateSettings(@Req() request: AuthenticatedRequest): Promise<TenantInfo> {
    const body = await readJsonBody(request, settingsBody);
    // Thresholds may only be raised above the deployment's floor, never lowered below it.
    if (body.k_users !== undefined && body.k_users < this.deps.env.K_USERS) {
      throw badRequest(
        'k_users',
        `must be at least the deployment minimum of ${this.deps.env.K_USERS}`,
      );
    }
    if (
      body.min_conversations !== undefined &&
      body.min_conversations < this.deps.env.MIN_CONVERSATIONS
    ) {
      throw badRequest(
        'min_conversations',
        `must be at least the deployment minimum of ${this.deps.env.MIN_CONVERSATIONS}`,
      );
    }
    // Tenants may spend less privacy budget than the deployment allows, never more.
    if (
      body.dp_epsilon !== undefined &&
      body.dp_epsilon !== null &&
      body.dp_epsilon > this.deps.env.DP_EPSILON_PER_MONTH
    ) {
      throw badRequest(
        'dp_epsilon',
        `must be at most the deployment's monthly cap of ${this.deps.env.DP_EPSILON_PER_MONTH}`,
      );
    }
    await new TenantRepository(this.deps.db).updateSettings(request.auth!.tenantId, {
      ...(body.dp_epsilon !== undefined ? { dpEpsilon: body.dp_epsilon } : {}),
      ...(body.k_users !== undefined ? { kUsers: body.k_users } : {}),
      ...(body.min_conversations !== undefined ? { minConversations: body.min_conversations } : {}),
      ...(body.retention_days !== undefined ? { retentionDays: body.retention_days } : {}),
      ...(body.minutes_overrides !== undefined
        ? {
            minutesOverrides: Object.fromEntries(
              Object.entries(body.minutes_overrides).map(([label, value]) => [
                label,
                { manualMinutes: value.manual_minutes },
              ]),
            ),
          }
        : {}),
    });
    return this.tenant(request);
  }

  /** Erases every conversation of one user. The raw id is pseudonymized here and never stored. */
  @Post('admin/erasure')
  @RequireScopes('admin')
  @HttpCode(202)
  async erase(@Req() request: AuthenticatedRequest) {
    const body = await readJsonBody(request, erasureBody);
    const tenantId = request.auth!.tenantId;
    const pseudonym = this.deps.pseudonymizer.pseudonym(tenantId, body.user_id);
    const { id: erasureRequestId } = await new ErasureRequestRepository(this.deps.db).create(
      tenantId,
      pseudonym,
    );
    await this.deps.queue.enqueue('erase-user', { tenantId, erasureRequestId });
    return { erasure_request_id: erasureRequestId, status: 'queued' };
  }

  @Get('admin/audit-log')
  @RequireScopes('admin')
  async auditLog(@Req() request: AuthenticatedRequest) {
    const { limit } = parseWith(auditQuery, request.query, 'query');
    const entries = await new AuditLogRepository(this.deps.db).list(request.auth!.tenantId, limit);
    return { entries: entries.map((entry) => ({ ...entry, at: entry.at.toISOString() })) };
  }
}
