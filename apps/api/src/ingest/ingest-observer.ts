/** Metrics and one log line per ingest batch, for every ingest door (counts only, never ids). */
import type { IngestObserver } from '@silhouette/ingest';
import type { ApiDeps } from '../api-deps';

export function ingestObserver(deps: ApiDeps): IngestObserver {
  return {
    recordResult: (tenant, result, seconds) => {
      deps.metrics.ingestRecords.inc({ tenant, result: 'accepted' }, result.accepted);
      deps.metrics.ingestRecords.inc({ tenant, result: 'updated' }, result.updated);
      deps.metrics.ingestRecords.inc({ tenant, result: 'duplicate' }, result.duplicates);
      deps.metrics.ingestRecords.inc({ tenant, result: 'rejected' }, result.rejected.length);
      deps.metrics.ingestBatchSeconds.observe(seconds);
      deps.logger.info(
        {
          tenant,
          accepted: result.accepted,
          updated: result.updated,
          duplicates: result.duplicates,
          rejected: result.rejected.length,
          ms: Math.round(seconds * 1000),
        },
        'ingest batch',
      );
    },
  };
}
