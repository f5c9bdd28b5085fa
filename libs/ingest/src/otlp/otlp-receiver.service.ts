/**
 * The OTLP/HTTP trace receiver (`POST /otlp/v1/traces`): decode the export request, turn its
 * GenAI spans into conversations, and feed them to the same sealed ingest as every other door
 * (pseudonymised ids, sealed content and metadata, growing conversations). New conversations
 * wait for `CONVERSATION_IDLE_S` of idleness before tagging, since a live conversation's spans
 * keep arriving turn by turn.
 *
 * The answer follows the OTLP spec: full success is an empty response; spans of conversations
 * that ingest refused are `rejected_spans`, with an `error_message` that names the fields and
 * reasons (never content or ids); spans without GenAI content are accepted and ignored, and a
 * warning says how many (the spec allows an `error_message` with zero rejected spans).
 */
import type { Queryable } from '@silhouette/db';
import type { QueueDriver } from '@silhouette/queue';
import type { IngestLimits, IngestObserver } from '../ingest.service';
import { IngestService } from '../ingest.service';
import type { RawRecord } from '../parse-body';
import type { Pseudonymizer } from '../pseudonym';
import { genAiConversations } from './genai-conversations.mapper';
import {
  decodeTraceRequest,
  decompressBody,
  OtlpRequestError,
  otlpEncodingOf,
  type OtlpEncoding,
} from './otlp-request.decoder';

export interface OtlpExportRequest {
  body: Buffer;
  contentType: string | undefined;
  contentEncoding: string | undefined;
}

export interface OtlpExportResult {
  encoding: OtlpEncoding;
  spans: number;
  conversations: number;
  acceptedSpans: number;
  ignoredSpans: number;
  rejectedSpans: number;
  /** Set when spans were rejected or ignored: what the OTLP answer's `error_message` says. */
  message: string | undefined;
  /** The ingest counts, for metrics and logs (no ids, no content). */
  accepted: number;
  updated: number;
  duplicates: number;
}

export class OtlpReceiverService {
  private readonly ingest: IngestService;

  constructor(
    db: Queryable,
    queue: QueueDriver,
    pseudonymizer: Pseudonymizer,
    observer?: IngestObserver,
  ) {
    this.ingest = new IngestService(db, queue, pseudonymizer, observer);
  }

  /** The encoding an error answer must use: the request's, JSON when it named none we know. */
  static answerEncoding(contentType: string | undefined): OtlpEncoding {
    return otlpEncodingOf(contentType) ?? 'json';
  }

  async export(
    tenant: { id: string; slug: string },
    request: OtlpExportRequest,
    limits: IngestLimits,
  ): Promise<OtlpExportResult> {
    const encoding = otlpEncodingOf(request.contentType);
    if (!encoding) {
      throw new OtlpRequestError(
        415,
        'content-type',
        'must be application/x-protobuf or application/json',
      );
    }
    const body = decompressBody(request.body, request.contentEncoding, limits.maxRequestBytes);
    const spans = decodeTraceRequest(body, encoding);
    const { conversations, ignoredSpans } = genAiConversations(spans);

    const records: RawRecord[] = conversations.map((conversation, index) => ({
      position: { index },
      value: {
        id: conversation.id,
        ...(conversation.userId !== undefined ? { user_id: conversation.userId } : {}),
        ...(conversation.startedAt ? { started_at: conversation.startedAt } : {}),
        messages: conversation.messages,
        ...(conversation.model ? { metadata: { model: conversation.model.slice(0, 100) } } : {}),
      },
    }));
    const result =
      records.length > 0
        ? await this.ingest.ingestRecords(tenant, records, {
            format: 'openai',
            limits: { ...limits, maxRecords: Number.MAX_SAFE_INTEGER },
            oversizedMessage: 'record',
            waitForIdle: true,
          })
        : undefined;

    let rejectedSpans = 0;
    const reasons = new Map<string, number>();
    for (const rejection of result?.rejected ?? []) {
      const conversation = conversations[rejection.index ?? -1];
      if (!conversation) continue;
      rejectedSpans += conversation.spans;
      const reason =
        rejection.field === 'user_id' && rejection.message === 'is required'
          ? 'user_id: is required (set the user.id or enduser.id attribute)'
          : `${rejection.field}: ${rejection.message}`;
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    const notes: string[] = [];
    if (rejectedSpans > 0) {
      const listed = [...reasons]
        .map(([reason, count]) => `${reason} (${count} conversation${count === 1 ? '' : 's'})`)
        .join('; ');
      notes.push(`${rejectedSpans} of ${spans.length} spans rejected: ${listed}`);
    }
    if (ignoredSpans > 0) {
      notes.push(
        ignoredSpans === 1
          ? '1 span without GenAI message content was ignored'
          : `${ignoredSpans} spans without GenAI message content were ignored`,
      );
    }
    return {
      encoding,
      spans: spans.length,
      conversations: conversations.length,
      acceptedSpans: spans.length - ignoredSpans - rejectedSpans,
      ignoredSpans,
      rejectedSpans,
      message: notes.length > 0 ? notes.join('. ') : undefined,
      accepted: result?.accepted ?? 0,
      updated: result?.updated ?? 0,
      duplicates: result?.duplicates ?? 0,
    };
  }
}
