/**
 * Read API of issue #15: the issues map ("what goes wrong") and the maps of short-text custom
 * facets, and the custom facets a reader needs to label their breakdowns. Like every insights
 * route, only the tenant's latest published snapshot is read; another tenant sees its own.
 */
import { Controller, Get, Inject, Req, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import {
  mapNameSchema,
  type MapCluster,
  type MapResponse,
  type MetricRow,
  type PublishedCustomFacets,
} from '@silhouette/contracts';
import { CustomFacetRepository, InsightsRepository } from '@silhouette/db';
import type { ApiDeps } from '../api-deps';
import { answeredByModel } from '../admin/custom-facets.controller';
import { AuthGuard, RequireScopes, type AuthenticatedRequest } from '../auth/auth.guard';
import { ApiError } from '../common/api-error';
import { parseWith } from '../common/read-body';
import { API_DEPS } from '../tokens';
import { snapshotInfo } from './snapshot-document';

const mapQuery = z.object({ name: mapNameSchema.default('issues') }).strict();

/** The stored metrics of a map cluster (written by the worker's publisher in this shape). */
interface MapMetrics {
  failure_rate?: number;
  failure_impact_minutes?: number | null;
  failure_reasons?: MetricRow[];
  topics?: MapCluster['topics'];
  noise?: MapCluster['noise'];
  sampling?: MapCluster['sampling'];
}

@Controller('v1/insights')
@UseGuards(AuthGuard)
export class MapsController {
  constructor(@Inject(API_DEPS) private readonly deps: ApiDeps) {}

  @Get('map')
  @RequireScopes('read', 'admin')
  async map(@Req() request: AuthenticatedRequest): Promise<MapResponse> {
    const { name } = parseWith(mapQuery, request.query, 'query');
    const tenantId = request.auth!.tenantId;
    const insights = new InsightsRepository(this.deps.db);
    const snapshot = await insights.latest(tenantId);
    if (!snapshot)
      throw new ApiError(
        404,
        'no_snapshot',
        'nothing has been published for this tenant yet: conversations are still being processed',
      );
    const clusters = await insights.mapClusters(tenantId, snapshot.id, name);
    return {
      snapshot: snapshotInfo(snapshot),
      name,
      clusters: clusters.map((cluster) => {
        const metrics = cluster.metrics as MapMetrics;
        return {
          id: cluster.clusterId,
          level: cluster.level,
          parent_id: cluster.parentId,
          is_other: cluster.isOther,
          name: cluster.name,
          description: cluster.description,
          keywords: cluster.keywords,
          conversations: cluster.conversations,
          distinct_users: cluster.distinctUsers,
          failure_rate: metrics.failure_rate ?? null,
          failure_impact_minutes: metrics.failure_impact_minutes ?? null,
          failure_reasons: metrics.failure_reasons ?? [],
          topics: metrics.topics ?? [],
          ...(metrics.noise ? { noise: metrics.noise } : {}),
          ...(metrics.sampling ? { sampling: metrics.sampling } : {}),
        };
      }),
    };
  }

  @Get('facets')
  @RequireScopes('read', 'admin')
  async facets(@Req() request: AuthenticatedRequest): Promise<PublishedCustomFacets> {
    const tenantId = request.auth!.tenantId;
    const facets = await new CustomFacetRepository(this.deps.db).list(tenantId);
    const model = await answeredByModel(this.deps, tenantId);
    return {
      facets: facets.map((facet) => ({
        key: facet.key,
        question: facet.question,
        type: facet.type,
        ...(facet.values ? { values: [...facet.values] } : {}),
        ...(facet.min !== undefined ? { min: facet.min } : {}),
        ...(facet.max !== undefined ? { max: facet.max } : {}),
        published_as: facet.type === 'short_text' ? 'map' : 'breakdown',
      })),
      tagger: model ? 'openai-compatible' : 'offline',
      note: model
        ? null
        : 'No model is configured: enum and boolean facets are answered only where the keyword rules match ("(not set)" otherwise); number and short-text facets are not answered.',
    };
  }
}
