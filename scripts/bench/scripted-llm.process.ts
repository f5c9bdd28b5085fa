/**
 * The scripted OpenAI-compatible server in a process of its own, so a benchmark measures the
 * pipeline, not the fake model sharing its CPU. Usage: `node --import tsx scripted-llm.process.ts LATENCY_MS`.
 * Prints `READY <baseURL>` on stdout; stats at GET <baseURL>/__stats.
 */
import { ScriptedLlmServer } from '../../test/helpers/scripted-llm-server';

const latency = Number(process.argv[2] ?? 0);
const server = await ScriptedLlmServer.start();
if (latency > 0) server.setLatency(latency);
console.log(`READY ${server.baseURL}`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
