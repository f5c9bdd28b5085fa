/**
 * Offline names and keywords for a whole cluster tree: readable names from the members' facets
 * (`readable-names.ts`) and the c-TF-IDF keywords (`ctfidf.ts`), level by level, each level's
 * siblings named together. Each member is read once, for its base cluster; a parent's statistics
 * are its children's merged, which gives the same result as reading its members again.
 */
import {
  clusterTerms,
  mergeClusterTerms,
  nameFromTerms,
  type ClusterMember,
  type ClusterTerms,
} from './ctfidf';
import {
  mergePhraseStats,
  phraseStats,
  readableNames,
  type FacetMember,
  type PhraseStats,
} from './readable-names';

/** One member of the tree: its facet text (for keywords) and facets (for the name). */
export type TreeMember = ClusterMember & FacetMember;

export interface TreeNode {
  id: string;
  parentId: string | null;
  /** Member indexes; read on the base level only (parents are the union of their children). */
  members: readonly number[];
}

export interface TreeName {
  name: string;
  description: string;
  /** The c-TF-IDF terms, best first: used by at least kUsers users each, PII-gated. */
  keywords: string[];
}

/** Keywords kept per cluster. */
export const MAX_KEYWORDS = 5;

/** Names and keywords of every node of `levels` (top first, the last level is the base). */
export function nameTree(
  levels: readonly (readonly TreeNode[])[],
  members: readonly TreeMember[],
  kUsers: number,
): Map<string, TreeName> {
  const out = new Map<string, TreeName>();
  let below = new Map<string, { terms: ClusterTerms; phrases: PhraseStats }>();
  for (let l = levels.length - 1; l >= 0; l--) {
    const nodes = levels[l]!;
    const current = new Map<string, { terms: ClusterTerms; phrases: PhraseStats }>();
    if (l === levels.length - 1) {
      for (const node of nodes) {
        const list = node.members.map((index) => members[index]!);
        current.set(node.id, {
          terms: clusterTerms(list, kUsers),
          phrases: phraseStats(list, kUsers),
        });
      }
    } else {
      const children = new Map<string, { terms: ClusterTerms; phrases: PhraseStats }[]>();
      for (const child of levels[l + 1]!) {
        if (child.parentId === null) continue;
        const stats = below.get(child.id);
        if (!stats) continue;
        const list = children.get(child.parentId);
        if (list) list.push(stats);
        else children.set(child.parentId, [stats]);
      }
      for (const node of nodes) {
        const parts = children.get(node.id) ?? [];
        current.set(node.id, {
          terms: mergeClusterTerms(
            parts.map((p) => p.terms),
            kUsers,
          ),
          phrases: mergePhraseStats(
            parts.map((p) => p.phrases),
            kUsers,
          ),
        });
      }
    }
    const ids = nodes.map((node) => node.id);
    const keywords = nameFromTerms(
      ids.map((id) => ({ id, terms: current.get(id)!.terms })),
      { kUsers, maxTerms: MAX_KEYWORDS },
    );
    const names = readableNames(
      ids.map((id) => ({ id, stats: current.get(id)!.phrases })),
      { kUsers },
    );
    for (const id of ids) {
      const named = names.get(id)!;
      out.set(id, { ...named, keywords: keywords.get(id)!.terms.slice(0, MAX_KEYWORDS) });
    }
    below = current;
  }
  return out;
}
