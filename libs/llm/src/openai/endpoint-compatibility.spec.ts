/**
 * The structured client against scripted servers that differ from OpenAI's API the way real
 * OpenAI-compatible servers do (vLLM, Ollama, LM Studio, LiteLLM, older OpenAI models): real HTTP
 * through the real `openai` package. What the client learns is remembered, so only the first call
 * pays for it.
 */
import { facetAnswerSchema, type FacetAnswer } from '@silhouette/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ScriptedLlmServer,
  type ScriptedQuirks,
} from '../../../../test/helpers/scripted-llm-server';
import type { CapabilityChange } from './endpoint-capabilities';
import { LlmOutputError, LlmRequestError } from './errors';
import {
  StructuredLlmClient,
  type CompletionRequest,
  type StructuredClientOptions,
} from './structured-client';

const CONVERSATION = `<conversation>
USER: Can you check my budget forecast? Revenue is down and the expense lines look wrong.
ASSISTANT: Sure, the forecast double counts the travel expense line.
USER: Thanks, perfect.
</conversation>`;

let server: ScriptedLlmServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(quirks: ScriptedQuirks, options: StructuredClientOptions = {}) {
  server = await ScriptedLlmServer.start({ quirks });
  const changes: CapabilityChange[] = [];
  const coercions: { task: string; model: string; field: string }[] = [];
  const client = new StructuredLlmClient({
    baseURL: server.baseURL,
    apiKey: 'k',
    baseDelayMs: 1,
    maxDelayMs: 5,
    timeoutMs: 2_000,
    cache: false,
    onCapabilityChange: (change) => changes.push(change),
    onCoercion: (event) => coercions.push(event),
    ...options,
  });
  return { server, client, changes, coercions };
}

const facetRequest = (user = CONVERSATION): CompletionRequest<FacetAnswer> => ({
  task: 'tag',
  model: 'scripted-tagger',
  schema: facetAnswerSchema,
  schemaName: 'facet_answer',
  schemaDescriptions: false,
  system: 'Tag the conversation.',
  user,
  promptVersion: 'compat-v1',
  maxOutputTokens: 300,
});

type SentBody = {
  response_format?: { type: string };
  messages: { role: string; content: string }[];
  max_tokens?: number;
  max_completion_tokens?: number;
};
const bodies = (s: ScriptedLlmServer) => s.requestsTo('chat').map((r) => r.body as SentBody);

describe('structured output on endpoints as they really are', () => {
  it('falls back from json_schema to JSON mode with the schema in the prompt, once', async () => {
    const { server, client, changes } = await setup({ responseFormats: ['json_object'] });
    const first = await client.complete(facetRequest());
    expect(first.value.domain).toBe('finance');
    const second = await client.complete(facetRequest(CONVERSATION.replace('budget', 'invoice')));
    expect(second.value.domain).toBe('finance');

    const sent = bodies(server);
    expect(sent.map((b) => b.response_format?.type)).toEqual([
      'json_schema',
      'json_object',
      'json_object', // remembered: the second call goes straight to JSON mode
    ]);
    expect(server.requestsTo('chat').map((r) => r.status)).toEqual([400, 200, 200]);
    expect(sent[1]!.messages[0]!.content).toContain('"goal_summary"');
    expect(sent[0]!.messages[0]!.content).not.toContain('"goal_summary"');
    expect(changes).toEqual([
      { kind: 'structured_output', from: 'json_schema', to: 'json_object' },
    ]);
    expect(client.endpointSettings.structuredOutput).toBe('json_object');
    // The 400 was a capability probe, not a failure: no retry or repair counted.
    expect(client.stats().rows[0]).toMatchObject({ retries: 0, repairs: 0, errors: 0 });
  });

  it('falls back to plain text when JSON mode is refused too, and reads JSON out of prose', async () => {
    const { server, client, changes } = await setup({ responseFormats: [] });
    const result = await client.complete(facetRequest());
    expect(result.value.outcome).toBe('resolved');
    expect(result.repaired).toBe(false);
    expect(bodies(server).map((b) => b.response_format?.type ?? 'none')).toEqual([
      'json_schema',
      'json_object',
      'none',
    ]);
    const answer = server.requestsTo('chat')[2]!;
    expect(answer.status).toBe(200);
    expect(changes.map((c) => c.kind === 'structured_output' && c.to)).toEqual([
      'json_object',
      'text',
    ]);
  });

  it('reads a JSON answer wrapped in prose by an endpoint that ignores response_format', async () => {
    const { server, client, changes } = await setup({ ignoreResponseFormat: true });
    const result = await client.complete(facetRequest());
    expect(result.value.domain).toBe('finance');
    expect(server.chatRequestCount).toBe(1);
    expect(changes).toEqual([]);
  });

  it('starts at a configured mode (for endpoints that need no probing)', async () => {
    const { server, client } = await setup({}, { structuredOutput: 'text' });
    await client.complete(facetRequest());
    expect(bodies(server)[0]!.response_format).toBeUndefined();
    expect(bodies(server)[0]!.messages[0]!.content).toContain('JSON schema');
  });

  it('switches max_tokens to max_completion_tokens on a 400 naming it, and back', async () => {
    const { server, client, changes } = await setup({
      maxTokensParameter: 'max_completion_tokens',
    });
    await client.complete(facetRequest());
    await client.complete(facetRequest());
    const sent = bodies(server);
    expect(
      sent.map((b) => (b.max_tokens !== undefined ? 'max_tokens' : 'max_completion_tokens')),
    ).toEqual(['max_tokens', 'max_completion_tokens', 'max_completion_tokens']);
    expect(sent[2]!.max_completion_tokens).toBe(300);
    expect(changes).toEqual([
      { kind: 'max_tokens_parameter', from: 'max_tokens', to: 'max_completion_tokens' },
    ]);

    const older = await setup(
      { maxTokensParameter: 'max_tokens' },
      { maxTokensParameter: 'max_completion_tokens' },
    );
    await older.client.complete(facetRequest());
    expect(older.client.endpointSettings.maxTokensParameter).toBe('max_tokens');
    expect(older.server.requestsTo('chat').map((r) => r.status)).toEqual([400, 200]);
  });

  it('sends no length parameter to an endpoint that refuses both', async () => {
    const { server, client } = await setup({});
    server.respond = (request) => {
      const named = ['max_tokens', 'max_completion_tokens'].find((p) => p in request.body);
      return named
        ? {
            status: 400,
            body: { error: { message: `Unrecognized request argument: ${named}`, param: named } },
          }
        : undefined;
    };
    const result = await client.complete(facetRequest());
    expect(result.value.domain).toBe('finance');
    expect(server.requestsTo('chat').map((r) => r.status)).toEqual([400, 400, 200]);
    expect(client.endpointSettings.maxTokensParameter).toBeUndefined();
  });

  it('copes with both differences at once (no json_schema and max_completion_tokens only)', async () => {
    const { server, client } = await setup({
      responseFormats: ['json_object'],
      maxTokensParameter: 'max_completion_tokens',
    });
    const result = await client.complete(facetRequest());
    expect(result.value.domain).toBe('finance');
    expect(server.requestsTo('chat').map((r) => r.status)).toEqual([400, 400, 200]);
  });

  it('estimates tokens when the answer has no usage, and ignores fields it does not know', async () => {
    const { client } = await setup({ omitUsage: true, extraFields: true });
    const result = await client.complete(facetRequest());
    expect(result.usage.promptTokens).toBeGreaterThan(20);
    expect(result.usage.completionTokens).toBeGreaterThan(20);
    expect(Object.keys(result.value)).not.toContain('notes');
    expect(client.stats().totals.promptTokens).toBe(result.usage.promptTokens);
  });

  it('cuts over-long labels at a word boundary and counts them, instead of failing', async () => {
    const { server, client, coercions } = await setup({ overlongLabels: true });
    const result = await client.complete(facetRequest());
    expect(server.chatRequestCount).toBe(1); // no repair call
    expect(result.repaired).toBe(false);
    expect(result.value.domain.length).toBeLessThanOrEqual(60);
    // A prefix of what the model said, ending at a word boundary.
    expect(result.value.domain).toBe('finance and related back-office administration for regional');
    expect(result.value.use_case.split(/\s+/).length).toBeLessThanOrEqual(12);
    expect(result.value.goal_summary.split(/\s+/).length).toBeLessThanOrEqual(25);
    expect(result.value.goal_summary).not.toMatch(/\s(the|and|for|to|with)$/);
    const fields = coercions.map((c) => c.field).sort();
    expect(fields).toEqual(['domain', 'goal_summary', 'use_case']);
    expect(coercions.every((c) => c.task === 'tag' && c.model === 'scripted-tagger')).toBe(true);
    expect(client.stats().rows[0]!.coercions).toBe(3);
  });

  it('still treats wrong types, unknown enum values and out-of-range numbers as invalid', async () => {
    const { server, client } = await setup({});
    server.setMode('schema_violation'); // outcome "great", frustration 9, twice
    const error = await client.complete(facetRequest()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmOutputError);
    expect(server.chatRequestCount).toBe(2);

    const schema = z.object({ label: z.string().max(10), count: z.number().int() });
    server.respond = () => ({ content: JSON.stringify({ label: 'x'.repeat(30), count: '3' }) });
    const mixed = await client
      .complete({
        task: 't',
        model: 'm',
        schema,
        schemaName: 's',
        system: 's',
        user: 'u',
        promptVersion: 'v',
      })
      .catch((e: unknown) => e);
    // The over-long label alone would be cut; the string where a number belongs is not repaired.
    expect(mixed).toBeInstanceOf(LlmOutputError);
    expect((mixed as LlmOutputError).issues.map((i) => i.path)).toContain('count');
  });

  it('does not loop on a 400 it cannot learn from', async () => {
    const { server, client } = await setup({}, { structuredOutput: 'text' });
    server.respond = () => ({
      status: 400,
      body: { error: { message: 'response_format is broken', type: 'invalid_request_error' } },
    });
    const error = await client.complete(facetRequest()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmRequestError);
    expect(server.chatRequestCount).toBe(1);
  });
});
