/**
 * The LLM privacy auditor (1 = identifies a person, 5 = fully general) over every text a snapshot
 * would publish: cluster names, descriptions, keywords and goal statements, the issue and
 * short-text maps' names, descriptions and keywords too. Publish only scores ≥ 4; a text
 * the auditor could not score counts as 1 (fail closed). Runs after the deterministic PII gate,
 * which already removed what it could recognise. Scores are recorded in the privacy evidence.
 * The goals of pooled "Other" groups are audited like any; breakdown and trend values (a team,
 * a language, a tag) are audited before the snapshot is built (`auditPublishedValues`), since a
 * refused value must be pooled under the anti-differencing rules, not just dropped.
 */
import type { SnapshotDraft } from '@silhouette/db';
import { AUDIT_PROMPT_VERSION, auditTexts } from '@silhouette/llm';
import {
  DEFAULT_MIN_AUDITOR_SCORE,
  withdrawPublished,
  type PrivacyEvidence,
} from '@silhouette/privacy';
import type { WorkerDeps } from '../worker-deps';

const UNNAMED = 'Unnamed group';

export async function applyAuditor(
  draft: SnapshotDraft,
  llm: NonNullable<WorkerDeps['clusterLlm']>,
): Promise<SnapshotDraft> {
  const texts = new Set<string>();
  for (const cluster of draft.clusters) {
    // An "Other" node's name and description are ours; its goals are merged user goals like any.
    if (!cluster.isOther) {
      if (cluster.name !== UNNAMED) texts.add(cluster.name);
      if (cluster.description) texts.add(cluster.description);
      for (const keyword of cluster.keywords) texts.add(keyword);
    }
    for (const goal of cluster.goals) texts.add(goal.text);
  }
  for (const cluster of draft.mapClusters ?? []) {
    if (cluster.isOther) continue;
    if (cluster.name !== UNNAMED) texts.add(cluster.name);
    if (cluster.description) texts.add(cluster.description);
    for (const keyword of cluster.keywords) texts.add(keyword);
  }
  const list = [...texts];
  const verdicts = await auditTexts(
    llm.client,
    llm.auditModel,
    list.map((text, index) => ({ key: String(index), text })),
  );
  const score = new Map(list.map((text, index) => [text, verdicts.get(String(index))?.score ?? 1]));
  const passes = (text: string) => (score.get(text) ?? 1) >= DEFAULT_MIN_AUDITOR_SCORE;
  const histogram: Record<string, number> = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  for (const value of score.values())
    histogram[String(value)] = (histogram[String(value)] ?? 0) + 1;
  let rejected = 0;
  // Goals the auditor rejects are no longer published: the evidence must count what is shown.
  let evidence = draft.evidence as unknown as PrivacyEvidence;
  const clusters = draft.clusters.map((cluster) => {
    const ours = cluster.isOther || cluster.name === UNNAMED;
    const name = ours || passes(cluster.name) ? cluster.name : UNNAMED;
    const description =
      cluster.isOther || !cluster.description || passes(cluster.description)
        ? cluster.description
        : '';
    const keywords = cluster.isOther ? cluster.keywords : cluster.keywords.filter(passes);
    const goals = cluster.goals.filter((goal) => passes(goal.text));
    if (goals.length < cluster.goals.length)
      evidence = withdrawPublished(
        evidence,
        `cluster/${cluster.clusterId}/goal`,
        cluster.goals.length - goals.length,
      );
    rejected +=
      Number(name !== cluster.name) +
      Number(description !== cluster.description) +
      (cluster.keywords.length - keywords.length) +
      (cluster.goals.length - goals.length);
    return { ...cluster, name, description, keywords, goals };
  });
  // Issue clusters name the topic clusters they occur in: by the topic's final (audited) name.
  const topicName = new Map(clusters.map((cluster) => [cluster.clusterId, cluster.name]));
  const mapClusters = draft.mapClusters?.map((cluster) => {
    const topics = (
      cluster.metrics['topics'] as { cluster_id: string; name: string }[] | undefined
    )?.map((topic) => ({ ...topic, name: topicName.get(topic.cluster_id) ?? UNNAMED }));
    const metrics = topics ? { ...cluster.metrics, topics } : cluster.metrics;
    if (cluster.isOther) return { ...cluster, metrics };
    const name = cluster.name === UNNAMED || passes(cluster.name) ? cluster.name : UNNAMED;
    const description =
      !cluster.description || passes(cluster.description) ? cluster.description : '';
    const keywords = cluster.keywords.filter(passes);
    rejected +=
      Number(name !== cluster.name) +
      Number(description !== cluster.description) +
      (cluster.keywords.length - keywords.length);
    return { ...cluster, name, description, keywords, metrics };
  });
  return {
    ...draft,
    clusters,
    ...(mapClusters ? { mapClusters } : {}),
    evidence: {
      ...(evidence as unknown as Record<string, unknown>),
      // Scores only, never the auditor's reasons (which may quote the text it rejected).
      auditor: {
        model: llm.auditModel,
        promptVersion: AUDIT_PROMPT_VERSION,
        minScore: DEFAULT_MIN_AUDITOR_SCORE,
        checked: list.length,
        rejected,
        scores: histogram,
      },
    },
  };
}

/** The auditor's score per value (fail closed: a value it could not score gets 1). */
export async function auditPublishedValues(
  values: readonly string[],
  llm: NonNullable<WorkerDeps['clusterLlm']>,
): Promise<Map<string, number>> {
  if (values.length === 0) return new Map();
  const verdicts = await auditTexts(
    llm.client,
    llm.auditModel,
    values.map((text, index) => ({ key: String(index), text })),
  );
  return new Map(values.map((value, index) => [value, verdicts.get(String(index))?.score ?? 1]));
}
