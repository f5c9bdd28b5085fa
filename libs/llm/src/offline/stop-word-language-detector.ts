/**
 * A light language detector for the `language` facet (BCP-47 primary tag).
 *
 * 1. Script: when a non-Latin script holds a large share of the letters, it decides (Han → zh,
 *    kana → ja, Hangul → ko, Cyrillic → ru/uk, Arabic → ar/fa, Devanagari → hi, Greek → el,
 *    Hebrew → he, Thai → th).
 * 2. Latin script: stop-word hits for ten languages, each hit weighted 1 / (number of languages
 *    whose list has the word), plus a few diacritics that only some languages use.
 * 3. Otherwise 'en' with low confidence: we say when we are guessing.
 */
import {
  DEFAULT_LANGUAGE_CONFIDENCE,
  LANGUAGE_SAMPLE_CHARS,
  MIN_STOPWORD_HITS,
  SCRIPT_SHARE,
} from './tagging-tables';

export interface LanguageGuess {
  readonly language: string;
  readonly confidence: number;
}

const STOPWORDS: Readonly<Record<string, string>> = {
  en: `a i the and is are of to in that it you for with this what how can be have not do was on your
    please would should there about which from will an my me we they their i'm it's don't does
    could been were has had if or but so just than then them these those who why when where`,
  es: `el la los las de que y en un una es por para con no se del al lo como más pero sus le ya
    este sí porque esta entre cuando muy sin sobre también me hasta hay donde quien desde todo nos
    durante todos uno les ni contra otros ese eso ante ellos esto mí antes algunos qué unos yo otro
    él tanto esa estos mucho nada muchos cual poco ella estar estas algo nosotros mi mis tú te ti tu
    tus puedo quiero necesito cómo gracias hola usted puede ayuda está están son tengo tiene`,
  fr: `le la les de des du et est un une en que qui dans pour pas sur au avec ce il elle je vous
    nous ne se plus par son sa ses mais ou comme cette été être avoir fait aux mon ma mes votre vos
    merci bonjour pouvez peux c'est j'ai qu'il très aussi tout bien où quoi comment pourquoi parce
    suis sont ont ça cela voudrais veux besoin leur leurs nos notre y`,
  de: `der die das und ist nicht ich du sie es ein eine einen dem den des zu mit auf für von im
    auch sich wie was wir ihr aber oder wenn noch nach bei aus um kann können bitte danke hallo
    mein meine dass sind haben wird werden über nur schon sehr mir mich warum wo wann welche gibt
    bin hast habe möchte brauche kein keine diese dieser`,
  it: `il lo la gli le di del della che e è un una per con non sono mi ti ci si da in al alla dei
    delle ma come anche più questo questa quello essere ho hai ha abbiamo grazie ciao posso puoi
    vorrei perché cosa dove quando molto sei mio mia nel nella degli sulla sul cui ancora`,
  pt: `o a os as de do da dos das em no na nos nas um uma que e é para com não por mais como mas
    ao se seu sua ele ela eu você isso este esta está são foi tem muito também obrigado obrigada
    olá posso pode quero preciso meu minha porque quando onde ou já até então pelo pela há`,
  nl: `de het een en van is dat in op te niet ik je jij hij zij we wij met voor zijn er maar ook
    als bij aan om uit naar dan nog wat hoe waarom kan kunnen wil mijn dit die deze geen heb
    hebben wordt worden dank bedankt alsjeblieft graag hallo u jullie over moet zou`,
  sv: `och att det som en ett är på av för med till den har inte jag du vi de om men var kan så
    från eller hur vad varför min mitt mina tack hej också någon här där när skulle vill måste
    detta denna efter bara mycket bli jag är`,
  pl: `i w z na się nie do to że jest o jak co ale czy po od za dla przez tak mnie mi jestem są
    był była może można proszę dziękuję cześć jaki jaka które który ten ta tym tego jego jej ich
    już bardzo tylko także oraz gdzie kiedy dlaczego mój moja chcę potrzebuję`,
  tr: `ve bir bu da de için ile ne çok daha gibi olarak ama ben sen biz siz onlar var yok mi mı
    mu mü nasıl neden nerede lütfen teşekkür teşekkürler merhaba evet hayır şu her kadar sonra
    önce olan olduğu değil istiyorum yardım bana benim misin musun`,
};

/** Letters that only some Latin-script languages use, with the evidence they add. */
const DIACRITIC_HINTS: readonly [RegExp, Readonly<Record<string, number>>][] = [
  [/[ñ¿¡]/, { es: 2 }],
  [/[ãõ]/, { pt: 2 }],
  [/ç/, { fr: 0.7, pt: 0.7, tr: 0.5 }],
  [/[œêîûë]/, { fr: 1.5 }],
  [/ß/, { de: 2 }],
  [/[äöü]/, { de: 0.7, sv: 0.4, tr: 0.4 }],
  [/å/, { sv: 2 }],
  [/[ąęłśźżćń]/, { pl: 2 }],
  [/[ğış]/, { tr: 2 }],
  [/[òì]/, { it: 1 }],
];

interface CompiledStopwords {
  readonly weights: Map<string, Map<string, number>>;
}

function compileStopwords(): CompiledStopwords {
  const byWord = new Map<string, string[]>();
  for (const [lang, list] of Object.entries(STOPWORDS)) {
    for (const word of new Set(list.split(/\s+/).filter(Boolean))) {
      const langs = byWord.get(word) ?? [];
      langs.push(lang);
      byWord.set(word, langs);
    }
  }
  const weights = new Map<string, Map<string, number>>();
  for (const [word, langs] of byWord) {
    weights.set(word, new Map(langs.map((l) => [l, 1 / langs.length])));
  }
  return { weights };
}

const COMPILED = compileStopwords();
const LATIN_WORD_RE = /[\p{Script=Latin}']+/gu;

interface ScriptCounts {
  latin: number;
  han: number;
  kana: number;
  hangul: number;
  cyrillic: number;
  ukrainian: number;
  arabic: number;
  persian: number;
  devanagari: number;
  greek: number;
  hebrew: number;
  thai: number;
}

function countScripts(text: string): ScriptCounts {
  const c: ScriptCounts = {
    latin: 0,
    han: 0,
    kana: 0,
    hangul: 0,
    cyrillic: 0,
    ukrainian: 0,
    arabic: 0,
    persian: 0,
    devanagari: 0,
    greek: 0,
    hebrew: 0,
    thai: 0,
  };
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) c.latin++;
    } else if (code >= 0xc0 && code <= 0x024f && code !== 0xd7 && code !== 0xf7) c.latin++;
    else if (code >= 0x0370 && code <= 0x03ff) c.greek++;
    else if (code >= 0x0400 && code <= 0x04ff) {
      c.cyrillic++;
      if (code === 0x0456 || code === 0x0457 || code === 0x0454 || code === 0x0491) c.ukrainian++;
    } else if (code >= 0x0590 && code <= 0x05ff) c.hebrew++;
    else if (code >= 0x0600 && code <= 0x06ff) {
      c.arabic++;
      if (code === 0x067e || code === 0x0686 || code === 0x0698 || code === 0x06af) c.persian++;
    } else if (code >= 0x0900 && code <= 0x097f) c.devanagari++;
    else if (code >= 0x0e00 && code <= 0x0e7f) c.thai++;
    else if (code >= 0x3040 && code <= 0x30ff) c.kana++;
    else if ((code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf)) c.han++;
    else if (code >= 0xac00 && code <= 0xd7af) c.hangul++;
  }
  return c;
}

function scriptLanguage(c: ScriptCounts): LanguageGuess | undefined {
  const total =
    c.latin +
    c.han +
    c.kana +
    c.hangul +
    c.cyrillic +
    c.arabic +
    c.devanagari +
    c.greek +
    c.hebrew +
    c.thai;
  if (total === 0) return undefined;
  const candidates: [string, number][] = [
    ['ja', c.kana > 0 ? c.kana + c.han : 0],
    ['zh', c.kana > 0 ? 0 : c.han],
    ['ko', c.hangul],
    [c.ukrainian > 0 ? 'uk' : 'ru', c.cyrillic],
    [c.persian > 0 ? 'fa' : 'ar', c.arabic],
    ['hi', c.devanagari],
    ['el', c.greek],
    ['he', c.hebrew],
    ['th', c.thai],
  ];
  let best: [string, number] | undefined;
  for (const cand of candidates) if (!best || cand[1] > best[1]) best = cand;
  if (!best || best[1] === 0) return undefined;
  const share = best[1] / total;
  if (share < SCRIPT_SHARE) return undefined;
  return { language: best[0], confidence: round2(Math.min(0.95, 0.6 + 0.4 * share)) };
}

/** The language a non-Latin script decides on its own, or undefined for Latin (or no) script. */
export function detectScriptLanguage(text: string): LanguageGuess | undefined {
  const sample = text.length > LANGUAGE_SAMPLE_CHARS ? text.slice(0, LANGUAGE_SAMPLE_CHARS) : text;
  return scriptLanguage(countScripts(sample));
}

/** Detects the language of the given text (callers pass the user's messages). */
export function detectLanguageByStopWords(text: string): LanguageGuess {
  const sample = text.length > LANGUAGE_SAMPLE_CHARS ? text.slice(0, LANGUAGE_SAMPLE_CHARS) : text;
  const byScript = scriptLanguage(countScripts(sample));
  if (byScript) return byScript;

  const lower = sample.toLowerCase().replace(/’/g, "'");
  const scores = new Map<string, number>();
  let words = 0;
  for (const match of lower.matchAll(LATIN_WORD_RE)) {
    words++;
    const hit = COMPILED.weights.get(match[0]);
    if (hit) for (const [lang, w] of hit) scores.set(lang, (scores.get(lang) ?? 0) + w);
  }
  for (const [re, hints] of DIACRITIC_HINTS) {
    if (re.test(lower))
      for (const [lang, w] of Object.entries(hints)) scores.set(lang, (scores.get(lang) ?? 0) + w);
  }
  let best = 'en';
  let bestScore = 0;
  let second = 0;
  for (const [lang, score] of scores) {
    if (score > bestScore) {
      second = bestScore;
      bestScore = score;
      best = lang;
    } else if (score > second) second = score;
  }
  if (words === 0 || bestScore < MIN_STOPWORD_HITS) {
    return { language: 'en', confidence: DEFAULT_LANGUAGE_CONFIDENCE };
  }
  const margin = (bestScore - second) / bestScore;
  const coverage = Math.min(1, bestScore / Math.max(4, words * 0.25));
  if (best !== 'en' && (margin < 0.15 || bestScore < NON_ENGLISH_MIN_SCORE)) {
    // Too little or too ambiguous evidence against English, the default: say we are guessing.
    return { language: 'en', confidence: DEFAULT_LANGUAGE_CONFIDENCE };
  }
  return {
    language: best,
    confidence: round2(Math.min(0.95, 0.4 + 0.3 * coverage + 0.25 * margin)),
  };
}

/** A few shared short words ("a", "de") must not outvote English in a short English text. */
const NON_ENGLISH_MIN_SCORE = MIN_STOPWORD_HITS + 0.5;

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
