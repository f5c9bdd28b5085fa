/**
 * Typed failures of the structured LLM client. Messages carry task and model names, HTTP status
 * codes, provider error types and counts only: never prompt text, model output or a provider's
 * own error message (which can echo the request). These errors end up in logs and job failures.
 */

export type LlmErrorCode = 'llm_unavailable' | 'llm_invalid_output' | 'llm_request_rejected';

export abstract class LlmError extends Error {
  abstract readonly code: LlmErrorCode;
  /** Whether a job-level retry (later, with the queue's backoff) can reasonably succeed. */
  abstract readonly retryable: boolean;
  readonly task: string;
  readonly model: string;

  protected constructor(message: string, task: string, model: string) {
    super(message);
    this.name = new.target.name;
    this.task = task;
    this.model = model;
  }
}

/**
 * The endpoint kept failing with transient errors (429, 5xx, timeouts, connection errors) until
 * the attempt budget ran out. Retryable at the job level.
 */
export class LlmUnavailableError extends LlmError {
  readonly code = 'llm_unavailable' as const;
  readonly retryable = true;

  constructor(
    task: string,
    model: string,
    readonly attempts: number,
    /** Content-free description of the last failure, e.g. "HTTP 503 (server_error)". */
    readonly lastReason: string,
    /** HTTP status of the last failure; undefined for timeouts and connection errors. */
    readonly lastStatus: number | undefined,
  ) {
    super(
      `LLM unavailable for task "${task}" (model ${model}) after ${attempts} attempt(s); last failure: ${lastReason}`,
      task,
      model,
    );
  }
}

/** One issue of a failed validation, reduced to a field path and a zod issue code. */
export interface OutputIssueSummary {
  path: string;
  code: string;
}

/**
 * The model answered, but twice (answer + one repair) with something that is not valid JSON or
 * does not match the schema, or it refused. Not retryable: the same input gives the same answer.
 */
export class LlmOutputError extends LlmError {
  readonly code = 'llm_invalid_output' as const;
  readonly retryable = false;

  constructor(
    task: string,
    model: string,
    /** 'unparseable' | 'schema_violation' | 'empty' | 'refusal' */
    readonly reason: 'unparseable' | 'schema_violation' | 'empty' | 'refusal',
    readonly issues: readonly OutputIssueSummary[],
    readonly httpCalls: number,
  ) {
    const detail =
      issues.length > 0
        ? `: ${issues.length} issue(s) at ${issues
            .slice(0, 5)
            .map((i) => `${i.path} (${i.code})`)
            .join(', ')}`
        : '';
    super(
      `LLM output invalid for task "${task}" (model ${model}) after ${httpCalls} call(s): ${reason}${detail}`,
      task,
      model,
    );
  }
}

/**
 * The endpoint rejected the request itself (400, 401, 403, 404, 422 …): misconfiguration or a
 * request the model cannot take (e.g. context length). Retrying the same request will not help.
 */
export class LlmRequestError extends LlmError {
  readonly code = 'llm_request_rejected' as const;
  readonly retryable = false;

  constructor(
    task: string,
    model: string,
    readonly status: number | undefined,
    /** Provider error type/code when it looks like an identifier, e.g. "context_length_exceeded". */
    readonly providerCode: string | undefined,
  ) {
    super(
      `LLM request rejected for task "${task}" (model ${model}): HTTP ${status ?? 'n/a'}${
        providerCode ? ` (${providerCode})` : ''
      }`,
      task,
      model,
    );
  }
}
