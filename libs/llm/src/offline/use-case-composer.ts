/**
 * Composes the free-text facets without copying raw text:
 *  - use_case (≤ 12 words): the request verb of the first user message as a gerund plus its object
 *    phrase ("fixing typeerror in python function"), or the task's gerund plus the most distinctive
 *    phrase of the user's messages (TF-IDF-ish against the background vocabulary).
 *  - goal_summary (≤ 25 words): a template over task type, use case and domain.
 *
 * Privacy by construction: every word of the output comes from a closed vocabulary (the background
 * list, the taxonomy vocabulary, the verb lexicon and the labels). Tokens with digits, emails, URLs
 * and handles are removed before tokenising, and so are number words ("five five five one two"
 * spells a phone number as well as digits do; issue #10), a capitalised word is used only when it is a
 * single-word taxonomy term or starts a sentence, never inside a run of capitalised words (a
 * likely name), and never when it doubles as a common given name or surname.
 */
import { ABSTAIN_LABEL } from './tagging-tables';
import { BACKGROUND_BANDS, BAND_IDF, NAME_LIKE_WORDS, STOPWORDS } from './background-vocabulary';
import type { PreparedConversation } from './prepared-conversation';

const MAX_USE_CASE_WORDS = 12;
const MAX_PHRASE_CONTENT_WORDS = 4;
const MAX_CHUNK_WORDS = 4;
const MAX_USER_MESSAGES_FOR_PHRASES = 4;
const MAX_PHRASE_SOURCE_CHARS = 1_500;

/** Request verbs (base form) a use case may start with. Particles make multi-word verbs. */
const REQUEST_VERBS = `write draft compose rewrite rephrase paraphrase proofread edit revise polish
  shorten summarize summarise translate explain describe define compare analyze analyse evaluate
  assess review critique calculate compute solve estimate prove find search locate check book
  reserve schedule plan organize organise prepare create build design develop implement code
  program debug fix troubleshoot resolve optimize refactor test deploy install configure convert
  format reformat transform extract parse list identify classify categorize sort clean merge
  brainstorm suggest recommend generate improve learn understand teach study practice answer reply
  pay transfer send buy order cancel rent play watch listen add remove delete update change cook
  bake visit pretend imagine outline simplify interpret predict draw choose select compile rank
  structure track manage negotiate`;
const PHRASAL_VERBS: readonly [string, string][] = [
  ['look for', 'looking for'],
  ['look up', 'looking up'],
  ['come up with', 'coming up with'],
  ['find out', 'finding out'],
  ['set up', 'setting up'],
  ['figure out', 'figuring out'],
  ['sign up', 'signing up'],
  ['pick up', 'picking up'],
  ['role play', 'role-playing'],
  ['check out', 'checking out'],
];
/** Verbs that double their final consonant before -ing. */
const DOUBLING = new Set([
  'plan',
  'debug',
  'set',
  'get',
  'put',
  'run',
  'shop',
  'stop',
  'chat',
  'map',
  'log',
  'sum',
  'cut',
  'begin',
  'submit',
  'commit',
  'swap',
  'drop',
  'program',
  'format',
  'reformat',
  'admit',
  'forget',
  'refer',
  'prefer',
  'occur',
]);

export function gerund(verb: string): string {
  if (DOUBLING.has(verb)) return `${verb}${verb[verb.length - 1]}ing`;
  if (verb.endsWith('ie')) return `${verb.slice(0, -2)}ying`;
  if (verb.endsWith('e') && !/(?:ee|ye|oe)$/.test(verb)) return `${verb.slice(0, -1)}ing`;
  return `${verb}ing`;
}

const VERBS = new Set(REQUEST_VERBS.split(/\s+/).filter(Boolean));
/** -ing forms of the request verbs, plus common progressive requests ("looking for"). */
const VERB_GERUNDS = new Set([...VERBS].map(gerund).concat(['looking', 'wondering', 'trying']));
/** A request verb counts only at a clause start or after one of these words. */
const VERB_CUES = new Set([
  'to',
  'please',
  'me',
  'you',
  'can',
  'could',
  'would',
  'will',
  'i',
  'we',
  "let's",
  'lets',
  'us',
  'and',
  'then',
  'also',
  'pls',
  'just',
  'help',
  'kindly',
  'now',
  'want',
  'need',
]);
/** Words before a noun: after them a request verb is used as a noun ("my order", "a plan"). */
const NOUN_MARKERS = new Set([
  'a',
  'an',
  'the',
  'my',
  'your',
  'our',
  'their',
  'his',
  'her',
  'its',
  'this',
  'that',
  'these',
  'those',
  'some',
  'any',
  'each',
  'every',
]);
/** Words after which the next word is almost always a verb. */
const PRE_VERB = new Set([
  'help',
  "i'm",
  "we're",
  'am',
  'to',
  'i',
  'we',
  'you',
  'they',
  'please',
  'can',
  'could',
  'would',
  'will',
  'shall',
  'should',
  'must',
  'might',
  "let's",
  'lets',
  'pls',
  "don't",
  "didn't",
  "i'd",
  "i'll",
  "we'd",
]);
/** Noun markers plus pronouns and quantifiers: skipped at the start of a phrase. */
const DETERMINERS = new Set([
  ...NOUN_MARKERS,
  'me',
  'us',
  'him',
  'them',
  'it',
  'one',
  'few',
  'several',
  'all',
  'following',
  'more',
  'another',
  'other',
  'such',
]);
const LINKERS = new Set([
  'of',
  'for',
  'in',
  'on',
  'with',
  'about',
  'from',
  'to',
  'into',
  'between',
  'at',
  'by',
  'and',
  'or',
]);

/** Fallback gerund per task type (when no request verb was found). */
const TASK_GERUNDS: Readonly<Record<string, string>> = {
  coding: 'writing code for',
  debugging: 'fixing',
  troubleshooting: 'troubleshooting',
  drafting: 'writing',
  editing: 'rewriting',
  summarization: 'summarizing',
  'information extraction': 'extracting',
  explanation: 'understanding',
  analysis: 'analyzing',
  calculation: 'solving',
  reasoning: 'reasoning about',
  brainstorming: 'brainstorming',
  planning: 'planning',
  translation: 'translating',
  'role-play': 'role-playing',
  booking: 'booking',
  'search & lookup': 'finding',
  transaction: 'handling',
  'data transformation': 'converting',
  advice: 'getting advice on',
  [ABSTAIN_LABEL]: 'asking about',
};

/** What the user was trying to do, per task type, for the goal summary. */
const TASK_INTENTS: Readonly<Record<string, string>> = {
  coding: 'Write or change code',
  debugging: 'Find and fix a defect in code',
  troubleshooting: 'Resolve a technical problem',
  drafting: 'Draft new text',
  editing: 'Improve or rewrite existing text',
  summarization: 'Condense material into a summary',
  'information extraction': 'Pull specific facts out of text',
  explanation: 'Understand a topic',
  analysis: 'Analyze or compare options',
  calculation: 'Work out a calculation',
  reasoning: 'Reason through a problem',
  brainstorming: 'Generate ideas',
  planning: 'Make a plan',
  translation: 'Translate text',
  'role-play': 'Practice through a role-play',
  booking: 'Book or reserve something',
  'search & lookup': 'Look something up',
  transaction: 'Complete an account or payment action',
  'data transformation': 'Convert or reformat data',
  advice: 'Get advice',
  [ABSTAIN_LABEL]: 'Get help',
};

/** Removed before tokenising: identifiers that must never reach a use case. */
const SCRUB_RE =
  /\S+@\S+|\bhttps?:\/\/\S+|\bwww\.\S+|@\w+|[\p{L}\p{N}_'-]*\p{N}[\p{L}\p{N}_'-]*|[\p{L}]+(?:[._/\\][\p{L}]+)+/gu;
const TOKEN_RE = /[\p{L}]+(?:'[\p{L}]+)*|[.,;:!?()[\]{}"|\n]/gu;
/** Spelled-out numbers: removed like digits, so no run of them (a phone number) is copied. */
const NUMBER_WORDS = new Set(
  `zero oh nought nil one two three four five six seven eight nine ten eleven twelve thirteen
  fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy
  eighty ninety hundred thousand million billion trillion dozen`.split(/\s+/),
);

interface RawToken {
  readonly word: string;
  readonly barrier: boolean;
  readonly capitalised: boolean;
  readonly sentenceStart: boolean;
  readonly clauseStart: boolean;
}

interface PhraseToken {
  readonly word: string;
  readonly barrier: boolean;
  readonly eligible: boolean;
  readonly stop: boolean;
  readonly clauseStart: boolean;
}

export interface UseCaseContext {
  readonly taskType: string;
  readonly domain: string;
  /** Lowercase words of the taxonomy terms (the classifier's vocabulary). */
  readonly taxonomyVocabulary: ReadonlySet<string>;
  /** Single-word taxonomy terms: the only words that may be used when written capitalised. */
  readonly capitalisedAllowed: ReadonlySet<string>;
}

function idf(word: string, taxonomy: ReadonlySet<string>): number {
  const band = BACKGROUND_BANDS.get(word);
  if (taxonomy.has(word)) return Math.max(BAND_IDF.taxonomy, band ? BAND_IDF[band] : 0);
  return band ? BAND_IDF[band] : 0;
}

function tokenizeForPhrases(text: string, context: UseCaseContext): PhraseToken[] {
  const scrubbed = (
    text.length > MAX_PHRASE_SOURCE_CHARS ? text.slice(0, MAX_PHRASE_SOURCE_CHARS) : text
  )
    .replace(/’/g, "'")
    .replace(SCRUB_RE, ' | ');
  const raws: RawToken[] = [];
  let clauseStart = true;
  let sentenceStart = true;
  for (const match of scrubbed.matchAll(TOKEN_RE)) {
    const raw = match[0];
    if (raw.length === 1 && !/\p{L}/u.test(raw)) {
      raws.push({
        word: raw,
        barrier: true,
        capitalised: false,
        sentenceStart: false,
        clauseStart: false,
      });
      clauseStart = true;
      // The scrub marker "|" and commas end a clause, not a sentence.
      if (raw === '.' || raw === '!' || raw === '?' || raw === '\n') sentenceStart = true;
      continue;
    }
    const word = raw.toLowerCase();
    if (NUMBER_WORDS.has(word)) {
      // Like a scrubbed digit token: a barrier, so nothing on either side joins across it.
      raws.push({
        word: '|',
        barrier: true,
        capitalised: false,
        sentenceStart: false,
        clauseStart: false,
      });
      clauseStart = true;
      continue;
    }
    raws.push({ word, barrier: false, capitalised: raw !== word, sentenceStart, clauseStart });
    clauseStart = false;
    sentenceStart = false;
  }
  // A run of two or more capitalised words is probably a name ("Clean Power Finance", "Grace
  // Miller"): none of it is used unless every word is a single-word taxonomy term ("Python Flask").
  const inNameRun = new Array<boolean>(raws.length).fill(false);
  for (let i = 0; i < raws.length;) {
    if (raws[i]!.barrier || !raws[i]!.capitalised) {
      i++;
      continue;
    }
    let j = i;
    while (j < raws.length && !raws[j]!.barrier && raws[j]!.capitalised) j++;
    if (j - i >= 2 && !raws.slice(i, j).every((r) => context.capitalisedAllowed.has(r.word))) {
      for (let k = i; k < j; k++) inNameRun[k] = true;
    }
    i = j;
  }
  return raws.map((r, i): PhraseToken => {
    if (r.barrier)
      return { word: r.word, barrier: true, eligible: false, stop: false, clauseStart: false };
    const known =
      STOPWORDS.has(r.word) ||
      BACKGROUND_BANDS.has(r.word) ||
      context.taxonomyVocabulary.has(r.word) ||
      VERBS.has(r.word);
    const capitalisedOk =
      !inNameRun[i] &&
      !NAME_LIKE_WORDS.has(r.word) &&
      (r.sentenceStart || context.capitalisedAllowed.has(r.word));
    const eligible = known && r.word.length >= 2 && (!r.capitalised || capitalisedOk);
    return {
      word: r.word,
      barrier: false,
      eligible,
      stop: STOPWORDS.has(r.word),
      clauseStart: r.clauseStart,
    };
  });
}

interface Phrase {
  readonly words: string[];
  readonly score: number;
  /** Index of the user message it came from. */
  readonly message: number;
}

/** Object phrase after a request verb: content words, with linking words kept inside. */
function objectPhrase(
  tokens: readonly PhraseToken[],
  start: number,
  taxonomy: ReadonlySet<string>,
): Phrase | undefined {
  const words: string[] = [];
  let content = 0;
  let score = 0;
  for (let i = start; i < tokens.length && words.length < 8; i++) {
    const t = tokens[i]!;
    if (t.barrier) break;
    if (DETERMINERS.has(t.word)) continue;
    if (LINKERS.has(t.word)) {
      if (content === 0 || content >= MAX_PHRASE_CONTENT_WORDS) {
        if (content === 0) continue;
        break;
      }
      words.push(t.word);
      continue;
    }
    // A stop word ends the phrase; so does a name or number right after the verb ("visit <place>"):
    // the object is something we may not copy, so the distinctive-phrase fallback is used instead.
    if (t.stop || !t.eligible) break;
    if (content >= MAX_PHRASE_CONTENT_WORDS) break;
    words.push(t.word);
    content++;
    score += idf(t.word, taxonomy);
  }
  while (words.length > 0 && LINKERS.has(words[words.length - 1]!)) words.pop();
  return content > 0 ? { words, score, message: 0 } : undefined;
}

function findRequestVerb(
  tokens: readonly PhraseToken[],
): { gerund: string; objectStart: number } | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.barrier || !t.eligible) continue;
    const prev = i > 0 ? tokens[i - 1]! : undefined;
    const cued = t.clauseStart || (prev !== undefined && !prev.barrier && VERB_CUES.has(prev.word));
    if (!cued) continue;
    for (const [phrasal, ger] of PHRASAL_VERBS) {
      const parts = phrasal.split(' ');
      if (parts.every((p, k) => tokens[i + k]?.word === p))
        return { gerund: ger, objectStart: i + parts.length };
    }
    if (VERBS.has(t.word)) {
      const next = tokens[i + 1];
      if (next && next.word === 'of') continue; // "a list of", "a plan of": a noun, not a verb
      return { gerund: gerund(t.word), objectStart: i + 1 };
    }
  }
  return undefined;
}

/**
 * Maximal runs of eligible content words, scored by Σ idf × damped term frequency / sqrt(length)
 * (a longer run is not better just for being longer), first message counting 1.5×.
 */
function bestChunk(
  messages: readonly PhraseToken[][],
  taxonomy: ReadonlySet<string>,
): Phrase | undefined {
  const tf = new Map<string, number>();
  for (const tokens of messages) {
    for (const t of tokens) if (t.eligible && !t.stop) tf.set(t.word, (tf.get(t.word) ?? 0) + 1);
  }
  let best: Phrase | undefined;
  messages.forEach((tokens, m) => {
    const position = m === 0 ? 1.5 : 1;
    let run: string[] = [];
    const flush = (): void => {
      if (run.length === 0) return;
      // Long runs: keep the best window of MAX_CHUNK_WORDS.
      let bestWindow: Phrase | undefined;
      for (let s = 0; s + Math.min(run.length, MAX_CHUNK_WORDS) <= run.length; s++) {
        const window = run.slice(s, s + MAX_CHUNK_WORDS);
        let score = 0;
        for (const w of window) score += idf(w, taxonomy) * (1 + 0.5 * Math.log(tf.get(w) ?? 1));
        score *= position / Math.sqrt(window.length);
        if (!bestWindow || score > bestWindow.score) {
          bestWindow = { words: window, score, message: m };
        }
      }
      if (bestWindow && bestWindow.score > 0 && (!best || bestWindow.score > best.score))
        best = bestWindow;
      run = [];
    };
    tokens.forEach((t, i) => {
      // A word right after "to", "I", "can", ... is a verb ("to eat", "I prefer"), not a topic;
      // so is a request verb (or its -ing form) opening a run, unless a determiner makes it a
      // noun ("my order", "a plan"; "python code" keeps "code" inside the run).
      const prev = i > 0 ? tokens[i - 1]!.word : '';
      const afterCue = PRE_VERB.has(prev);
      const verbLike = VERBS.has(t.word) || VERB_GERUNDS.has(t.word);
      const verbUse = verbLike && run.length === 0 && !NOUN_MARKERS.has(prev);
      if (!t.barrier && t.eligible && !t.stop && !afterCue && !verbUse) run.push(t.word);
      else flush();
    });
    flush();
  });
  return best;
}

function limitWords(text: string, max: number): string {
  const parts = text.split(/\s+/).filter(Boolean);
  return parts.slice(0, max).join(' ');
}

/** use_case: lowercase, ≤ 12 words, closed vocabulary. */
export function composeUseCase(
  conversation: PreparedConversation,
  context: UseCaseContext,
): string {
  const userMessages = conversation.messages.filter((m) => m.role === 'user');
  const sources = (userMessages.length > 0 ? userMessages : conversation.messages).slice(
    0,
    MAX_USER_MESSAGES_FOR_PHRASES,
  );
  const tokenized = sources.map((m) => tokenizeForPhrases(m.raw, context));
  const chunk = bestChunk(tokenized, context.taxonomyVocabulary);
  const first = tokenized[0] ?? [];
  const verb = findRequestVerb(first);
  const object = verb
    ? objectPhrase(first, verb.objectStart, context.taxonomyVocabulary)
    : undefined;

  const taskGerund = TASK_GERUNDS[context.taskType] ?? TASK_GERUNDS[ABSTAIN_LABEL]!;
  let useCase: string;
  if (verb && object && (!chunk || object.score >= 0.5 * (chunk.score / 1.5))) {
    useCase = `${verb.gerund} ${object.words.join(' ')}`;
  } else if (chunk) {
    // The request verb leads only a phrase from the same (first) message.
    const lead = verb && chunk.message === 0 ? verb.gerund : taskGerund;
    useCase = `${lead} ${chunk.words.join(' ')}`;
  } else if (context.domain !== ABSTAIN_LABEL) {
    useCase = `${taskGerund} ${context.domain} topics`;
  } else {
    useCase =
      context.taskType !== ABSTAIN_LABEL ? `${context.taskType} request` : 'unclassified request';
  }
  return limitWords(useCase, MAX_USE_CASE_WORDS);
}

/** goal_summary: a template over the facets, ≤ 25 words, never raw text. */
export function composeGoalSummary(
  useCase: string,
  context: Pick<UseCaseContext, 'taskType' | 'domain'>,
): string {
  const intent = TASK_INTENTS[context.taskType] ?? TASK_INTENTS[ABSTAIN_LABEL]!;
  const domainPart = context.domain !== ABSTAIN_LABEL ? `, in ${context.domain}` : '';
  return limitWords(`${intent}: ${useCase}${domainPart}.`, 25);
}
