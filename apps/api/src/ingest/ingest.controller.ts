import { Controller, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { INGEST_FORMATS, IngestService, type IngestResult } from '@silhouette/ingest';
import type { ApiDeps } from '../api-deps';
import { AuthGuard, RequireScopes, type AuthenticatedRequest } from '../auth/auth.guard';
import { parseWith, readRawBody } from '../common/read-body';
import { API_DEPS } from '../tokens';
import { ingestObserver } from './ingest-observer';

const ingestQuery = z.object({ format: z.enum(INGEST_FORMATS).default('auto') });

/**
 * POST /v1/conversations: JSON array or JSON lines, OpenAI / Anthropic / ShareGPT records.
 * 200 with per-record results when anything was stored or recognised as a duplicate; 400 with the
 * same body when every record was rejected; 413 naming the limit when one is exceeded.
 */
@Controller('v1/conversations')
@UseGuards(AuthGuard)
export class IngestController {
  private readonly service: IngestService;

  constructor(@Inject(API_DEPS) private readonly deps: ApiDeps) {
    this.service = new IngestService(deps.db, deps.queue, deps.pseudonymizer, ingestObserver(deps));
  }

  @Post()
  @RequireScopes('ingest')
  async ingest(
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<IngestResult> {
    const { format } = parseWith(ingestQuery, request.query, 'query');
    const limits = {
      maxRecords: this.deps.env.INGEST_MAX_RECORDS,
      maxRequestBytes: this.deps.env.INGEST_MAX_REQUEST_BYTES,
      maxMessageBytes: this.deps.env.INGEST_MAX_MESSAGE_BYTES,
    };
    const body = await readRawBody(request, limits.maxRequestBytes);
    const auth = request.auth!;
    const result = await this.service.ingestBody(
      { id: auth.tenantId, slug: auth.tenantSlug },
      body,
      {
        format,
        limits,
        oversizedMessage: 'request',
      },
    );
    const nothingUsable =
      result.accepted === 0 &&
      result.updated === 0 &&
      result.duplicates === 0 &&
      result.rejected.length > 0;
    response.status(nothingUsable ? 400 : 200);
    return result;
  }
}
