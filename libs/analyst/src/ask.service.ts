/**
 * Answers one question about a tenant's published insights: refusal check, then the LLM agent
 * (when an endpoint is configured) or the offline parser, then the gates every answer passes
 * whichever produced it: the grounding check (every number a tool value of this conversation)
 * and the PII detector on everything shown. Shared by `POST /v1/ask`, `silhouette ask` and MCP.
 */
import type { AskAnswer } from '@silhouette/contracts';
import { TenantRepository, type Queryable } from '@silhouette/db';
import { containsPii } from '@silhouette/privacy';
import type { LlmAnalyst } from './agent/llm-analyst';
import { checkGrounding } from './grounding/grounding-check';
import { OfflineAnalyst, type DraftAnswer } from './offline/offline-analyst';
import { QUESTION_SHAPES } from './offline/question-parser';
import { refusalFor } from './refusals/question-guard';
import { AnalystSession } from './tools/analyst-session';
import { NoSnapshotError, PublishedInsights } from './tools/published-insights';

export interface AskServiceOptions {
  /** The connection the API reads published insights with (no sealed grants). */
  db: Queryable;
  /** LLM mode when given; the offline parser otherwise. */
  llm?: LlmAnalyst;
}

export class AskService {
  constructor(private readonly options: AskServiceOptions) {}

  get mode(): 'llm' | 'offline' {
    return this.options.llm ? 'llm' : 'offline';
  }

  /** A session over the tenant's latest snapshot (also used by the MCP tools). */
  async session(tenantId: string): Promise<AnalystSession> {
    return new AnalystSession(await PublishedInsights.open(this.options.db, tenantId));
  }

  async ask(tenantId: string, question: string, signal?: AbortSignal): Promise<AskAnswer> {
    const mode = this.mode;
    const base = {
      question,
      mode,
      ...(mode === 'offline' ? { question_shapes: [...QUESTION_SHAPES] } : {}),
    };
    const tenant = await new TenantRepository(this.options.db).findById(tenantId);
    if (!tenant) throw new Error('unknown tenant');
    const refusal = refusalFor(question, tenant.kUsers);
    if (refusal) {
      return {
        ...base,
        answer: 'I cannot answer that.',
        figures: [],
        abstained: true,
        reason: refusal.reason,
        status: 'refused',
        snapshot_id: null,
        tools_used: [],
      };
    }
    let session: AnalystSession;
    try {
      session = await this.session(tenantId);
    } catch (error) {
      if (!(error instanceof NoSnapshotError)) throw error;
      return {
        ...base,
        answer: 'The published data does not say.',
        figures: [],
        abstained: true,
        reason: error.message,
        status: 'abstained',
        snapshot_id: null,
        tools_used: [],
      };
    }
    const draft: DraftAnswer = this.options.llm
      ? await this.options.llm.answer(session, question, signal)
      : await new OfflineAnalyst(session).answer(question);
    return finalAnswer(base, session, question, draft);
  }
}

/** The last gates: grounding (again, whoever drafted it) and PII on every text shown. */
function finalAnswer(
  base: Pick<AskAnswer, 'question' | 'mode' | 'question_shapes'>,
  session: AnalystSession,
  question: string,
  draft: DraftAnswer,
): AskAnswer {
  const common = {
    ...base,
    snapshot_id: session.data.snapshotId,
    tools_used: [...session.toolsUsed],
  };
  const abstention = (reason: string): AskAnswer => ({
    ...common,
    answer: 'The published data does not say.',
    figures: [],
    abstained: true,
    reason: containsPii(reason) ? 'the published data does not say' : reason,
    status: 'abstained',
  });
  if (draft.abstained) return abstention(draft.reason ?? 'the published data does not say');
  const grounding = checkGrounding(draft.answer, session.ledger, question, draft.cited);
  if (!grounding.ok) {
    return abstention(
      `the answer cited numbers no tool returned (${grounding.ungrounded.slice(0, 5).join(', ')})`,
    );
  }
  // Published texts passed the PII gate when published; a model can still write one itself.
  if (containsPii(draft.answer))
    return abstention('the answer contained personal data and was withheld');
  return {
    ...common,
    answer: draft.answer,
    figures: grounding.figures,
    abstained: false,
    reason: null,
    status: 'answered',
  };
}
