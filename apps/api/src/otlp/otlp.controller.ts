/**
 * POST /otlp/v1/traces: OTLP/HTTP trace export (protobuf or JSON, optionally gzip), so that an
 * assistant's OpenTelemetry SDK exports to Silhouette with `OTEL_EXPORTER_OTLP_ENDPOINT=
 * http://host:3000/otlp` and `OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer sil_ingest_…"`.
 * Answers in the request's encoding: 200 with an empty ExportTraceServiceResponse, or with
 * `partial_success`; 400/413/415 with a google.rpc.Status body. Authentication, rate limit and
 * audit are the API's (an ingest key).
 */
import { Controller, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import {
  encodeStatus,
  encodeTraceResponse,
  IngestLimitError,
  OtlpReceiverService,
  OtlpRequestError,
} from '@silhouette/ingest';
import type { ApiDeps } from '../api-deps';
import { AuthGuard, RequireScopes, type AuthenticatedRequest } from '../auth/auth.guard';
import { readRawBody } from '../common/read-body';
import { ingestObserver } from '../ingest/ingest-observer';
import { API_DEPS } from '../tokens';

// google.rpc.Code values used in OTLP error bodies.
const INVALID_ARGUMENT = 3;
const RESOURCE_EXHAUSTED = 8;

@Controller('otlp/v1')
@UseGuards(AuthGuard)
export class OtlpController {
  private readonly receiver: OtlpReceiverService;

  constructor(@Inject(API_DEPS) private readonly deps: ApiDeps) {
    this.receiver = new OtlpReceiverService(
      deps.db,
      deps.queue,
      deps.pseudonymizer,
      ingestObserver(deps),
    );
  }

  @Post('traces')
  @RequireScopes('ingest')
  async traces(@Req() request: AuthenticatedRequest, @Res() response: Response): Promise<void> {
    const contentType = request.headers['content-type'];
    const answerEncoding = OtlpReceiverService.answerEncoding(contentType);
    const send = (status: number, body: Buffer) => {
      response
        .status(status)
        .type(answerEncoding === 'json' ? 'application/json' : 'application/x-protobuf')
        .send(body);
    };
    const auth = request.auth!;
    const limits = {
      maxRecords: this.deps.env.INGEST_MAX_RECORDS,
      maxRequestBytes: this.deps.env.INGEST_MAX_REQUEST_BYTES,
      maxMessageBytes: this.deps.env.INGEST_MAX_MESSAGE_BYTES,
    };
    try {
      const body = await readRawBody(request, limits.maxRequestBytes);
      const result = await this.receiver.export(
        { id: auth.tenantId, slug: auth.tenantSlug },
        {
          body,
          contentType,
          contentEncoding: request.headers['content-encoding'],
        },
        limits,
      );
      const tenant = auth.tenantSlug;
      this.deps.metrics.otlpSpans.inc({ tenant, result: 'accepted' }, result.acceptedSpans);
      this.deps.metrics.otlpSpans.inc({ tenant, result: 'rejected' }, result.rejectedSpans);
      this.deps.metrics.otlpSpans.inc({ tenant, result: 'ignored' }, result.ignoredSpans);
      this.deps.logger.info(
        {
          tenant,
          encoding: result.encoding,
          gzip: request.headers['content-encoding'] === 'gzip',
          spans: result.spans,
          conversations: result.conversations,
          rejectedSpans: result.rejectedSpans,
          ignoredSpans: result.ignoredSpans,
        },
        'otlp export',
      );
      send(
        200,
        encodeTraceResponse(
          result.message
            ? { rejectedSpans: result.rejectedSpans, errorMessage: result.message }
            : undefined,
          answerEncoding,
        ),
      );
    } catch (error) {
      if (error instanceof OtlpRequestError) {
        send(error.status, encodeStatus(INVALID_ARGUMENT, error.message, answerEncoding));
        return;
      }
      if (error instanceof IngestLimitError) {
        send(413, encodeStatus(RESOURCE_EXHAUSTED, error.message, answerEncoding));
        return;
      }
      throw error;
    }
  }
}
