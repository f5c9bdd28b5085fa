/**
 * PERSON recognizer: words are looked up in the name lexicon and combined with context (titles,
 * "my name is", relation words, adjacent name tokens). A capitalised token is classed as
 *   N  an unambiguous given name or surname ("Priya", "Garcia", or a surname by its ending:
 *      "Wróblewska", "Jovanović", "Jónsdóttir")
 *   A  a name that is also an ordinary word, place or brand ("Grace", "Brown", "Jordan")
 *   U  an unknown capitalised word (a rare name, a product, a foreign word)
 *   W  an ordinary word, place, brand or organisation word that is not a name ("Python", "Monday")
 *   I  an initial ("J." or a lone capital between two names: "Oleg P Sazonov")
 *   S  a stop word or a non-name shape (all caps, "I", "The", "Mr", contractions)
 * Adjacent tokens form runs, runs are split at W and S tokens, and each segment becomes a PERSON
 * span by the rules in `decide`. Lower-case names are caught only as given name + surname pairs
 * ("irina sokolova") or after a strong cue ("my name is ana").
 */
import {
  LEX_GIVEN,
  LEX_ORDINARY,
  LEX_SURNAME,
  NAME_PARTICLES,
  foldName,
  nameLexicon,
  type NameLexicon,
} from './lexicon';
import { PRIORITY, type PiiCandidate } from './pii.types';

type Kind = 'N' | 'A' | 'U' | 'W' | 'I' | 'S';

interface Token {
  start: number;
  end: number;
  kind: Kind;
  given: boolean;
  surname: boolean;
  nonName: boolean;
  sentenceStart: boolean;
  /** A geographic or facility noun ("River", "Hall"); may still be a surname after a given name. */
  feature?: boolean;
}

const set = (words: string): ReadonlySet<string> => new Set(words.split(/\s+/).filter(Boolean));
const STRONG_TITLES = set(
  'mr mrs ms mx miss mstr dr drs prof sir dame madam mme mlle herr frau señor senor señora senora sr sra srta dott dra ing rev revd hon',
);
const WEAK_TITLES = set(
  'professor doctor reverend father sister brother mother pastor rabbi imam captain capt colonel col general gen lieutenant lt sergeant sgt major maj officer detective det agent judge justice senator sen representative rep governor gov mayor president minister chancellor ambassador coach nurse uncle aunt auntie grandma grandpa cousin king queen prince princess lord lady duke duchess baron monsieur madame signor signora doña',
);
const GREETINGS = set(
  'dear hi hello hey thanks regards cheers sincerely signed attn attention cc bcc love yours xoxo',
);
const HEADER_WORDS = set(
  'from to author assignee owner contact name reviewer approver sender recipient customer client patient employee applicant candidate beneficiary guardian cardholder holder attendee speaker host guest driver passenger tenant landlord',
);
const POSSESSIVES = set('my our your his her their');
const DETERMINERS = set('the a an this that these those');
const PLACE_PREFIXES = set(
  'san santa santo sao são los las el saint sainte st ste fort port mount mt lake new north south east west upper lower little great grand',
);
/** Nouns that make the name before them an eponym: "Bayes theorem", "Kelly criterion". */
const EPONYM_NOUNS = set(
  'theorem theorems law laws equation equations algorithm algorithms principle effect method methods distribution test tests curve scale number numbers constant formula model index cycle transform transforms series conjecture hypothesis paradox problem rule rules function functions integral inequality lemma space spaces matrix filter process score ratio diagram diagrams notation syndrome disease criterion criteria option options pricing code tree sort search encoding cipher machine engine structure structures prize award scholarship estimator estimate coefficient operator bound kernel network networks protocol approximation interpolation polynomial polynomials reaction rearrangement synthesis medal lecture lectures graph graphs',
);
const LOCATIVES = set(
  'in at near from to around into towards toward outside inside within across via',
);
const ADJECTIVES = set('new old former best dear good late');
const RELATIONS = set(
  'colleague colleagues coworker co-worker manager boss supervisor wife husband partner spouse son daughter mother mom mum father dad brother sister sibling friend client customer patient employee intern candidate student pupil teacher tutor tenant landlord neighbor neighbour doctor dentist therapist lawyer attorney accountant uncle aunt cousin grandmother grandfather grandma grandpa nephew niece fiancé fiance fiancée fiancee boyfriend girlfriend roommate flatmate assistant teammate team-mate director founder recruiter interviewer contact representative agent nanny caregiver coach mentor mentee report hire guest buddy',
);
const VERBS = set(
  'contact contacted ask asked tell told email emailed e-mail message messaged text texted ping pinged call called phone phoned meet met meeting invite invited thank thanked remind reminded introduce introduced with',
);
const NEEDS_MORE_CONTEXT = set('is me am you to by');
const BY_VERBS = set(
  'assigned owned written signed reported approved sent given forwarded reviewed created',
);
const GENERATIONAL =
  /^,?\s(?:Jr\.?|Sr\.?|II|III|IV|PhD|Ph\.D\.|MD|M\.D\.|DDS|DVM|RN|CPA|Esq\.?)(?![\p{L}\p{N}])/u;

/** Geographic and facility nouns: "Rhine River", "Harbor Town", "Aquatic Pavilion". */
const FEATURE_WORDS = set(
  'river rivers canal lake lakes bay sea ocean island islands isle mountain mountains mount valley desert forest park town city county village archipelago pavilion bridge tower castle palace cathedral church chapel temple mosque synagogue museum gallery theatre theater square station airport harbor harbour port beach coast falls canyon peninsula gulf strait province state district region kingdom empire street avenue road boulevard lane drive center centre hall building house gardens garden stadium arena mall market plaza reef glacier volcano creek springs heights hills hill woods fields',
);
const ORG_WORDS = set(
  'inc llc ltd limited corp corporation co company gmbh ag sa sas sarl spa srl bv nv plc llp group holdings partners associates foundation institute university college hospital clinic bank capital ventures labs technologies systems solutions consulting enterprises industries international studios airport stadium bistro grill kitchen diner pub bar brewery steakhouse pizzeria trattoria taqueria salon spa boutique store shop market investments insurance services logistics motors airlines pharmaceuticals pharma foods energy realty properties construction design digital software networks communications health healthcare financial finance trust securities advisors management marketing agency studio productions records publishing entertainment restaurant cafe bakery hotel hotels resorts orchestra band church academy school schools council club fc united brothers sons',
);

/** Surname endings that are distinctive across Slavic, Nordic, Baltic, Greek, Armenian, Georgian,
 *  Romanian, Turkish and Persian names; applied only to words that are not English words. */
const SURNAME_ENDING =
  /(?:ová|ova|eva|ovna|evna|ovich|evich|ovych|ski|ska|sky|skiy|skaya|skyi|cki|cka|dzki|dzka|wicz|owicz|ewicz|vić|vic|čić|šić|ović|ević|enko|chenko|chuk|czuk|czyk|czak|dóttir|dottir|sson|ssen|escu|eanu|oglu|oğlu|opoulos|opoulou|akis|idis|idou|shvili|dze|ainen|äinen|inen|yan|yants|zadeh|ov|ev|yev|ova|yeva)$/;

function isContraction(raw: string): boolean {
  return /['’](?:t|re|ve|ll|d|m)$/i.test(raw);
}

function isSentenceStart(text: string, start: number): boolean {
  let i = start - 1;
  while (i >= 0) {
    const ch = text.charCodeAt(i);
    // space, tab, quotes, brackets
    if (
      ch === 32 ||
      ch === 9 ||
      ch === 34 ||
      ch === 39 ||
      ch === 0x201c ||
      ch === 0x2018 ||
      ch === 40 ||
      ch === 91
    ) {
      i--;
      continue;
    }
    const c = text.charAt(i);
    return '.!?:;\n\r•*>|–—-#'.includes(c) || (ch >= 48 && ch <= 57 && i === start - 2);
  }
  return true;
}

function countUpper(raw: string): number {
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if ((c >= 65 && c <= 90) || (c > 127 && raw.charAt(i) !== raw.charAt(i).toLowerCase())) n++;
  }
  return n;
}

function lookup(norm: string, lex: NameLexicon): { given: boolean; surname: boolean } {
  let given = lex.given.has(norm);
  let surname = lex.surnames.has(norm);
  if (!given && !surname && (norm.includes('-') || norm.includes("'"))) {
    // "García-López", "O'Neill", "Al-Amin": a name when its parts are names ("X-ray" is not).
    const parts = norm.split(/[-']/).filter((p) => !NAME_PARTICLES.has(p) && p !== 'o');
    if (parts.every((p) => p.length >= 2)) {
      const g = parts.some((p) => lex.given.has(p));
      const sn = parts.some((p) => lex.surnames.has(p));
      if (parts.every((p) => lex.given.has(p) || lex.surnames.has(p) || !lex.common.has(p))) {
        given = g;
        surname = sn;
      }
    }
  }
  return { given, surname };
}

// Character classes for the hand-written word scanner (faster than a Unicode regex).
const OTHER = 0;
const UPPER = 1;
const LOWER = 2; // also letters without case (CJK, Arabic, ...)
const MARK = 3;
const JOINER = 4; // apostrophes and hyphens inside words
const BLOCKER = 5; // digits, '_', '@', '#': a word glued to one is an identifier, not a name
const charClasses = new Uint8Array(65536).fill(255);

function charClass(code: number): number {
  const known = charClasses[code] as number;
  if (known !== 255) return known;
  const ch = String.fromCharCode(code);
  let cls = OTHER;
  if (/[\p{Lu}\p{Lt}]/u.test(ch)) cls = UPPER;
  else if (/\p{L}/u.test(ch)) cls = LOWER;
  else if (/\p{M}/u.test(ch)) cls = MARK;
  else if (ch === "'" || ch === '’' || ch === '-') cls = JOINER;
  else if (/[\p{N}_@#]/u.test(ch)) cls = BLOCKER;
  charClasses[code] = cls;
  return cls;
}

function makeToken(text: string, raw: string, start: number, lex: NameLexicon): Token {
  const end = start + raw.length;
  const tok: Token = {
    start,
    end,
    kind: 'S',
    given: false,
    surname: false,
    nonName: false,
    sentenceStart: false,
  };
  tok.sentenceStart = isSentenceStart(text, start);
  if (raw.length === 1) {
    const next = text.charAt(end);
    if (next === '.' && (raw !== 'I' || !tok.sentenceStart)) {
      tok.end += 1;
      tok.kind = 'I';
    } else if (
      raw !== 'I' &&
      next === ' ' &&
      /^ \p{Lu}\p{Ll}/u.test(text.slice(end, end + 3)) &&
      /\p{Ll} $/u.test(text.slice(Math.max(0, start - 2), start))
    ) {
      tok.kind = 'I'; // middle initial without a period: "Oleg P Sazonov"
    }
    return tok;
  }
  if (countUpper(raw) > 3 || raw === raw.toUpperCase() || isContraction(raw)) return tok;
  const norm = foldName(raw);
  if (lex.stop.has(norm)) return tok;
  if (ORG_WORDS.has(norm) || FEATURE_WORDS.has(norm)) {
    tok.kind = 'W';
    tok.nonName = true;
    tok.feature = FEATURE_WORDS.has(norm);
    tok.surname = tok.feature && lex.surnames.has(norm);
    return tok;
  }
  const { given, surname } = lookup(norm, lex);
  // English-word lists are matched without folding: "Bašić" is not the word "basic".
  const plain = norm === raw.toLowerCase() ? norm : raw.toLowerCase();
  const nonName = lex.nonNames.has(plain);
  const soft = nonName || lex.common.has(plain);
  tok.given = given;
  tok.surname = surname || (!soft && !given && SURNAME_ENDING.test(norm));
  tok.nonName = nonName;
  const isName = given || tok.surname;
  tok.kind = isName ? (soft ? 'A' : 'N') : soft ? 'W' : 'U';
  return tok;
}

/**
 * Scans the words of `text` once. Capitalised words become tokens; lower-case words are checked
 * on the fly for "given-name surname" pairs and for a given name right after a strong cue.
 */
function scan(text: string, lex: NameLexicon, out: PiiCandidate[]): Token[] {
  const tokens: Token[] = [];
  let pendingStart = -1; // a lower-case given name waiting for its surname
  let pendingEnd = -1;
  let pendingInitial = false;
  let pendingEmitted = -1; // index in `out` when the given name was already emitted on a cue
  const n = text.length;
  let i = 0;
  while (i < n) {
    const cls = charClass(text.charCodeAt(i));
    if (cls !== UPPER && cls !== LOWER) {
      i++;
      continue;
    }
    const prevCls = i > 0 ? charClass(text.charCodeAt(i - 1)) : OTHER;
    const start = i;
    let asciiLower = true;
    while (i < n) {
      const code = text.charCodeAt(i);
      const c = charClass(code);
      if (c === OTHER || c === BLOCKER) break;
      if (code < 97 || code > 122) asciiLower = false;
      i++;
    }
    if (
      prevCls === BLOCKER ||
      i - start > 41 ||
      (i < n && charClass(text.charCodeAt(i)) === BLOCKER)
    ) {
      pendingStart = -1;
      continue; // glued to an identifier, or too long to be a name
    }
    let cut = i;
    while (cut > start) {
      const c = text.charAt(cut - 1);
      if (c === '-' || c === "'" || c === '’') cut--;
      else if (
        (c === 's' || c === 'S') &&
        cut - start >= 2 &&
        (text.charAt(cut - 2) === "'" || text.charAt(cut - 2) === '’')
      )
        cut -= 2;
      else break;
    }
    if (cut === start) continue;
    if (cls === UPPER) {
      pendingStart = -1;
      tokens.push(makeToken(text, text.slice(start, cut), start, lex));
      continue;
    }
    const raw = text.slice(start, cut);
    const adjacent =
      pendingStart >= 0 && start - pendingEnd === 1 && text.charCodeAt(pendingEnd) === 32;
    if (adjacent && cut - start === 1 && !pendingInitial) {
      // "anna k larsen", "piotr j. nowak": a middle initial keeps the pair open.
      pendingInitial = true;
      pendingEnd = text.charAt(cut) === '.' ? cut + 1 : cut;
      continue;
    }
    if (cut - start < 3) {
      pendingStart = -1;
      continue;
    }
    const key = asciiLower && cut === i ? raw : foldName(raw);
    const flags = lex.flags.get(key) ?? 0;
    const ordinary = (flags & LEX_ORDINARY) !== 0;
    if (
      adjacent &&
      !ordinary &&
      ((flags & (LEX_GIVEN | LEX_SURNAME)) !== 0 || SURNAME_ENDING.test(key))
    ) {
      if (pendingEmitted >= 0) (out[pendingEmitted] as PiiCandidate).end = cut;
      else out.push({ type: 'PERSON', start: pendingStart, end: cut, priority: PRIORITY.person });
      pendingStart = -1;
      continue;
    }
    pendingStart = -1;
    if (
      !ordinary &&
      (flags & (LEX_GIVEN | LEX_SURNAME)) === 0 &&
      nameCue(contextBefore(text, start))
    ) {
      // "my name is zoran petković": an explicit name cue makes an unknown word a name.
      pendingEmitted = out.length;
      out.push({ type: 'PERSON', start, end: cut, priority: PRIORITY.person });
      pendingStart = start;
      pendingEnd = cut;
      pendingInitial = false;
      continue;
    }
    if ((flags & (LEX_GIVEN | LEX_SURNAME)) !== 0 && !ordinary) {
      pendingEmitted = -1;
      if (strongCue(contextBefore(text, start))) {
        pendingEmitted = out.length;
        out.push({ type: 'PERSON', start, end: cut, priority: PRIORITY.person });
      }
      if ((flags & LEX_GIVEN) !== 0) {
        pendingStart = start;
        pendingEnd = cut;
        pendingInitial = false;
      }
    }
  }
  return tokens;
}

const PARTICLE_GAP =
  /^[ \u00a0](?:(?:de|da|das|do|dos|del|della|di|du|des|van|von|der|den|ter|ten|la|le|bin|binti|ibn|al|el|ben|y|zu|af|av)[ \u00a0]){1,3}$/;

function joined(text: string, a: Token, b: Token): boolean {
  if (a.kind === 'I' && a.end === b.start) return true; // "J.K. Rowling"
  const gap = text.slice(a.end, b.start);
  if (gap === ' ' || gap === '\u00a0' || gap === '  ') return true;
  return gap.length <= 16 && PARTICLE_GAP.test(gap);
}

interface Context {
  /** Up to three previous words, nearest first, lower-cased, with the punctuation after each. */
  words: string[];
  punct: string[];
  /** The nearest previous word as written. */
  raw: string;
}

const isWordCode = (code: number): boolean => {
  const cls = charClass(code);
  return cls === UPPER || cls === LOWER || cls === MARK || cls === JOINER;
};

function contextBefore(text: string, start: number): Context {
  const words: string[] = [];
  const punct: string[] = [];
  let raw = '';
  let i = start;
  while (words.length < 3 && i > 0) {
    let p = '';
    while (i > 0 && !isWordCode(text.charCodeAt(i - 1))) {
      p = text.charAt(i - 1) + p;
      i--;
      if (p.length > 4 || p.includes('\n')) return { words, punct, raw };
    }
    const end = i;
    while (i > 0 && i > end - 40 && isWordCode(text.charCodeAt(i - 1))) i--;
    if (i === end) break;
    const w = text.slice(i, end);
    if (words.length === 0) raw = w;
    const lower = w.toLowerCase();
    words.push(lower.includes('’') ? lower.replace(/’/g, "'") : lower);
    punct.push(p.trim());
    // Only a few cues look further back ("name is", "call me", "my colleague"): stop early.
    const w1 = words[0] as string;
    if (words.length === 1 && !NEEDS_MORE_CONTEXT.has(w1) && !RELATIONS.has(w1.replace(/s$/, '')))
      break;
  }
  return { words, punct, raw };
}

/** The lower-case word right after `end` (one space), or ''. */
function wordAfter(text: string, end: number): string {
  if (text.charCodeAt(end) !== 32) return '';
  let i = end + 1;
  while (i < text.length && i - end < 20 && charClass(text.charCodeAt(i)) === LOWER) i++;
  return text.slice(end + 1, i);
}

function strongCue(c: Context): boolean {
  const [w1, w2] = c.words;
  const p1 = c.punct[0] ?? '';
  if (w1 === 'name' && (p1 === ':' || p1 === '?')) return true; // "Name: ...", "your last name? ..."
  if (!w1 || /[.!?;()"]/.test(p1)) return false;
  if (GREETINGS.has(w1)) return true;
  if (w1 === 'is' && w2 === 'name') return true;
  if (w1 === "name's") return true;
  if (w1 === 'me' && w2 === 'call') return true;
  if ((w1 === 'am' && w2 === 'i') || w1 === "i'm") return true;
  if (w1 === 'you' && w2 === 'thank') return true;
  return p1 === ':' && HEADER_WORDS.has(w1);
}

/** Cues that introduce a name explicitly ("my name is", "call me", "Name:"), for lower-case text. */
function nameCue(c: Context): boolean {
  const [w1, w2] = c.words;
  const p1 = c.punct[0] ?? '';
  if ((w1 === 'is' && w2 === 'name' && p1 === '') || (w1 === 'me' && w2 === 'call' && p1 === ''))
    return true;
  return (w1 === 'name' && (p1 === ':' || p1 === '?')) || w1 === "name's";
}

function titleBefore(c: Context, titles: ReadonlySet<string>): boolean {
  const w1 = c.words[0];
  const p1 = c.punct[0] ?? '';
  if (!w1 || (p1 !== '' && p1 !== '.')) return false;
  const first = c.raw.charAt(0);
  return first !== first.toLowerCase() && titles.has(w1);
}

function possessiveRelation(c: Context): boolean {
  const [w1, w2, w3] = c.words;
  if (!w1 || !RELATIONS.has(w1.replace(/s$/, '')) || (c.punct[0] ?? '') === '.') return false;
  return (
    (w2 !== undefined && POSSESSIVES.has(w2)) ||
    (w2 !== undefined && ADJECTIVES.has(w2) && w3 !== undefined && POSSESSIVES.has(w3))
  );
}

function verbCue(c: Context): boolean {
  const [w1, w2] = c.words;
  if (!w1 || (c.punct[0] ?? '') !== '') return false;
  if (VERBS.has(w1) || RELATIONS.has(w1)) return true;
  return (w1 === 'to' || w1 === 'by') && w2 !== undefined && BY_VERBS.has(w2);
}

function decide(text: string, seg: Token[], next: Token | undefined): boolean {
  const first = seg[0] as Token;
  const last = seg[seg.length - 1] as Token;
  let n = 0;
  let a = 0;
  let u = 0;
  let i = 0;
  for (const t of seg) {
    if (t.kind === 'N') n++;
    else if (t.kind === 'A') a++;
    else if (t.kind === 'U') u++;
    else if (t.kind === 'I') i++;
  }
  if (n + a + u === 0) return false;
  const ctx = contextBefore(text, first.start);
  if (titleBefore(ctx, STRONG_TITLES)) return true;
  const nextIsOrg =
    next !== undefined &&
    next.kind === 'W' &&
    next.nonName &&
    /^(?:['’]s)?[ \u00a0]$/.test(text.slice(last.end, next.start));
  const strong = strongCue(ctx);
  if (nextIsOrg && !strong) return false;
  if (strong || titleBefore(ctx, WEAK_TITLES)) return true;
  if (seg.length >= 2) {
    if (n >= 1) return true;
    if (i >= 1 && last.kind !== 'I') return true; // "J. R. Tolkien", "Anna K Horváth"
    if (u === seg.length) return true; // two unknown capitalised words: "Haruki Sakaguchi"
    if (first.kind === 'A' && first.given && !first.nonName) {
      // "Grace Brown", "Grace Kowalczyk" mid-sentence, not "Long Island" or "Rose Garden".
      if (
        !first.sentenceStart &&
        (last.kind === 'U' || (last.kind === 'A' && last.surname && !last.nonName))
      )
        return true;
      if (possessiveRelation(ctx) || verbCue(ctx)) return true;
    }
    return false;
  }
  const t = first;
  if (EPONYM_NOUNS.has(wordAfter(text, t.end))) return false;
  // "in Fremont", "to Livermore": a lone surname after a locative preposition is usually a place.
  const w1 = ctx.words[0];
  // "the Lewis structure", "a Tesla": after a determiner a lone name is an eponym or a brand.
  if (
    w1 !== undefined &&
    (ctx.punct[0] ?? '') === '' &&
    (DETERMINERS.has(w1) || (!t.given && LOCATIVES.has(w1)))
  )
    return false;
  if (t.end - t.start < 3) return false; // "Ah", "Yu": too short to stand alone
  if (t.kind === 'N') return t.given || !t.sentenceStart || verbCue(ctx);
  if (t.kind === 'A') return !t.nonName && (possessiveRelation(ctx) || verbCue(ctx));
  if (t.kind === 'U') return possessiveRelation(ctx);
  return false;
}

/** "Mrs. Ingrid": the courtesy title goes with the name (it reveals gender and status). */
const TITLE_BEFORE =
  /(?:^|[^\p{L}])((?:Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Sir|Dame|Mme|Mlle|Herr|Frau|Sr|Sra|Srta|Dott|Dra|Rev|Hon)\.?[ \u00a0]{1,2})$/u;

function titleStart(text: string, start: number): number {
  const m = TITLE_BEFORE.exec(text.slice(Math.max(0, start - 8), start));
  return m?.[1] ? start - m[1].length : start;
}

function emit(text: string, seg: Token[], out: PiiCandidate[], start?: number): void {
  const first = seg[0] as Token;
  const last = seg[seg.length - 1] as Token;
  let end = last.end;
  const gen = GENERATIONAL.exec(text.slice(end, end + 8));
  if (gen) end += gen[0].length;
  out.push({ type: 'PERSON', start: start ?? first.start, end, priority: PRIORITY.person });
}

/** Splits a run of adjacent capitalised tokens into candidate names. */
function processRun(
  text: string,
  run: Token[],
  after: Token | undefined,
  out: PiiCandidate[],
  rejected: Token[],
): void {
  let segStart = -1;
  for (let k = 0; k <= run.length; k++) {
    const t = run[k];
    // "Jessica Hall": a facility noun that is also a surname completes a given name.
    const featureSurname =
      t?.feature === true &&
      t.surname &&
      segStart >= 0 &&
      k - segStart === 1 &&
      (run[segStart] as Token).given;
    const placePrefix =
      t !== undefined &&
      t.kind === 'A' &&
      k + 1 < run.length &&
      PLACE_PREFIXES.has(foldName(text.slice(t.start, t.end)));
    const breaks =
      t === undefined || t.kind === 'S' || placePrefix || (t.kind === 'W' && !featureSurname);
    if (!breaks && segStart < 0) segStart = k;
    if (!breaks && k - segStart < 5) continue;
    if (segStart >= 0) {
      const seg = run.slice(segStart, k);
      const next = t ?? after;
      const prev = run[segStart - 1];
      const only = seg[0] as Token;
      // A lone surname glued to an ordinary capitalised word is a place or an organisation
      // ("Fort Collins", "Johnson Controls"), not a person.
      const gluedToWord =
        seg.length === 1 &&
        only.kind === 'N' &&
        !only.given &&
        ((next?.kind === 'W' && joined(text, only, next)) ||
          (prev?.kind === 'W' && !prev.sentenceStart && joined(text, prev, only)));
      // "San Jose", "Santa Rosa", "Fort Collins", "New Hampshire": a place, whatever follows.
      const afterPlacePrefix =
        prev !== undefined &&
        joined(text, prev, only) &&
        PLACE_PREFIXES.has(foldName(text.slice(prev.start, prev.end)));
      if (!gluedToWord && !afterPlacePrefix && decide(text, seg, next))
        emit(text, seg, out, titleStart(text, only.start));
      else if (
        seg.length === 1 &&
        (only.kind === 'U' || only.kind === 'N' || (only.kind === 'A' && !only.nonName))
      )
        rejected.push(only);
      segStart = breaks ? -1 : k;
    }
  }
}

const LIST_GAP = /^(?:,[ \u00a0]|,?[ \u00a0](?:and|or|&|und|et|y|e)[ \u00a0])$/;

export function findPersons(text: string, out: PiiCandidate[]): void {
  const lex = nameLexicon();
  const first = out.length;
  const tokens = scan(text, lex, out);
  const rejected: Token[] = [];
  let runStart = 0;
  for (let k = 0; k <= tokens.length; k++) {
    const tok = tokens[k];
    const prev = tokens[k - 1];
    if (tok && prev && k > runStart && joined(text, prev, tok)) continue;
    if (k > runStart) processRun(text, tokens.slice(runStart, k), tok, out, rejected);
    runStart = k;
  }
  // Coordination: "Nicole, Mary, John and Tavita" - a capitalised word listed with names is a name.
  if (rejected.length === 0) return;
  const starts = new Set<number>();
  const ends = new Set<number>();
  for (let k = first; k < out.length; k++) {
    const p = out[k] as PiiCandidate;
    starts.add(p.start);
    ends.add(p.end);
  }
  const listedWithName = (t: Token): boolean => {
    for (let gap = 2; gap <= 6; gap++) {
      if (ends.has(t.start - gap) && LIST_GAP.test(text.slice(t.start - gap, t.start))) return true;
      if (starts.has(t.end + gap) && LIST_GAP.test(text.slice(t.end, t.end + gap))) return true;
    }
    return false;
  };
  // Transcripts: "Matthew: Yes ..." makes "Sigrún: Did you ..." a speaker label too.
  const isSpeakerLabel = (start: number, end: number): boolean =>
    text.charCodeAt(end) === 58 && (start === 0 || text.charCodeAt(start - 1) === 10);
  let dialogue = false;
  for (let k = first; k < out.length && !dialogue; k++) {
    const p = out[k] as PiiCandidate;
    dialogue = isSpeakerLabel(p.start, p.end);
  }
  for (let pass = 0; pass < 3 && rejected.length > 0; pass++) {
    let added = false;
    for (let r = rejected.length - 1; r >= 0; r--) {
      const t = rejected[r] as Token;
      if (!listedWithName(t) && !(dialogue && isSpeakerLabel(t.start, t.end))) continue;
      out.push({ type: 'PERSON', start: t.start, end: t.end, priority: PRIORITY.person });
      starts.add(t.start);
      ends.add(t.end);
      rejected.splice(r, 1);
      added = true;
    }
    if (!added) break;
  }
}
