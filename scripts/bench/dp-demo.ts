/**
 * The demo tenant for the dp benchmark, built the way `npm start` builds it: the demo company's
 * conversations (80 people in nine teams over ten weeks, apps/cli/src/demo), tagged by the
 * offline tagger, embedded by the offline embedder and clustered into the three-level tree. Runs
 * in memory (no database): the benchmark needs the facet rows and the tree, not the storage.
 */
import { buildHierarchy, OfflineEmbedder } from '@silhouette/clustering';
import { minutesSaved } from '@silhouette/contracts';
import { OfflineTagger } from '@silhouette/llm';
import type { FacetRow } from '@silhouette/sealed';
import { demoCompany } from '../../apps/cli/src/demo/demo-company';
import type { ClusterNode } from '../../apps/worker/src/clustering/run-clustering';
import { facetText } from '../../apps/worker/src/clustering/run-clustering';
import type { SyntheticTenant } from './dp-synthetic';

export async function demoTenant(now: Date): Promise<SyntheticTenant> {
  const { conversations } = demoCompany(now);
  const tagger = new OfflineTagger();
  const rows: FacetRow[] = [];
  for (const record of conversations) {
    const { facet } = await tagger.tag({ conversationId: record.id, messages: record.messages });
    rows.push({
      conversationId: record.id,
      user: record.user_id,
      at: new Date(record.started_at ?? now),
      domain: facet.domain,
      taskType: facet.task_type,
      useCase: facet.use_case,
      goalSummary: facet.goal_summary,
      outcome: facet.outcome,
      failureReasons: facet.failure_reasons,
      minutesSaved: minutesSaved(facet),
      minutesWithoutAi: facet.minutes_without_ai,
      frustration: facet.user_frustration,
      language: facet.language,
      confidence: facet.confidence,
      team: record.metadata?.team ?? null,
      department: record.metadata?.department ?? null,
      frozenWeek: null,
    });
  }
  const texts = rows.map(facetText);
  const embedder = OfflineEmbedder.fit(texts);
  const vectors = embedder.embedSync(texts);
  const dimension = vectors[0]!.length;
  const data = new Float32Array(rows.length * dimension);
  vectors.forEach((vector, i) => data.set(vector, i * dimension));
  const tree = buildHierarchy(data, dimension, { levels: 3, topK: 7, seed: 7 });
  // Members per node, from the base assignments up through the parents.
  const base = tree.levels.length - 1;
  const members = tree.levels.map((level) => Array.from({ length: level.k }, () => [] as number[]));
  tree.assignments.forEach((cluster, row) => {
    let node = cluster;
    for (let level = base; level >= 0; level--) {
      members[level]![node]!.push(row);
      if (level > 0) node = tree.levels[level]!.parents[node]!;
    }
  });
  const id = (level: number, index: number) =>
    `000000d${level}-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;
  const levels: ClusterNode[][] = tree.levels.map((level, l) =>
    Array.from({ length: level.k }, (_, i) => ({
      id: id(l, i),
      level: l,
      parentId: l === 0 ? null : id(l - 1, level.parents[i]!),
      members: members[l]![i]!,
      centroid: level.centroids.subarray(i * dimension, (i + 1) * dimension),
      name: `Group ${l}.${i}`,
      description: '',
      lineage: 'new' as const,
      lineageSources: [],
      keywords: [],
    })),
  );
  return { rows, levels };
}
