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
  // Statistics bottom-up (a parent's are its children's merged)...
  type Stats = { terms: ClusterTerms; phrases: PhraseStats };
  const stats: Map<string, Stats>[] = new Array(levels.length);
  const childCount = new Map<string, number>();
  for (let l = levels.length - 1; l >= 0; l--) {
    const nodes = levels[l]!;
    const current = new Map<string, Stats>();
    if (l === levels.length - 1) {
      for (const node of nodes) {
        const list = node.members.map((index) => members[index]!);
        current.set(node.id, {
          terms: clusterTerms(list, kUsers),
          phrases: phraseStats(list, kUsers),
        });
      }
    } else {
      const children = new Map<string, Stats[]>();
      for (const child of levels[l + 1]!) {
        const below = child.parentId === null ? undefined : stats[l + 1]!.get(child.id);
        if (!below) continue;
        const list = children.get(child.parentId!);
        if (list) list.push(below);
        else children.set(child.parentId!, [below]);
      }
      for (const node of nodes) {
        const parts = children.get(node.id) ?? [];
        childCount.set(node.id, parts.length);
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
    stats[l] = current;
  }
  // ...names top-down, so that a child among several does not repeat its parent's name
  // ("Finding buses › Finding buses" says nothing when the parent holds other groups too).
  const out = new Map<string, TreeName>();
  for (let l = 0; l < levels.length; l++) {
    const nodes = levels[l]!;
    const ids = nodes.map((node) => node.id);
    const keywords = nameFromTerms(
      ids.map((id) => ({ id, terms: stats[l]!.get(id)!.terms })),
      { kUsers, maxTerms: MAX_KEYWORDS },
    );
    const names = readableNames(
      nodes.map((node) => {
        const parent = node.parentId === null ? undefined : out.get(node.parentId);
        const avoid =
          parent && (childCount.get(node.parentId!) ?? 0) > 1 ? [parent.name] : undefined;
        return { id: node.id, stats: stats[l]!.get(node.id)!.phrases, ...(avoid ? { avoid } : {}) };
      }),
      { kUsers },
    );
    for (const id of ids) {
      const named = names.get(id)!;
      out.set(id, { ...named, keywords: keywords.get(id)!.terms.slice(0, MAX_KEYWORDS) });
    }
  }
  return out;
}
