/**
 * The scripted server itself (test/helpers/scripted-llm-server.ts), exercised through the real
 * `openai` client. Lives here because the unit project only collects specs under apps/libs/scripts.
 */
import { facetAnswerSchema } from '@silhouette/contracts';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ScriptedLlmServer,
  findPii,
  pseudoEmbedding,
} from '../../../../test/helpers/scripted-llm-server';
import { toStrictJsonSchema } from './json-schema';

let server: ScriptedLlmServer;
let openai: OpenAI;

beforeEach(async () => {
  server = await ScriptedLlmServer.start({ embeddingDimension: 32 });
  openai = new OpenAI({
    baseURL: server.baseURL,
    apiKey: 'k',
    maxRetries: 0,
    timeout: 2_000,
    logLevel: 'off',
  });
});

afterEach(async () => {
  await server.close();
});

async function facetCompletion(conversation: string): Promise<string> {
  const completion = await openai.chat.completions.create({
    model: 'scripted-tagger',
    messages: [
      { role: 'system', content: 'tag' },
      { role: 'user', content: `<conversation>\n${conversation}\n</conversation>` },
    ],
    response_format: {
      type: 'json_schema',
      json_schema: {
        name: 'facet_answer',
        strict: true,
        schema: toStrictJsonSchema(facetAnswerSchema),
      },
    },
  });
  return completion.choices[0]!.message.content!;
}

const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('scripted LLM server', () => {
  it('lists models', async () => {
    const models = await openai.models.list();
    expect(models.data.map((m) => m.id)).toContain('scripted-tagger');
  });

  it('answers the facet schema with a plausible, valid answer derived from the conversation', async () => {
    const answer = JSON.parse(
      await facetCompletion(
        'USER: Can you translate this paragraph to German?\nASSISTANT: I cannot help with that.',
      ),
    );
    expect(facetAnswerSchema.parse(answer)).toMatchObject({
      domain: 'translation',
      outcome: 'refused',
    });
  });

  it('answers any other schema with a conforming sample', async () => {
    const schema = z.object({
      name: z.string(),
      score: z.number().int(),
      tags: z.array(z.string()),
      ok: z.boolean(),
    });
    const completion = await openai.chat.completions.create({
      model: 'namer',
      messages: [{ role: 'user', content: 'name this cluster' }],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'cluster_name', strict: true, schema: toStrictJsonSchema(schema) },
      },
    });
    expect(schema.safeParse(JSON.parse(completion.choices[0]!.message.content!)).success).toBe(
      true,
    );
  });

  it('produces schema violations and invalid JSON on demand', async () => {
    server.enqueue('schema_violation', 'invalid_json');
    const violating = facetAnswerSchema.safeParse(JSON.parse(await facetCompletion('USER: hello')));
    expect(violating.success).toBe(false);
    expect(violating.error!.issues.map((i) => i.path[0])).toContain('outcome');
    const invalid = await facetCompletion('USER: hello');
    expect(() => JSON.parse(invalid)).toThrow(SyntaxError);
  });

  it('leak_pii copies names, emails, phones and card numbers from user messages into a valid answer', async () => {
    server.setMode('leak_pii');
    const answer = facetAnswerSchema.parse(
      JSON.parse(
        await facetCompletion(
          'USER: Please email John Smith at john.smith@corp.example or call 020 7946 0958 about card 5555 5555 5555 4444.\nASSISTANT: Done.',
        ),
      ),
    );
    expect(answer.use_case).toContain('John Smith');
    expect(answer.use_case).toContain('john.smith@corp.example');
    expect(answer.goal_summary).toContain('john.smith@corp.example');
    expect(answer.goal_summary).toContain('02079460958');
    expect(answer.goal_summary).toContain('5555555555554444');
  });

  it('finds PII the way the leak mode uses it', () => {
    expect(
      findPii(
        'Hello Dear Anna Berg, mail anna@x.io or +44 20 7946 0958. Card: 4111-1111-1111-1111.',
      ),
    ).toEqual({
      names: ['Anna Berg'],
      emails: ['anna@x.io'],
      phones: ['+442079460958'],
      cards: ['4111111111111111'],
    });
  });

  it('returns deterministic, normalised embeddings (base64 by default in the SDK, or floats)', async () => {
    const texts = [
      'reset my vpn password',
      'reset my email password',
      'quarterly revenue forecast',
    ];
    const a = await openai.embeddings.create({ model: 'scripted-embedder', input: texts });
    const b = await openai.embeddings.create({
      model: 'scripted-embedder',
      input: texts,
      encoding_format: 'float',
    });
    const vectors = a.data.map((d) => d.embedding);
    expect(vectors[0]).toHaveLength(32);
    for (const [i, v] of vectors.entries()) {
      expect(cosine(v, v)).toBeCloseTo(1, 5);
      expect(v[0]).toBeCloseTo(b.data[i]!.embedding[0]!, 5);
      expect(v[0]).toBeCloseTo(pseudoEmbedding(texts[i]!, 32)[0]!, 5);
    }
    // Texts sharing words are closer than unrelated texts.
    expect(cosine(vectors[0]!, vectors[1]!)).toBeGreaterThan(cosine(vectors[0]!, vectors[2]!));

    const sized = await openai.embeddings.create({ model: 'e', input: 'x', dimensions: 8 });
    expect(sized.data[0]!.embedding).toHaveLength(8);
  });

  it('draws failures from a seeded RNG: the same seed gives the same sequence', async () => {
    const run = async (seed: number) => {
      server.resetRecording();
      server.setFailureRate(0.5, seed);
      for (let i = 0; i < 12; i++) await facetCompletion('USER: hi').catch(() => undefined);
      return server.requestsTo('chat').map((r) => r.answeredAs);
    };
    const first = await run(3);
    const second = await run(3);
    expect(second).toEqual(first);
    expect(first.filter((m) => m !== 'ok').length).toBeGreaterThan(0);
    expect(first.filter((m) => m === 'ok').length).toBeGreaterThan(0);
  });

  it('records bodies and the peak number of requests in flight', async () => {
    server.setLatency(150);
    await Promise.all([1, 2, 3].map(() => facetCompletion('USER: hi')));
    expect(server.maxInFlight).toBe(3);
    expect(server.inFlight).toBe(0);
    expect((server.requestsTo('chat')[0]!.body as { model: string }).model).toBe('scripted-tagger');
  });

  it('lets a hook answer specific requests and falls through when it returns nothing', async () => {
    server.respond = (request) =>
      request.schemaName === 'audit' ? { content: JSON.stringify({ score: 5 }) } : undefined;
    const audited = await openai.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'audit' }],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'audit', schema: { type: 'object' } },
      },
    });
    expect(JSON.parse(audited.choices[0]!.message.content!)).toEqual({ score: 5 });
    expect(facetAnswerSchema.safeParse(JSON.parse(await facetCompletion('USER: hi'))).success).toBe(
      true,
    );
  });
});
