/**
 * The scripted OpenAI-compatible server in a process of its own, so a benchmark measures the
 * pipeline, not the fake model sharing its CPU.
 * Usage: `node --import tsx scripted-llm.process.ts LATENCY_MS [rules|offline]`.
 * `offline` answers facet requests with the offline tagger's facets for the conversation (varied
 * use cases and goals, as a real model's would be) instead of the server's few keyword rules.
 * It reads each conversation without the scale bench's case tag (`(case ref …x)`, which only makes
 * conversations unique) and answers each distinct dialogue once: this process stands in for a
 * model on other machines, so its own CPU on the benchmark's two cores should be small.
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
const CASE_TAG = / \(case ref [0-9a-z]+x\)/g;
/** Facet answers by conversation text without its case tag, and by the form asked for. */
const answers = new Map<string, string>();
const server = await ScriptedLlmServer.start({
  ...(facets === 'offline'
    ? {
        respond: async (request) => {
          if (!request.schema || !isFacetSchema(request.schema)) return undefined;
          const wire = isWireFacetSchema(request.schema);
          const dialogue = request.userText.replace(CASE_TAG, '');
          const key = `${wire ? 'wire' : 'long'}\n${dialogue}`;
          const known = answers.get(key);
          if (known !== undefined) return { content: known };
          const messages = parseConversation(dialogue)
            .filter((turn) => turn.role === 'user' || turn.role === 'assistant')
            .map((turn) => ({ role: turn.role as 'user' | 'assistant', content: turn.text }));
          if (messages.length === 0) return undefined;
          const { facet } = await offline.tag({ conversationId: 'scripted', messages });
          // The tagger asks with short wire keys; answer in the form it asked for.
          const content = JSON.stringify(wire ? toWireFacet({ ...facet }) : facet);
          answers.set(key, content);
          return { content };
        },
      }
    : {}),
});
if (latency > 0) server.setLatency(latency);
console.log(`READY ${server.baseURL}`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
