import { FAILURE_REASONS, facetAnswerSchema } from '@silhouette/contracts';
import { describe, expect, it } from 'vitest';
import { toStrictJsonSchema } from '../openai/json-schema';
import {
  TAG_PROMPT_VERSION,
  TAG_SYSTEM_PROMPT,
  buildTagUserMessage,
  renderConversation,
  tagPromptOverheadTokens,
  tagResponseJsonSchema,
} from './prompt';
import { estimateTokens } from './truncate';

describe('facet prompt', () => {
  it('costs at most 400 tokens beyond the conversation (system prompt + wrapper + schema + framing)', () => {
    const overhead = tagPromptOverheadTokens();
    expect(overhead).toBeLessThanOrEqual(400);

    // Measured independently: the full prompt minus the transcript.
    const transcript = renderConversation([{ role: 'user', content: 'x'.repeat(4_000) }]);
    const full =
      estimateTokens(TAG_SYSTEM_PROMPT) +
      estimateTokens(buildTagUserMessage(transcript)) +
      estimateTokens(JSON.stringify(tagResponseJsonSchema()));
    expect(full - estimateTokens(transcript)).toBeLessThanOrEqual(overhead);
  });

  it('is versioned', () => {
    expect(TAG_PROMPT_VERSION).toMatch(/^tag-v\d+$/);
  });

  it('sends the strict facet schema without descriptions (the prompt explains the fields)', () => {
    expect(tagResponseJsonSchema()).toEqual(
      toStrictJsonSchema(facetAnswerSchema, { descriptions: false }),
    );
    const failureEnum = (
      tagResponseJsonSchema()['properties'] as Record<string, { items: { enum: string[] } }>
    )['failure_reasons']!.items.enum;
    expect(failureEnum).toEqual([...FAILURE_REASONS]);
  });

  it('names every facet and states the privacy rule, the bounds and the outcome definitions', () => {
    for (const field of Object.keys(facetAnswerSchema.shape)) {
      expect(TAG_SYSTEM_PROMPT).toContain(field);
    }
    expect(TAG_SYSTEM_PROMPT).toMatch(
      /NEVER names, proper nouns, emails, numbers or personal details/,
    );
    expect(TAG_SYSTEM_PROMPT).toContain('0-480');
    expect(TAG_SYSTEM_PROMPT).toContain('lowercase');
    for (const outcome of ['unresolved=', 'abandoned=', 'refused='])
      expect(TAG_SYSTEM_PROMPT).toContain(outcome);
  });

  it('renders the conversation compactly inside the wrapper', () => {
    const rendered = renderConversation([
      { role: 'user', content: 'fix my regex' },
      { role: 'assistant', content: 'use \\d+' },
      { role: 'tool', content: 'ok' },
    ]);
    expect(rendered).toBe('USER: fix my regex\nASSISTANT: use \\d+\nTOOL: ok');
    expect(buildTagUserMessage(rendered)).toBe(`<conversation>\n${rendered}\n</conversation>`);
  });
});
