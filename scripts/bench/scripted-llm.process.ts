/**
 * The scripted OpenAI-compatible server in a process of its own, so a benchmark measures the
 * pipeline, not the fake model sharing its CPU.
 * Usage: `node --import tsx scripted-llm.process.ts LATENCY_MS [rules|offline]`.
 * `offline` answers facet requests with the offline tagger's facets for the conversation (varied
 * use cases and goals, as a real model's would be) instead of the server's few keyword rules.
 * Prints `READY <baseURL>` on stdout; stats at GET <baseURL>/__stats.
 */
import { OfflineTagger } from '@silhouette/llm';
import {
  isFacetSchema,
  isWireFacetSchema,
  parseConversation,
  ScriptedLlmServer,
  toWireFacet,
} from '../../test/helpers/scripted-llm-server';

const latency = Number(process.argv[2] ?? 0);
const facets = process.argv[3] === 'offline' ? 'offline' : 'rules';
const offline = new OfflineTagger();
const server = await ScriptedLlmServer.start({
  ...(facets === 'offline'
    ? {
        respond: async (request) => {
          if (!request.schema || !isFacetSchema(request.schema)) return undefined;
          const messages = parseConversation(request.userText)
            .filter((turn) => turn.role === 'user' || turn.role === 'assistant')
            .map((turn) => ({ role: turn.role as 'user' | 'assistant', content: turn.text }));
          if (messages.length === 0) return undefined;
          const { facet } = await offline.tag({ conversationId: 'scripted', messages });
          // The tagger asks with short wire keys; answer in the form it asked for.
          const answer = isWireFacetSchema(request.schema) ? toWireFacet({ ...facet }) : facet;
          return { content: JSON.stringify(answer) };
        },
      }
    : {}),
});
if (latency > 0) server.setLatency(latency);
console.log(`READY ${server.baseURL}`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
