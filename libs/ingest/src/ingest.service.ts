/**
 * Ingest: raw body -> validated canonical records -> pseudonymized, sealed rows -> one tag job
 * each. Used by the HTTP API and the CLI. A batch is stored with a single INSERT statement, so
 * either all of its good records are stored or none are; bad records are reported per record
 * and never block the good ones. Conversation and user ids are pseudonymised, and the messages
 * and allow-listed metadata are sealed together: nothing a client sent is stored in clear.
 */
import type {
  IgnoredField,
  IngestResult,
  RejectedRecord,
  SealedPayload,
} from '@silhouette/contracts';
import type { Queryable } from '@silhouette/db';
import { TenantRepository } from '@silhouette/db';
import type { QueueDriver } from '@silhouette/queue';
import { estimateTagConversationTokens } from '@silhouette/llm';
import { EnvelopeBatch } from './envelope-sealer';
import type { IngestFormat } from './formats';
import { IntakeRepository, type IntakeOutcome, type IntakeRow } from './intake.repository';
import { normalizeRecord } from './normalize-record';
import { decodeUtf8, splitRecords, type RawRecord } from './parse-body';
import type { Pseudonymizer } from './pseudonym';

export interface IngestLimits {
  maxRecords: number;
  maxRequestBytes: number;
  maxMessageBytes: number;
}

export type IngestLimitName = 'max_records' | 'max_request_bytes' | 'max_message_bytes';

/** A request over one of the ingest limits: answered with 413, nothing written. */
export class IngestLimitError extends Error {
  readonly code = 'payload_too_large';
  constructor(
    readonly limit: IngestLimitName,
    readonly max: number,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export class TenantNotReadyError extends Error {
  readonly code = 'tenant_not_ready';
}

export type { IngestResult, RejectedRecord } from '@silhouette/contracts';

export interface IngestOptions {
  format: IngestFormat;
  limits: IngestLimits;
  /**
   * 'request': an oversized message fails the whole request with 413 (HTTP API).
   * 'record': it is reported as a rejected record (CLI files).
   */
  oversizedMessage: 'request' | 'record';
  /**
   * New conversations wait for `CONVERSATION_IDLE_S` of idleness before tagging, as grown ones
   * always do (the OTLP receiver: a live conversation's spans keep arriving).
   */
  waitForIdle?: boolean;
}

export interface IngestObserver {
  recordResult(tenantSlug: string, result: IngestResult, seconds: number): void;
}

export class IngestService {
  constructor(
    private readonly db: Queryable,
    private readonly queue: QueueDriver,
    private readonly pseudonymizer: Pseudonymizer,
    private readonly observer?: IngestObserver,
  ) {}

  async ingestBody(
    tenant: { id: string; slug: string },
    body: Uint8Array,
    options: IngestOptions,
  ): Promise<IngestResult> {
    if (body.byteLength > options.limits.maxRequestBytes) {
      throw new IngestLimitError(
        'max_request_bytes',
        options.limits.maxRequestBytes,
        'body',
        `request body is ${body.byteLength} bytes, over the max_request_bytes limit of ${options.limits.maxRequestBytes}`,
      );
    }
    const records = splitRecords(decodeUtf8(body));
    if (records.length > options.limits.maxRecords) {
      throw new IngestLimitError(
        'max_records',
        options.limits.maxRecords,
        'body',
        `request has ${records.length} records, over the max_records limit of ${options.limits.maxRecords}`,
      );
    }
    return this.ingestRecords(tenant, records, options);
  }

  async ingestRecords(
    tenant: { id: string; slug: string },
    records: RawRecord[],
    options: IngestOptions,
  ): Promise<IngestResult> {
    const started = performance.now();
    const rejected: RejectedRecord[] = [];
    const valid: {
      position: RawRecord['position'];
      row: Omit<IntakeRow, 'nonce' | 'ciphertext'>;
      payload: SealedPayload;
    }[] = [];
    const seenIds = new Map<string, RawRecord['position']>();
    const ignored = new Map<string, number>();

    for (const record of records) {
      if (record.parseError) {
        rejected.push({ ...record.position, field: '(record)', message: record.parseError });
        continue;
      }
      const normalized = normalizeRecord(record.value, {
        format: options.format,
        maxMessageBytes: options.limits.maxMessageBytes,
      });
      if (!normalized.ok) {
        if (normalized.tooLarge && options.oversizedMessage === 'request') {
          throw new IngestLimitError(
            'max_message_bytes',
            options.limits.maxMessageBytes,
            normalized.error.field,
            `${describePosition(record.position)}: ${normalized.error.field} ${normalized.error.message}`,
          );
        }
        rejected.push({ ...record.position, ...normalized.error });
        continue;
      }
      const { conversation, contentBytes } = normalized;
      // Counted even when the record is rejected below: the field was dropped either way.
      for (const field of new Set(normalized.ignoredFields))
        ignored.set(field, (ignored.get(field) ?? 0) + 1);
      const earlier = seenIds.get(conversation.id);
      if (earlier) {
        rejected.push({
          ...record.position,
          field: 'id',
          message: `duplicates the id of ${describePosition(earlier)} in this request`,
        });
        continue;
      }
      seenIds.set(conversation.id, record.position);
      const externalId = this.pseudonymizer.conversationPseudonym(tenant.id, conversation.id);
      valid.push({
        position: record.position,
        row: {
          externalId,
          userPseudonym: this.pseudonymizer.pseudonym(tenant.id, conversation.user_id),
          ...(conversation.started_at ? { startedAt: conversation.started_at } : {}),
          messageCount: conversation.messages.length,
          contentBytes,
          // Counted here, where the text is at hand: the worker alone can open it later, and an
          // estimate must price the backlog before anything is sent (issue #15, item 4).
          promptTokens: estimateTagConversationTokens(conversation.messages),
          messageHashes: this.pseudonymizer.messageHashes(
            tenant.id,
            externalId,
            conversation.messages,
          ),
        },
        payload: {
          messages: conversation.messages,
          ...(conversation.metadata ? { metadata: conversation.metadata } : {}),
        },
      });
    }

    let outcomes: IntakeOutcome[] = [];
    if (valid.length > 0) {
      const sealingKey = await new TenantRepository(this.db).activeSealingKey(tenant.id);
      if (!sealingKey) throw new TenantNotReadyError('tenant has no active sealing key');
      const envelope = new EnvelopeBatch(tenant.id, sealingKey.publicKey);
      const rows: IntakeRow[] = valid.map(({ row, payload }) => ({
        ...row,
        ...envelope.seal(row.externalId, payload),
      }));
      outcomes = await new IntakeRepository(this.db).accept(
        tenant.id,
        sealingKey.keyId,
        envelope.ephemeralPublicKey,
        rows,
        options.waitForIdle ?? false,
      );
      // New conversations are tagged at once, unless they wait for idleness like grown ones
      // (the worker's reconciler enqueues those). Stored rows without a job are picked up by the
      // reconciler if this fails.
      if (!options.waitForIdle) {
        await this.queue.enqueueMany(
          'tag-conversation',
          outcomes
            .filter((row) => row.outcome === 'accepted')
            .map((row) => ({ tenantId: tenant.id, conversationId: row.conversationId })),
        );
      }
    }
    const positions = new Map(valid.map(({ row, position }) => [row.externalId, position]));
    for (const { externalId, outcome } of outcomes) {
      const refusal = OUTCOME_REFUSALS[outcome];
      if (refusal) rejected.push({ ...positions.get(externalId)!, ...refusal });
    }
    rejected.sort((a, b) => positionOrder(a) - positionOrder(b));
    const count = (outcome: IntakeOutcome['outcome']) =>
      outcomes.filter((row) => row.outcome === outcome).length;
    const ignoredFields: IgnoredField[] = [...ignored]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([field, count]) => ({ field, count }));
    const result: IngestResult = {
      accepted: count('accepted'),
      updated: count('updated'),
      duplicates: count('duplicate'),
      rejected,
      ignored_fields: ignoredFields,
    };
    this.observer?.recordResult(tenant.slug, result, (performance.now() - started) / 1000);
    return result;
  }
}

/** An empty result, to add batches' results into with `addIngestResult`. */
export function emptyIngestResult(): IngestResult {
  return { accepted: 0, updated: 0, duplicates: 0, rejected: [], ignored_fields: [] };
}

/** Adds one batch's result into a running total (ignored fields summed by name). */
export function addIngestResult(total: IngestResult, batch: IngestResult): IngestResult {
  total.accepted += batch.accepted;
  total.updated += batch.updated;
  total.duplicates += batch.duplicates;
  total.rejected.push(...batch.rejected);
  for (const { field, count } of batch.ignored_fields) {
    const known = total.ignored_fields.find((entry) => entry.field === field);
    if (known) known.count += count;
    else total.ignored_fields.push({ field, count });
  }
  return total;
}

/** Why a stored conversation refused a record (0018_growing_conversations.sql). */
const OUTCOME_REFUSALS: Partial<
  Record<IntakeOutcome['outcome'], { field: string; message: string }>
> = {
  conflict: { field: 'messages', message: 'conflicts with the stored conversation' },
  user_conflict: {
    field: 'user_id',
    message: 'conflicts with the stored conversation (another user_id)',
  },
  retry: {
    field: 'id',
    message: 'was changed by a concurrent request; send the record again',
  },
};

function positionOrder(position: { line?: number; index?: number }): number {
  return position.line ?? position.index ?? 0;
}

function describePosition(position: RawRecord['position']): string {
  return 'line' in position ? `line ${position.line}` : `record ${position.index}`;
}
