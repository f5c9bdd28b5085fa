/**
 * What an OpenAI-compatible endpoint really accepts, learnt from its answers and remembered for
 * the life of the client (one client per process and endpoint), so users configure nothing:
 *
 * - Structured output: `json_schema` (strict) first; an endpoint that rejects it with a 400 naming
 *   `response_format` / `json_schema` (OpenAI's older models, older vLLM, LiteLLM in front of
 *   providers without it) is asked with `json_object` (JSON mode) and the schema in the prompt; one
 *   that rejects that too gets plain text with the schema in the prompt. Every answer is validated
 *   with zod either way, so a weaker mode costs a repair call now and then, never correctness.
 * - Output length: `max_tokens` or `max_completion_tokens` (OpenAI's reasoning models refuse the
 *   first; some older servers refuse the second); a 400 naming the one sent switches to the other.
 *
 * `LLM_STRUCTURED_OUTPUT` and `LLM_MAX_TOKENS_PARAMETER` set the starting point for endpoints that
 * need it (e.g. one that ignores `json_schema` silently and answers prose: start at `text`).
 * Detection only reads the provider's error fields; they are never logged or rethrown.
 */
import { APIError } from 'openai';

export const STRUCTURED_OUTPUT_MODES = ['json_schema', 'json_object', 'text'] as const;
export type StructuredOutputMode = (typeof STRUCTURED_OUTPUT_MODES)[number];

export const MAX_TOKENS_PARAMETERS = ['max_tokens', 'max_completion_tokens'] as const;
export type MaxTokensParameter = (typeof MAX_TOKENS_PARAMETERS)[number];

export type CapabilityChange =
  | { kind: 'structured_output'; from: StructuredOutputMode; to: StructuredOutputMode }
  | { kind: 'max_tokens_parameter'; from: MaxTokensParameter; to: MaxTokensParameter };

export class EndpointCapabilities {
  private mode: StructuredOutputMode;
  private tokensParameter: MaxTokensParameter;
  private triedOtherParameter = false;
  /** Both token parameters were refused once: send none (the server's default length applies). */
  private tokensParameterRefused = false;

  constructor(
    start: { structuredOutput?: StructuredOutputMode; maxTokensParameter?: MaxTokensParameter },
    private readonly onChange?: (change: CapabilityChange) => void,
  ) {
    this.mode = start.structuredOutput ?? 'json_schema';
    this.tokensParameter = start.maxTokensParameter ?? 'max_tokens';
  }

  get structuredOutput(): StructuredOutputMode {
    return this.mode;
  }

  /** The parameter to send the output limit in, or undefined when the endpoint takes neither. */
  get maxTokensParameter(): MaxTokensParameter | undefined {
    return this.tokensParameterRefused ? undefined : this.tokensParameter;
  }

  /**
   * Learns from a failed request sent with `sent` settings. True when a setting changed and the
   * same request should be sent again at once (not counted as a retry).
   */
  learnFrom(
    error: unknown,
    sent: { mode: StructuredOutputMode; tokensParameter: MaxTokensParameter | undefined },
  ): boolean {
    const rejection = rejectionText(error);
    if (rejection === undefined) return false;
    // The token parameter first: its message can mention `response_format` in passing too.
    if (sent.tokensParameter !== undefined && mentions(rejection, sent.tokensParameter)) {
      if (sent.tokensParameter !== this.tokensParameter || this.tokensParameterRefused) return true;
      const other: MaxTokensParameter =
        sent.tokensParameter === 'max_tokens' ? 'max_completion_tokens' : 'max_tokens';
      if (this.triedOtherParameter) {
        this.tokensParameterRefused = true;
      } else {
        this.triedOtherParameter = true;
        this.tokensParameter = other;
        this.onChange?.({ kind: 'max_tokens_parameter', from: sent.tokensParameter, to: other });
      }
      return true;
    }
    if (
      sent.mode !== 'text' &&
      (mentions(rejection, 'response_format') ||
        mentions(rejection, sent.mode) ||
        mentions(rejection, 'structured output'))
    ) {
      if (sent.mode !== this.mode) return true; // another request already stepped down
      const next: StructuredOutputMode = sent.mode === 'json_schema' ? 'json_object' : 'text';
      this.mode = next;
      this.onChange?.({ kind: 'structured_output', from: sent.mode, to: next });
      return true;
    }
    return false;
  }
}

/** Lower-cased error fields of a 400/422, or undefined for any other failure. */
function rejectionText(error: unknown): string | undefined {
  if (!(error instanceof APIError)) return undefined;
  if (error.status !== 400 && error.status !== 422) return undefined;
  const body = error.error as { message?: unknown; param?: unknown; code?: unknown } | undefined;
  return [error.param, error.code, error.type, body?.message, error.message]
    .filter((part): part is string => typeof part === 'string')
    .join(' ')
    .toLowerCase();
}

function mentions(text: string, term: string): boolean {
  return text.includes(term.toLowerCase());
}
