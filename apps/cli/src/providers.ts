/** Chooses the tagging provider: OpenAI-compatible when an endpoint is configured, else offline. */
import { llmConfigured, type Env } from '@silhouette/config';
import type { FacetTagger } from '@silhouette/llm';
import { OfflineTagger } from '@silhouette/llm';
import { scrubPii } from '@silhouette/privacy';

export function createTagger(env: Env): FacetTagger {
  if (llmConfigured(env)) {
    throw new Error('OpenAI-compatible tagging is being wired (issue #3); unset OPENAI_BASE_URL/OPENAI_API_KEY');
  }
  return new OfflineTagger();
}

export function createScrubber(): (text: string) => { text: string; redactions: number } {
  return (text) => {
    const result = scrubPii(text);
    return { text: result.text, redactions: result.redactions };
  };
}
