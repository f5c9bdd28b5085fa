/**
 * Prometheus metrics for /metrics. One registry per process; queue depth is collected on scrape
 * from whatever queue driver is running.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface QueueDepthSource {
  counts(): Promise<Record<string, Record<string, number>>>;
}

export class Metrics {
  readonly registry = new Registry();

  readonly ingestRecords = new Counter({
    name: 'silhouette_ingest_records_total',
    help: 'Conversations received by ingest, by result (accepted, updated, duplicate, rejected)',
    labelNames: ['tenant', 'result'] as const,
    registers: [this.registry],
  });

  readonly otlpSpans = new Counter({
    name: 'silhouette_otlp_spans_total',
    help: 'Spans received on /otlp/v1/traces, by result (accepted, rejected, ignored: no GenAI content)',
    labelNames: ['tenant', 'result'] as const,
    registers: [this.registry],
  });

  readonly ingestBatchSeconds = new Histogram({
    name: 'silhouette_ingest_batch_duration_seconds',
    help: 'Time to validate, seal and store one ingest batch',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly httpSeconds = new Histogram({
    name: 'silhouette_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly jobsProcessed = new Counter({
    name: 'silhouette_jobs_processed_total',
    help: 'Jobs finished by the worker, by job name and result (completed, retried, dead_lettered)',
    labelNames: ['job', 'result'] as const,
    registers: [this.registry],
  });

  readonly jobSeconds = new Histogram({
    name: 'silhouette_job_duration_seconds',
    help: 'Job handler latency by job name',
    labelNames: ['job'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [this.registry],
  });

  readonly llmCoercions = new Counter({
    name: 'silhouette_llm_coercions_total',
    help: 'Model answers accepted after cutting an over-long field to its limit, by task and field',
    labelNames: ['task', 'field'] as const,
    registers: [this.registry],
  });

  private readonly queueJobs = new Gauge({
    name: 'silhouette_queue_jobs',
    help: 'Jobs per queue and state (waiting, active, delayed, failed)',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });

  private queueSource?: QueueDepthSource;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'silhouette_' });
  }

  watchQueues(source: QueueDepthSource): void {
    this.queueSource = source;
  }

  async render(): Promise<string> {
    if (this.queueSource) {
      const counts = await this.queueSource.counts();
      this.queueJobs.reset();
      for (const [queue, states] of Object.entries(counts)) {
        for (const [state, value] of Object.entries(states))
          this.queueJobs.set({ queue, state }, value);
      }
    }
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
