/**
 * Scores a conversation against the taxonomies by weighted term matches and decides a label per
 * taxonomy, abstaining ("other") when the evidence is thin or two labels nearly tie.
 *
 * Compiled once: every term of every taxonomy is stemmed into a lookup table keyed by its stems;
 * a conversation is then scanned in one pass (lookups of the 1- to 4-word phrases ending at each
 * token, pre-checked by their first word).
 *
 * Score of a label = Σ over its matched terms of weight × mean occurrence weight × damp(n), where
 * an occurrence counts by the role of its message (ROLE_WEIGHTS), the first user message and its
 * opening words count more, n is the number of occurrences and damp(n) = 1 + ln n (repeating a
 * word ten times is not ten times the evidence). The sum is divided by sqrt(1 + weightedTokens / N) so long
 * conversations do not win by volume.
 */
import {
  ABSTAIN_CONFIDENCE,
  ABSTAIN_LABEL,
  FIRST_USER_TURN_WEIGHT,
  HEAD_BOOST,
  HEAD_TOKENS,
  LENGTH_NORM_TOKENS,
  MAX_LABEL_CONFIDENCE,
  MIN_LABEL_MARGIN,
  MIN_LABEL_SCORE,
  ROLE_WEIGHTS,
  SEPARATION_FLOOR,
  STRENGTH_SCALE,
} from './tagging-tables';
import type { PreparedConversation, PreparedMessage } from './prepared-conversation';
import type { TaxonomyEntry } from './taxonomy';
import { stemPhrase } from './text-normalizer';

/** Structural features, detected on the raw text of a message (see taxonomy.ts). */
const STRUCTURAL_FEATURES: Readonly<Record<string, (m: PreparedMessage) => boolean>> = {
  '#code': (m) =>
    /```|^(?: {4}|\t)\S.*[;{}()=]|^\s*(?:def|class|import|from|function|const|let|var|public|private|return|#include|package|fn|func)\b.*[:;{(=]|=>|console\.log|System\.out|printf\(|\bSELECT\b[^;]{1,200}?\bFROM\b/m.test(
      m.raw,
    ),
  '#error': (m) =>
    /\b[A-Z][A-Za-z]*(?:Error|Exception)\b|Traceback \(most recent call last\)|\bline \d+, in\b|\bat line \d+|[Ss]egmentation fault|\bexit code -?\d+|\bis not defined\b|\bcannot read propert|\b[Uu]nexpected token\b|\bnull ?pointer\b|\bstack ?trace\b|\bcore dumped\b|\bundefined is not\b/.test(
      m.raw,
    ),
  '#math': (m) =>
    /\d\s*[+*×÷^=]\s*-?\(?\d|\b[a-z]\s*\^\s*\d|\bf\(x\)|[√∫∑π≤≥]|\b[a-z]\s*=\s*-?\d|\b\d+[a-z]\s*[+=-]\s*\d/.test(
      m.raw,
    ),
  // "As a <role>, ... you ..." or "If you were a <role>": the assistant is cast in a role. A
  // sentence about the user's own role ("As a teacher, how can I ...") is not.
  '#persona': (m) =>
    m.role === 'user' &&
    (/^\s*as an?\s[^,.!?\n]{2,50},(?![^.?!\n]*\b(?:i|my|me|i'm)\b)[^.?!\n]*\byou/i.test(m.raw) ||
      /\bif you were an?\s/i.test(m.raw)),
  '#question': (m) =>
    m.role === 'user' &&
    (/\?\s*$/.test(m.raw) ||
      /^\s*(?:what|why|how|who|when|where|which|is|are|can|could|does|do)\b/i.test(m.raw)),
};

export interface LabelDecision {
  /** The chosen label, or ABSTAIN_LABEL. */
  readonly label: string;
  readonly abstained: boolean;
  /** 0-1, from score strength and margin (see tagging-tables.ts). */
  readonly confidence: number;
  /** Normalised score of the best label (before abstention). */
  readonly score: number;
  readonly bestLabel: string | undefined;
  readonly runnerUp: string | undefined;
  /** (best - second) / best. */
  readonly margin: number;
}

/** Longest taxonomy phrase, in words. */
const MAX_TERM_WORDS = 4;

interface Posting {
  readonly taxonomy: number;
  readonly label: number;
  readonly weight: number;
}

interface CompiledTaxonomy {
  readonly name: string;
  readonly labels: readonly string[];
}

/** Term parse: "phrase:weight" (weight optional). Exported for tests of the taxonomy itself. */
export function parseTerms(spec: string): { phrase: string; weight: number }[] {
  const out: { phrase: string; weight: number }[] = [];
  for (const part of spec.split(',')) {
    const item = part.trim();
    if (item.length === 0) continue;
    const colon = item.lastIndexOf(':');
    const tail = colon >= 0 ? item.slice(colon + 1) : '';
    if (colon > 0 && /^-?\d+(?:\.\d+)?$/.test(tail)) {
      out.push({ phrase: item.slice(0, colon).trim(), weight: Number(tail) });
    } else {
      out.push({ phrase: item, weight: 1 });
    }
  }
  return out;
}

export class TaxonomyClassifier<Name extends string> {
  private readonly taxonomies: CompiledTaxonomy[] = [];
  private readonly termIds = new Map<string, number>();
  private readonly postings: Posting[][] = [];
  /** For n = 2..MAX_TERM_WORDS: the first stem of every n-word term (a cheap pre-check). */
  private readonly ngramStarts: Set<string>[] = Array.from(
    { length: MAX_TERM_WORDS + 1 },
    () => new Set<string>(),
  );
  private readonly featureIds: [number, (m: PreparedMessage) => boolean][] = [];
  /** Every surface word of every term: the closed vocabulary use cases may be built from. */
  readonly vocabulary = new Set<string>();
  /** Single-word terms ("python", "invoice"): the only words usable when written capitalised. */
  readonly singleWordTerms = new Set<string>();

  constructor(taxonomies: Readonly<Record<Name, readonly TaxonomyEntry[]>>) {
    const entries = Object.entries(taxonomies) as [Name, readonly TaxonomyEntry[]][];
    entries.forEach(([name, taxonomy], t) => {
      this.taxonomies.push({ name, labels: taxonomy.map((e) => e.label) });
      taxonomy.forEach((entry, l) => {
        for (const { phrase, weight } of parseTerms(entry.terms))
          this.addTerm(phrase, t, l, weight);
      });
    });
    for (const [feature, detect] of Object.entries(STRUCTURAL_FEATURES)) {
      const id = this.termIds.get(feature);
      if (id !== undefined) this.featureIds.push([id, detect]);
    }
  }

  private addTerm(phrase: string, taxonomy: number, label: number, weight: number): void {
    let key: string;
    if (phrase.startsWith('#')) {
      if (!(phrase in STRUCTURAL_FEATURES)) throw new Error(`unknown structural feature ${phrase}`);
      key = phrase;
    } else {
      const stems = stemPhrase(phrase);
      if (stems.length === 0 || stems.length > MAX_TERM_WORDS) {
        throw new Error(`taxonomy term "${phrase}" must have 1 to ${MAX_TERM_WORDS} words`);
      }
      key = stems.join(' ');
      if (stems.length >= 2) this.ngramStarts[stems.length]!.add(stems[0]!);
      const words = phrase.toLowerCase().split(/\s+/);
      for (const word of words) if (/^[a-z]+$/.test(word)) this.vocabulary.add(word);
      if (words.length === 1 && /^[a-z]+$/.test(words[0]!) && weight > 0) {
        this.singleWordTerms.add(words[0]!);
      }
    }
    let id = this.termIds.get(key);
    if (id === undefined) {
      id = this.postings.length;
      this.termIds.set(key, id);
      this.postings.push([]);
    }
    const list = this.postings[id]!;
    const existing = list.findIndex((p) => p.taxonomy === taxonomy && p.label === label);
    if (existing >= 0) {
      if (list[existing]!.weight < weight) list[existing] = { taxonomy, label, weight };
    } else {
      list.push({ taxonomy, label, weight });
    }
  }

  /** Normalised scores per taxonomy and label (all labels, unsorted). */
  score(conversation: PreparedConversation): Record<Name, Map<string, number>> {
    const occurrences = new Uint32Array(this.postings.length);
    const weightSums = new Float64Array(this.postings.length);
    const touched: number[] = [];
    const add = (id: number | undefined, w: number): void => {
      if (id === undefined) return;
      if (occurrences[id] === 0) touched.push(id);
      occurrences[id]!++;
      weightSums[id]! += w;
    };
    let weightedTokens = 0;
    conversation.messages.forEach((message, index) => {
      const roleWeight = ROLE_WEIGHTS[message.role];
      const isFirstUser = index === conversation.firstUserIndex;
      const base = roleWeight * (isFirstUser ? FIRST_USER_TURN_WEIGHT : 1);
      const stems = message.stems;
      weightedTokens += roleWeight * stems.length;
      for (let i = 0; i < stems.length; i++) {
        const w = isFirstUser && i < HEAD_TOKENS ? base * HEAD_BOOST : base;
        const s = stems[i]!;
        add(this.termIds.get(s), w);
        for (let n = 2; n <= MAX_TERM_WORDS && n <= i + 1; n++) {
          if (!this.ngramStarts[n]!.has(stems[i - n + 1]!)) continue;
          let key = stems[i - n + 1]!;
          for (let k = i - n + 2; k <= i; k++) key += ` ${stems[k]!}`;
          add(this.termIds.get(key), w);
        }
      }
      for (const [id, detect] of this.featureIds) if (detect(message)) add(id, base);
    });

    const norm = Math.sqrt(1 + weightedTokens / LENGTH_NORM_TOKENS);
    const raw = this.taxonomies.map((t) => new Float64Array(t.labels.length));
    for (const id of touched) {
      // Mean occurrence weight times a damped occurrence count.
      const n = occurrences[id]!;
      const evidence = (weightSums[id]! / n) * (n === 1 ? 1 : 1 + Math.log(n));
      for (const p of this.postings[id]!) raw[p.taxonomy]![p.label]! += p.weight * evidence;
    }
    const result = {} as Record<Name, Map<string, number>>;
    this.taxonomies.forEach((t, ti) => {
      const scores = new Map<string, number>();
      // Negative (counter-evidence) terms can lower a label, never below zero.
      t.labels.forEach((label, li) => scores.set(label, Math.max(0, raw[ti]![li]!) / norm));
      result[t.name as Name] = scores;
    });
    return result;
  }

  /** Scores and decides a label per taxonomy. */
  classify(conversation: PreparedConversation): Record<Name, LabelDecision> {
    const scores = this.score(conversation);
    const result = {} as Record<Name, LabelDecision>;
    for (const name of Object.keys(scores) as Name[]) result[name] = decideLabel(scores[name]);
    return result;
  }
}

/** Best label with abstention and calibrated confidence (constants in tagging-tables.ts). */
export function decideLabel(scores: ReadonlyMap<string, number>): LabelDecision {
  let bestLabel: string | undefined;
  let runnerUp: string | undefined;
  let best = 0;
  let second = 0;
  for (const [label, score] of scores) {
    // Ties keep taxonomy order, so the result is deterministic.
    if (score > best) {
      second = best;
      runnerUp = bestLabel;
      best = score;
      bestLabel = label;
    } else if (score > second) {
      second = score;
      runnerUp = label;
    }
  }
  const margin = best > 0 ? (best - second) / best : 0;
  const score = round3(best);
  if (bestLabel === undefined || best < MIN_LABEL_SCORE || margin < MIN_LABEL_MARGIN) {
    return {
      label: ABSTAIN_LABEL,
      abstained: true,
      confidence: ABSTAIN_CONFIDENCE,
      score,
      bestLabel,
      runnerUp,
      margin: round3(margin),
    };
  }
  const strength = 1 - Math.exp(-best / STRENGTH_SCALE);
  const separation = SEPARATION_FLOOR + (1 - SEPARATION_FLOOR) * margin;
  return {
    label: bestLabel,
    abstained: false,
    confidence: round3(MAX_LABEL_CONFIDENCE * strength * separation),
    score,
    bestLabel,
    runnerUp,
    margin: round3(margin),
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
