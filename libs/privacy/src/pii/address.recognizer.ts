/**
 * STREET_ADDRESS recognizer. Street lines are found in three common layouts:
 *   - number first, suffix last (US/UK/AU/CA): "221B Baker Street", "1600 Pennsylvania Ave NW"
 *   - street word first, number last (ES/PT/IT/FR/PL/...): "Calle Mayor 5", "Via Roma 10"
 *   - compound street word then number (DE/NL/Nordic/...): "Hauptstraße 12", "Mannerheimintie 5"
 * plus "10 rue de la Paix", PO boxes and US military addresses. A match is then extended over the
 * unit, city, state, postcode and country that follow it on the same or the next lines.
 */
import { PRIORITY, type PiiCandidate } from './pii.types';

// USPS Publication 28 suffixes (common ones) and their abbreviations, plus UK/AU/IE forms.
const SUFFIX_WORDS = [
  'Street',
  'St',
  'Avenue',
  'Ave',
  'Av',
  'Road',
  'Rd',
  'Lane',
  'Ln',
  'Boulevard',
  'Blvd',
  'Drive',
  'Dr',
  'Court',
  'Ct',
  'Place',
  'Pl',
  'Square',
  'Sq',
  'Terrace',
  'Ter',
  'Terr',
  'Way',
  'Parkway',
  'Pkwy',
  'Highway',
  'Hwy',
  'Circle',
  'Cir',
  'Crescent',
  'Cres',
  'Close',
  'Trail',
  'Trl',
  'Alley',
  'Aly',
  'Plaza',
  'Plz',
  'Row',
  'Walk',
  'Hill',
  'Hills',
  'Heights',
  'Hts',
  'Grove',
  'Gardens',
  'Gdns',
  'Park',
  'Mews',
  'Point',
  'Pt',
  'Pike',
  'Loop',
  'Run',
  'Path',
  'Pass',
  'Crossing',
  'Xing',
  'Ridge',
  'View',
  'Vista',
  'Estates',
  'Expressway',
  'Expy',
  'Freeway',
  'Fwy',
  'Turnpike',
  'Tpke',
  'Causeway',
  'Green',
  'Wharf',
  'Quay',
  'Parade',
  'Esplanade',
  'Promenade',
  'Embankment',
  'Rise',
  'Vale',
  'Glen',
  'Meadow',
  'Meadows',
  'Creek',
  'Shore',
  'Shores',
  'Springs',
  'Center',
  'Centre',
  'Junction',
  'Jct',
  'Bypass',
  'Route',
  'Rte',
  'Landing',
  'Harbor',
  'Harbour',
  'Island',
  'Lake',
  'Lakes',
  'Manor',
  'Mill',
  'Mills',
  'Orchard',
  'Valley',
  'Fork',
  'Forks',
  'Ford',
  'Falls',
  'Brook',
  'Branch',
  'Bridge',
  'Burg',
  'Camp',
  'Canyon',
  'Cape',
  'Cliff',
  'Club',
  'Common',
  'Corner',
  'Corners',
  'Cove',
  'Crest',
  'Dale',
  'Dam',
  'Divide',
  'Estate',
  'Extension',
  'Field',
  'Fields',
  'Flat',
  'Flats',
  'Forest',
  'Forge',
  'Fort',
  'Gateway',
  'Gate',
  'Haven',
  'Hollow',
  'Inlet',
  'Key',
  'Knoll',
  'Knolls',
  'Mall',
  'Mount',
  'Mountain',
  'Neck',
  'Oval',
  'Overpass',
  'Pine',
  'Pines',
  'Plain',
  'Plains',
  'Port',
  'Prairie',
  'Radial',
  'Ranch',
  'Rapids',
  'Rest',
  'Shoal',
  'Skyway',
  'Spur',
  'Stream',
  'Summit',
  'Throughway',
  'Trace',
  'Track',
  'Trafficway',
  'Tunnel',
  'Underpass',
  'Union',
  'Villa',
  'Village',
  'Ville',
  'Well',
  'Wells',
  'Station',
  'Fields',
  'Motorway',
  'Wynd',
  'Chase',
  'Gardens',
  'Lawn',
  'Yard',
  'Approach',
  'Broadway',
  'Str',
];
const bothCases = (w: string): string =>
  `[${w.charAt(0).toUpperCase()}${w.charAt(0).toLowerCase()}]${w.slice(1)}`;
const SUFFIX = `(?:${[...new Set(SUFFIX_WORDS)]
  .sort((a, b) => b.length - a.length)
  .map(bothCases)
  .join('|')}|STREET|AVENUE|ROAD|ST|AVE|RD|BLVD|DR|LN)`;
const DIRECTION =
  '(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West|Northeast|Northwest|Southeast|Southwest)';
const NAME_WORD = "(?:\\d{1,3}(?:st|nd|rd|th)|[\\p{Lu}][\\p{L}\\p{M}'’.-]{0,30})";

const US_STREET = new RegExp(
  // Digit first, then the look-behind: lets the regex engine skip quickly to the next digit.
  `\\d(?<![\\p{L}\\p{N}-]\\d)\\d{0,5}[A-Za-z]?(?:[-/]\\d{1,4}[A-Za-z]?)?,?[ \\t]{1,2}(?:${DIRECTION}\\.?[ \\t])?(?:${NAME_WORD}[ \\t]){1,4}${SUFFIX}\\.?(?:[ \\t]${DIRECTION}\\.?)?(?![\\p{L}\\p{N}])`,
  'gu',
);

// "Hauptstraße 12", "Kerkstraat 5a", "Mannerheimintie 5", "Berliner Straße 3", "Karl Johans gate 7".
const COMPOUND_SUFFIX =
  'straße|strasse|str\\.|gasse|weg|allee|platz|damm|ufer|chaussee|steig|pfad|straat|laan|gracht|plein|kade|singel|dijk|steeg|vej|gade|allé|gatan|vägen|gata|gränd|veien|vegen|katu|tie|kuja|polku|tori|ulica|utca|ulice|cesta|caddesi|sokak|sokağı|bulvarı|vænge|vænget|vaenget|stræde|straede|plads|torv|stræti|straeti|vegur|braut|utca|körút|sétány|vagen|terrasse';
const STANDALONE_SUFFIX =
  'Straße|Strasse|Str\\.|Gasse|Weg|Allee|Platz|Ring|Damm|Ufer|Laan|Straat|Plein|Vej|Gade|Gatan|Gata|Katu|Tie|Ulica|Utca|gate|gata|vei|veien|vej|gade|u\\.|utca|út|tér|krt\\.|körút|köz|nám\\.|str\\.?|St\\.';
const EU_STREET = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:(?:[\\p{Lu}][\\p{L}\\p{M}'’.-]{0,30}[ \\t]){1,2}(?:${STANDALONE_SUFFIX})|(?:[\\p{Lu}][\\p{L}\\p{M}'’.-]{0,30}[ \\t]){0,2}[\\p{L}][\\p{Ll}\\p{M}'’-]{2,30}(?:${COMPOUND_SUFFIX}))` +
    '[ \\t]{1,2}\\d{1,5}[a-zA-Z]?(?:[ \\t]?[-/][ \\t]?\\d{1,5}[a-zA-Z]?)?(?![\\p{L}\\p{N}])',
  'gu',
);

// "Calle Mayor 5", "Rua Augusta, 120", "Via Roma 10", "ul. Długa 5", "Avenida de la Paz 12".
const PREFIX_WORDS =
  'Calle|C/|Avenida|Avda\\.|Av\\.|Carrera|Cra\\.|Camino|Paseo|Pasaje|Plaza|Ronda|Travesía|Carrer|Rua|Travessa|Largo|Praça|Alameda|Estrada|Rodovia|Via|Viale|Vicolo|Piazza|Piazzale|Corso|Strada|Rue|Boulevard|Bd|Chemin|Allée|Impasse|Quai|Cours|Ulica|ul\\.|Aleja|al\\.|Plac|Ulitsa|Prospekt|Odos|Leoforos';
const PARTICLE =
  "(?:de|del|de la|de los|de las|da|do|dos|das|di|della|delle|dei|degli|du|des|la|le|les|l'|d'|y|e)";
const NOT_UNIT = '(?!(?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor)\\b)';
const PREFIX_STREET = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:${PREFIX_WORDS})[ \\t]{1,2}(?:${PARTICLE}[ \\t]|${NOT_UNIT}[\\p{Lu}\\d][\\p{L}\\p{M}'’.-]{0,30}[ \\t]?){1,6},?[ \\t]{0,2}(?:n[º°o]\\.?[ \\t]?)?\\d{1,5}[a-zA-Z]?(?![\\p{L}\\p{N}])`,
  'gu',
);
// "10 rue de la Paix", "15, avenue des Champs-Élysées".
const ROMANCE_WORDS = [
  'rue',
  'avenue',
  'boulevard',
  'bd',
  'chemin',
  'place',
  'allée',
  'impasse',
  'quai',
  'cours',
  'route',
  'passage',
];
const NUMBER_FIRST_ROMANCE = new RegExp(
  `(?<![\\p{L}\\p{N}])\\d{1,5}(?:[ \\t]?(?:bis|ter))?,?[ \\t]{1,2}(?:${ROMANCE_WORDS.map(bothCases).join('|')})[ \\t](?:${PARTICLE}[ \\t]|${NOT_UNIT}[\\p{Lu}][\\p{L}\\p{M}'’-]{0,30}[ \\t]?){1,6}`,
  'gu',
);
const PO_BOX =
  /\b(?:P\.?\s?O\.?\s?Box|Post\s+Office\s+Box|PO\s+Box|Postbox|Postfach|Apartado(?:\s+de\s+correos)?|Caixa\s+Postal|Bo[iî]te\s+postale|BP|Casella\s+postale|Skrytka\s+pocztowa)\s{1,2}\d{1,6}\b/gi;
const MILITARY =
  /\b(?:(?:PSC|Unit|CMR)\s\d{3,5},?\s(?:Box\s\d{3,5})|USN[SV]\s[A-Z][a-z]+(?:\s[A-Z][a-z]+)?|USS\s[A-Z][a-z]+(?:\s[A-Z][a-z]+)?|(?:APO|FPO|DPO)\s(?:AA|AE|AP)\s\d{5})\b/g;

// Tail pieces after a street line.
// Comma or line break (also inside a quoted e-mail: "\n> "), a spaced dash, or plain spaces.
const TAIL_SEP = /^(?:\.?[ \t]*[,\n][ \t\n,>]*|[ \t]+[-–][ \t]+|[ \t]{1,3})/;
const UNIT_WORDS =
  'Apt|Apartment|Suite|Ste|Unit|Flat|Floor|Fl|Room|Rm|Bldg|Building|Box|Lot|Space|Dept|Piso|Puerta|Escalera|Esc|Étage|Etage|Stock|Whg|Interno|Int|Scala';
const UNIT_ID = '#?\\s{0,2}(?:[A-Za-z]?\\d[A-Za-z0-9-]{0,6}|[A-Za-z](?![\\p{L}\\p{N}]))';
const UNIT = new RegExp(
  `^(?:(?:${UNIT_WORDS})(?![\\p{L}])\\.?\\s{0,2}${UNIT_ID}|#\\s?\\d[A-Za-z0-9-]{0,6}|\\d{1,2}(?:º|ª|°)\\s?[A-Za-z]?)(?![\\p{L}\\p{N}])`,
  'u',
);
// A unit on its own ("Suite 501", "Apt. 4B") is an address fragment wherever it appears.
const STANDALONE_UNIT = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:Apt|Apartment|Suite|Ste|Flat)\\.?\\s{1,2}#?\\s?[A-Za-z]?\\d{1,5}[A-Za-z]?(?![\\p{L}\\p{N}])`,
  'gu',
);
// "Kastani 12\n Suite 4", "Dvořákova 14 Apt. 3\nBrno, 60200": a street line
// without a recognised suffix, accepted only when the tail after it looks like an address.
const BARE_STREET_END = /(?<![\p{L}\p{N}])(?:[\p{Lu}][\p{L}\p{M}'’.-]{1,30}[ \t]){1,3}\d{1,5}$/u;
const ZIP_CONTEXT =
  /\b(?:zip(?:\s?code)?|postal\s+code|post\s?code|PLZ|CEP|C\.?P\.?)\s*(?:is|:|#|=)?\s*(\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}|[A-Z]\d[A-Z]\s?\d[A-Z]\d|\d{4,6}|\d{2}-\d{3})\b/gi;
const CORNER =
  /\b(?:the\s+)?(?:corner|intersection)\s+of\s+(?:[\p{Lu}\d][\p{L}\p{M}\d'’.-]{0,30}\s){1,5}(?:and|&)\s+(?:[\p{Lu}\d][\p{L}\p{M}\d'’.-]{0,30}(?:\s|$)){1,5}/gu;
const POSTCODE =
  /^(?:\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}|[A-Z]\d[A-Z]\s?\d[A-Z]\d|\d{2}-\d{3}|\d{4}\s?[A-Z]{2}|\d{3}\s?\d{2}|\d{4,6}|[A-Z]{1,2}-\d{4,5})(?![\p{L}\p{N}])/u;
const STATE = /^(?:[A-Z]{2}|D\.C\.)(?![\p{L}\p{N}])/u;
const PLACE_WORD =
  "(?:St\\.\\s|Ste\\.\\s|Mt\\.\\s)?[\\p{Lu}][\\p{L}\\p{M}'’-]{0,30}(?![\\p{L}\\p{N}.])";
const PLACE = new RegExp(
  `^${PLACE_WORD}(?:[ -](?:de |del |da |do |la |le |sur |am |an der )?${PLACE_WORD}){0,3}`,
  'u',
);
const PLACE_BLOCKLIST =
  /^(?:I|The|This|That|Then|Thanks|Thank|Please|Call|Contact|Email|Phone|Tel|My|Our|Your|His|Her|We|You|He|She|They|It|And|But|Or|If|So|Hi|Hello|Dear|Regards|Best)\b/;

type TailKind = 'unit' | 'postcode' | 'state' | 'place';

/** The address piece at the start of `body`, if any: its kind and length. */
function readTailPiece(
  body: string,
  strongSep: boolean,
  afterPostcode: boolean,
  afterUnit: boolean,
): [TailKind, number] | undefined {
  const unit = UNIT.exec(body);
  if (unit) return ['unit', unit[0].length];
  const postcode = POSTCODE.exec(body);
  if (postcode) return ['postcode', postcode[0].length];
  const state = STATE.exec(body);
  if (state) return ['state', state[0].length];
  if (PLACE_BLOCKLIST.test(body)) return undefined;
  const place = PLACE.exec(body);
  if (!place) return undefined;
  // Without a comma or line break a city is accepted only right after a postcode
  // ("10115 Berlin"), right before a state/postcode ("Springfield IL 62704"), or in capitals
  // right after a unit or postcode ("Suite 4 TARTU").
  const ok =
    strongSep ||
    afterPostcode ||
    (afterUnit && /^\p{Lu}{3,}(?![\p{L}])/u.test(body)) ||
    /^,?\s{1,2}(?:[A-Z]{2}\b|\d{5}\b)/.test(body.slice(place[0].length));
  return ok ? ['place', place[0].length] : undefined;
}

interface Tail {
  end: number;
  unit: boolean;
  postcode: boolean;
  place: boolean;
  state: boolean;
}

function extendTail(text: string, end: number): Tail {
  const tail: Tail = { end, unit: false, postcode: false, place: false, state: false };
  let afterPostcode = false;
  let afterUnit = false;
  for (let step = 0; step < 8; step++) {
    const rest = text.slice(tail.end, tail.end + 120);
    const sep = TAIL_SEP.exec(rest);
    if (!sep) break;
    const strongSep = !/^[ \t]+$/.test(sep[0]);
    const body = rest.slice(sep[0].length);
    const piece = readTailPiece(body, strongSep, afterPostcode, afterUnit);
    if (!piece) break;
    const [kind, length] = piece;
    tail[kind] = true;
    afterPostcode = kind === 'postcode';
    afterUnit = kind === 'unit';
    tail.end += sep[0].length + length;
  }
  return tail;
}

/** "4021 Kastani 12": a building or PO number in front of the street line belongs to it. */
function extendHead(text: string, start: number): number {
  const m = /(?:^|[^\p{L}\p{N}])(\d{1,6}[A-Za-z]?[ \t]{1,2})$/u.exec(
    text.slice(Math.max(0, start - 10), start),
  );
  return m?.[1] ? start - m[1].length : start;
}

const TAIL_START =
  /^(?:[ \t]*[,\n]|[ \t]+(?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor|Fl|Room|Rm|#|\d|[A-Z]{2}\b))/;
const ABBREVIATED_END =
  /\b(?:St|Ave|Av|Rd|Ln|Blvd|Dr|Ct|Pl|Sq|Ter|Terr|Pkwy|Hwy|Cir|Cres|Trl|Aly|Plz|Hts|Gdns|Pt|Expy|Fwy|Tpke|Jct|Rte|Xing|Str|N|S|E|W|NE|NW|SE|SW)\.$/;
const isSpaceCode = (c: number): boolean =>
  c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0;
const isAlnumCode = (c: number): boolean =>
  (c >= 48 && c <= 57) ||
  (c >= 65 && c <= 90) ||
  (c >= 97 && c <= 122) ||
  (c > 127 && /[\p{L}\p{N}]/u.test(String.fromCharCode(c)));
const NUMBER_FIRST_AHEAD = new RegExp(
  `^[A-Za-z]?(?:[-/]\\d{1,4}[A-Za-z]?)?(?:[ \\t]?(?:bis|ter))?,?[ \\t]{1,2}(?:\\p{Lu}|\\d{1,3}(?:st|nd|rd|th)\\b|(?:${ROMANCE_WORDS.join('|')})\\b)`,
  'u',
);
const STREET_WORD_END = new RegExp(`(?:${COMPOUND_SUFFIX}|${STANDALONE_SUFFIX})$`);
const UNIT_HINT =
  /Apt|Apartment|Suite|Ste\b|Flat|Box|Postfach|Apartado|Caixa|Bo[iî]te|BP\b|Casella|Skrytka|PSC|Unit|CMR|US[NS]|[ADF]PO\b/i;

/** Start of a local window: `from`, moved back to whitespace so look-behinds behave as on the full text. */
function windowStart(text: string, from: number): number {
  let start = Math.max(0, from);
  const floor = start - 30;
  while (start > 0 && start > floor && !isSpaceCode(text.charCodeAt(start - 1))) start--;
  return start;
}

/**
 * Street patterns always sit next to a number, so instead of running the (Unicode-aware, slower)
 * street regexes over the whole text they run on short windows around numbers that look like a
 * house number: followed by a word ("221B Baker Street") or preceded by a capitalised or
 * street-like word ("Hauptstraße 12", "Via Roma 10", "Kastani 12").
 */
export function findAddresses(text: string, out: PiiCandidate[]): void {
  if (!/\d/.test(text)) return;
  const seen = new Set<string>();
  const push = (start: number, end: number, priority: number): void => {
    const key = `${start}:${end}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ type: 'STREET_ADDRESS', start, end, priority });
  };
  const matchStreets = (from: number, to: number, patterns: RegExp[]): void => {
    const slice = text.slice(from, to);
    for (const re of patterns) {
      // Matches come in order; one that ends inside the previous address would be merged into
      // it anyway, so its tail is not parsed again (keeps dense input linear).
      let coveredUntil = -1;
      for (const m of slice.matchAll(re)) {
        let value = m[0].replace(/\s+$/u, '');
        if (re === US_STREET && /^\d+\s(?:St|Dr|Ct|Pl|Pt|Ave)\.?$/i.test(value)) continue; // "3 St" etc.
        // Keep the period of an abbreviated suffix ("St."), drop sentence punctuation.
        if (/[,.]$/.test(value) && !(re === US_STREET && ABBREVIATED_END.test(value)))
          value = value.slice(0, -1);
        const start = from + m.index;
        if (start + value.length <= coveredUntil) continue;
        const end = extendTail(text, start + value.length).end;
        push(extendHead(text, start), end, PRIORITY.address);
        coveredUntil = Math.max(coveredUntil, end);
      }
    }
  };
  // Collect the windows first and merge overlapping ones, so that dense input (tables, long
  // lists of numbers) is scanned once rather than once per number.
  const numberFirst: Array<[number, number]> = [];
  const numberLast: Array<[number, number]> = [];
  const addWindow = (list: Array<[number, number]>, from: number, to: number): void => {
    const last = list[list.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else list.push([from, to]);
  };
  let bareCoveredUntil = -1;
  const digits = /\d+/g;
  for (let m = digits.exec(text); m; m = digits.exec(text)) {
    const ds = m.index;
    const de = ds + m[0].length;
    const prev = ds > 0 ? text.charCodeAt(ds - 1) : 32;
    // Number first: "221B Baker Street", "10 rue de la Paix".
    if (!isAlnumCode(prev) && prev !== 45 && NUMBER_FIRST_AHEAD.test(text.slice(de, de + 16))) {
      addWindow(numberFirst, windowStart(text, ds), Math.min(text.length, ds + 200));
    }
    // Number last: look at the word before it.
    if (ds < 2 || !(prev === 32 || prev === 9)) continue;
    let we = ds - 1;
    if (we > 0 && (text.charCodeAt(we - 1) === 32 || text.charCodeAt(we - 1) === 9)) we--;
    if (we > 0 && text.charCodeAt(we - 1) === 44) we--; // "Rua Augusta, 120"
    let ws = we;
    while (ws > 0 && ws > we - 40 && !isSpaceCode(text.charCodeAt(ws - 1))) ws--;
    const word = text.slice(ws, we);
    if (word.length === 0) continue;
    const first = word.charAt(0);
    const capitalised = first !== first.toLowerCase();
    if (!capitalised && !STREET_WORD_END.test(word)) continue;
    const from = windowStart(text, ds - 130);
    addWindow(numberLast, from, Math.min(text.length, de + 20));
    if (!capitalised || de <= bareCoveredUntil || !TAIL_START.test(text.slice(de, de + 12)))
      continue;
    // "Kastani 12\n Suite 4": a street line without a known suffix, kept only with an address tail.
    const bare = BARE_STREET_END.exec(text.slice(windowStart(text, ds - 100), de));
    if (!bare) continue;
    const tail = extendTail(text, de);
    if (tail.unit || (tail.postcode && (tail.place || tail.state))) {
      push(extendHead(text, de - bare[0].length), tail.end, PRIORITY.address - 1);
      bareCoveredUntil = tail.end;
    }
  }
  for (const [from, to] of numberFirst) matchStreets(from, to, [US_STREET, NUMBER_FIRST_ROMANCE]);
  for (const [from, to] of numberLast) matchStreets(from, to, [EU_STREET, PREFIX_STREET]);
  if (UNIT_HINT.test(text)) matchStreets(0, text.length, [PO_BOX, MILITARY, STANDALONE_UNIT]);
  if (/zip|post|PLZ|CEP|C\.?P/i.test(text)) {
    for (const m of text.matchAll(ZIP_CONTEXT)) {
      const value = m[1] ?? '';
      const start = m.index + m[0].length - value.length;
      push(start, start + value.length, PRIORITY.address);
    }
  }
  if (/corner|intersection/i.test(text)) {
    for (const m of text.matchAll(CORNER)) {
      const value = m[0].replace(/[\s,.]+$/u, '');
      push(m.index, m.index + value.length, PRIORITY.address);
    }
  }
}
