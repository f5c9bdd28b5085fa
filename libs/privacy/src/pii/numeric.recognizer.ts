/**
 * Recognizers for digit-shaped PII: payment cards (Luhn), phone numbers, US SSNs, dates of birth
 * and US driver's licence numbers. A hand-written scanner splits the text into numeric runs
 * (digit groups joined by single separators: space, dash, dot, slash, parentheses), then each run
 * is classified from its group structure and nearby context words. Plain numbers, years, amounts,
 * times, ranges, decimals and dates are left alone.
 */
import { luhnValid, ssnValid } from './checksums';
import { PRIORITY, type PiiCandidate } from './pii.types';

interface NumericRun {
  start: number;
  end: number;
  groups: string[];
  /** seps[i] joins groups[i] and groups[i + 1]. */
  seps: string[];
  plus: boolean;
  parens: boolean;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isWordCode = (c: number): boolean =>
  isDigit(c) ||
  (c >= 65 && c <= 90) ||
  (c >= 97 && c <= 122) ||
  c === 95 ||
  (c > 127 && /[\p{L}\p{N}]/u.test(String.fromCharCode(c)));
const SEPARATORS = new Set([' ', '-', '.', '/', '\u00a0', '\u2013', '\u2011', '\u2012']);
const MAX_GROUPS = 24;

/** Reads one run starting at `i` (a digit, '+' or '('); returns undefined when it is not a run. */
function readRun(text: string, i: number): NumericRun | undefined {
  const groups: string[] = [];
  const seps: string[] = [];
  let j = i;
  let plus = false;
  let parens = false;
  if (text.charAt(j) === '+') {
    plus = true;
    j++;
  }
  let sepBefore = '';
  let end = j;
  while (groups.length < MAX_GROUPS) {
    let open = false;
    let k = j;
    if (text.charAt(k) === '(') {
      open = true;
      k++;
    }
    const digitsStart = k;
    while (k < text.length && isDigit(text.charCodeAt(k))) k++;
    if (k === digitsStart || k - digitsStart > 24) break;
    if (open) {
      if (text.charAt(k) !== ')') break;
      parens = true;
    }
    if (groups.length > 0) seps.push(sepBefore);
    groups.push(text.slice(digitsStart, k));
    j = open ? k + 1 : k;
    end = j;
    // Separator: one separator char, ") " style already consumed, or " - " / " (" forms.
    let s = j;
    let sep = '';
    if (SEPARATORS.has(text.charAt(s))) {
      sep = text.charAt(s);
      s++;
      if (
        sep === ' ' &&
        (text.charAt(s) === '-' || text.charAt(s) === '\u2013') &&
        text.charAt(s + 1) === ' '
      ) {
        sep = '-';
        s += 2;
      }
    } else if (open && isDigit(text.charCodeAt(s))) {
      sep = ')';
    }
    if (text.charAt(s) === '(' ? isDigit(text.charCodeAt(s + 1)) : isDigit(text.charCodeAt(s))) {
      if (sep === '' && text.charAt(s) !== '(') break;
      sepBefore = sep === '' ? '(' : sep;
      j = s;
      continue;
    }
    break;
  }
  if (groups.length === 0) return undefined;
  return { start: i, end, groups, seps, plus, parens };
}

// Context words are searched in the few words before a number (unanchored, so the check is cheap).
const PHONE_CONTEXT =
  /phone|\btel\b|mobile|\bcell|\bfax|whats\s?app|\bsms|\bmessages?\b|\btext(?:s|ed)?\b|\bcall|\bring\b|\bdial|\breach|contact|number|\bno\.|#|\bext\b|landline|hotline|helpline/i;
const SSN_CONTEXT =
  /\bssn|social\s+security|\bss\s?#|\bss\s+no|social\s+insurance|\bsin\b|tax\s?payer|\btin\b|\bitin\b/i;
const DOB_CONTEXT = /\bborn\b|\bd\.?o\.?b\b|date\s+of\s+birth|birth\s?date|birthday/i;
const CARD_CONTEXT = /card|visa|master|maestro|amex|debit|credit|\bpan\b/i;
const EXTENSION = /^\s{0,2}(?:x|ext\.?|extension|#)\s{0,2}(\d{1,6})(?![\w])/i;

function contextBefore(text: string, start: number, re: RegExp, width = 40): boolean {
  return re.test(text.slice(Math.max(0, start - width), start));
}

function isYear(g: string): boolean {
  return g.length === 4 && (g.startsWith('19') || g.startsWith('20'));
}

function looksLikeDate(groups: string[], seps: string[]): boolean {
  const sep = seps[0];
  if (!sep || !seps.every((s) => s === sep) || !'/-.'.includes(sep)) return false;
  const n = groups.map(Number);
  if (groups.length === 3) {
    const [a, b, c] = groups as [string, string, string];
    const [x, y, z] = n as [number, number, number];
    if (a.length === 4)
      return b.length <= 2 && c.length <= 2 && y >= 1 && y <= 12 && z >= 1 && z <= 31;
    if (a.length <= 2 && b.length <= 2 && (c.length === 4 || c.length === 2)) {
      return x >= 1 && y >= 1 && ((x <= 31 && y <= 12) || (x <= 12 && y <= 31));
    }
    return false;
  }
  if (groups.length === 2) {
    const [a, b] = groups as [string, string];
    if (isYear(a) && isYear(b)) return true; // 2019-2023
    if (sep === '/' && a.length <= 2 && (b.length <= 2 || isYear(b))) return true; // 12/25, 03/2024
    if (isYear(a) && b.length <= 2 && sep !== '.') return true; // 2024-03
  }
  return false;
}

/** Group layouts of printed card numbers: 4-4-4-4(-3), 4-6-5 (Amex), 4-6-4 (Diners), ... */
function cardShape(lens: number[], seps: string[], from: number, to: number): boolean {
  const count = to - from;
  if (count === 1) return true;
  const sep = seps[from];
  for (let k = from; k < to - 1; k++) if (seps[k] !== sep) return false;
  if (sep !== ' ' && sep !== '-') return false;
  let allFour = true;
  for (let k = from; k < to - 1; k++) if (lens[k] !== 4) allFour = false;
  const last = lens[to - 1] ?? 0;
  if (allFour && last >= 1 && last <= 4) return true; // 4-4-4-4(-3)
  const [a, b, c, d] = [lens[from], lens[from + 1], lens[from + 2], lens[from + 3]];
  if (count === 2) return a === 6 && b === 13;
  if (count === 3) return a === 4 && ((b === 6 && (c === 5 || c === 4)) || (b === 4 && c === 5));
  return count === 4 && a === 5 && b === 5 && c === 5 && d === 4;
}

/** Tries groups [from, to) of `run` as a card number; pushes it and returns true when valid. */
function pushCard(
  run: NumericRun,
  lens: number[],
  from: number,
  to: number,
  text: string,
  out: PiiCandidate[],
): boolean {
  if (!cardShape(lens, run.seps, from, to)) return false;
  const digits = run.groups.slice(from, to).join('');
  if (!luhnValid(digits) || /^(\d)\1+$/.test(digits)) return false; // 0000... passes Luhn, is no card
  out.push({
    type: 'CREDIT_CARD',
    start: groupStart(text, run, from),
    end: groupEnd(text, run, to - 1),
    priority: PRIORITY.creditCard,
  });
  return true;
}

/** Offsets of group boundaries, recomputed by walking the run (groups are in order). */
function groupStart(text: string, run: NumericRun, index: number): number {
  let pos = run.start;
  for (let g = 0; g <= index; g++) {
    const at = text.indexOf(run.groups[g] ?? '', pos);
    if (g === index) return at;
    pos = at + (run.groups[g]?.length ?? 0);
  }
  return pos;
}
function groupEnd(text: string, run: NumericRun, index: number): number {
  return groupStart(text, run, index) + (run.groups[index]?.length ?? 0);
}

function phoneVerdict(run: NumericRun, text: string): boolean {
  const { groups, seps } = run;
  const digits = groups.join('');
  const d = digits.length;
  if (d < 7 || d > 15) return false;
  const lens = groups.map((g) => g.length);
  const shape = lens.join('-');
  const sepSet = new Set(seps);
  const dotted = sepSet.has('.');
  const slashed = sepSet.has('/');
  const context = contextBefore(text, run.start, PHONE_CONTEXT);
  const international = run.plus || (digits.startsWith('00') && d >= 10 && groups.length >= 2);
  if (international) return d >= 8;
  if (run.parens) return d >= 8 || (d >= 7 && context);
  if (dotted) {
    // Dots mostly mean decimals or thousands; accept the well-known dotted phone layouts only.
    const sep = seps[0];
    if (!seps.every((s) => s === sep)) return false;
    if (shape === '3-3-4' || shape === '1-3-3-4') return true;
    if (groups[0]?.startsWith('0') && groups.length >= 4 && lens.slice(1).every((l) => l === 2))
      return true;
    return context && groups.length >= 3 && !lens.slice(1).every((l) => l === 3);
  }
  if (slashed) {
    // "030/1234567": trunk prefix, one slash.
    return groups.length === 2 && (groups[0]?.startsWith('0') ?? false) && d >= 9;
  }
  if (groups.length === 1) {
    if (d >= 10 && d <= 11) return true;
    return context;
  }
  if (
    shape === '3-3-4' ||
    shape === '1-3-3-4' ||
    shape === '3-4-4' ||
    shape === '2-4-4' ||
    shape === '3-3-3-4'
  )
    return true;
  if (groups[0]?.startsWith('0') && d >= 9 && d <= 12) return true; // national trunk prefix
  if (groups.length >= 3 && d >= 10) return true;
  // 8-9 digits in three or more groups ("60-56-85-91", "416 60 039"), unless they read like a
  // thousands-grouped amount ("699 956 915", "12 345 678").
  const thousands = (lens[0] ?? 0) <= 3 && lens.slice(1).every((l) => l === 3);
  if (groups.length >= 3 && d >= 8 && !thousands) return true;
  // Short local numbers ("555-1234") and odd layouts need a phone word nearby.
  return context;
}

/** A sub-run made of groups [from, to) of `run`, with its own offsets. */
function subRun(text: string, run: NumericRun, from: number, to: number): NumericRun {
  const start = groupStart(text, run, from);
  return {
    start,
    end: groupEnd(text, run, to - 1),
    groups: run.groups.slice(from, to),
    seps: run.seps.slice(from, to - 1),
    plus: from === 0 && run.plus,
    parens: run.parens && text.slice(start, groupEnd(text, run, to - 1) + 1).includes(')'),
  };
}

function classifyRun(run: NumericRun, text: string, out: PiiCandidate[]): void {
  // "2000-04-16 11:34": a date glued to a time by a space is neither a phone nor a card.
  if (
    text.charAt(run.end) === ':' &&
    isDigit(text.charCodeAt(run.end + 1)) &&
    run.groups.length > 1
  ) {
    run = subRun(text, run, 0, run.groups.length - 1);
  }
  if (run.groups.length > 3 && looksLikeDate(run.groups.slice(0, 3), run.seps.slice(0, 2))) {
    classifyRun(subRun(text, run, 0, 3), text, out);
    if (run.seps[2] === ' ') classifyRun(subRun(text, run, 3, run.groups.length), text, out);
    return;
  }
  const { groups, seps } = run;
  const digits = groups.join('');
  const d = digits.length;
  const prev = run.start > 0 ? text.charAt(run.start - 1) : '';
  const amount =
    /[$€£¥₹]/.test(prev) ||
    (run.start > 1 && /[$€£¥₹]\s$/.test(text.slice(run.start - 2, run.start)));
  if (amount) return;
  const after = text.slice(run.end, run.end + 1);
  if (after === '%' || after === '°') return;

  // IPv4 and dotted versions are handled elsewhere or are not PII.
  if (groups.length === 4 && seps.every((s) => s === '.') && groups.every((g) => g.length <= 3))
    return;

  // US SSN: AAA-GG-SSSS with one consistent separator, or 9 digits next to an SSN word.
  if (
    groups.length === 3 &&
    groups[0]?.length === 3 &&
    groups[1]?.length === 2 &&
    groups[2]?.length === 4
  ) {
    if (seps[0] === seps[1] && (seps[0] === '-' || seps[0] === ' ' || seps[0] === '.')) {
      if (ssnValid(groups[0], groups[1], groups[2])) {
        out.push({ type: 'US_SSN', start: run.start, end: run.end, priority: PRIORITY.ssn });
        return;
      }
    }
  }
  if (d === 9 && groups.length === 1 && contextBefore(text, run.start, SSN_CONTEXT)) {
    if (ssnValid(digits.slice(0, 3), digits.slice(3, 5), digits.slice(5))) {
      out.push({ type: 'US_SSN', start: run.start, end: run.end, priority: PRIORITY.ssn });
      return;
    }
  }

  if (looksLikeDate(groups, seps)) {
    if (contextBefore(text, run.start, DOB_CONTEXT, 32)) {
      out.push({
        type: 'DATE_OF_BIRTH',
        start: run.start,
        end: run.end,
        priority: PRIORITY.dateOfBirth,
      });
    }
    return;
  }

  // 12-digit Maestro numbers exist but so do many other 12-digit numbers: ask for a card word.
  if (
    d === 12 &&
    groups.length <= 3 &&
    luhnValid(digits) &&
    contextBefore(text, run.start, CARD_CONTEXT)
  ) {
    out.push({
      type: 'CREDIT_CARD',
      start: run.start,
      end: run.end,
      priority: PRIORITY.creditCard,
    });
    return;
  }
  // Payment card: the whole run, else the longest window of groups that validates.
  if (!run.plus && d >= 13) {
    const lens = groups.map((g) => g.length);
    const prefix = [0];
    for (const l of lens) prefix.push((prefix[prefix.length - 1] ?? 0) + l);
    for (let len = groups.length; len >= 1; len--) {
      for (let from = 0; from + len <= groups.length; from++) {
        const total = (prefix[from + len] ?? 0) - (prefix[from] ?? 0);
        if (total < 13 || total > 19) continue;
        if (pushCard(run, lens, from, from + len, text, out)) return;
      }
    }
  }

  if (phoneVerdict(run, text)) {
    pushPhone(run, text, out);
    return;
  }
  // "555-123-4567 555-987-6543": several numbers joined by spaces. Classify the space-separated
  // chunks that have internal structure on their own.
  if (seps.includes(' ') && seps.some((s) => s !== ' ')) {
    let from = 0;
    for (let g = 0; g <= seps.length; g++) {
      if (g === seps.length || seps[g] === ' ') {
        if (g + 1 - from >= 2) classifyRun(subRun(text, run, from, g + 1), text, out);
        from = g + 1;
      }
    }
  }
}

function pushPhone(run: NumericRun, text: string, out: PiiCandidate[]): void {
  let end = run.end;
  const ext = EXTENSION.exec(text.slice(end, end + 20));
  if (ext) end += ext[0].length;
  const start = run.start > 0 && text.charAt(run.start - 1) === '(' ? run.start - 1 : run.start;
  out.push({ type: 'PHONE_NUMBER', start, end, priority: PRIORITY.phone });
}

export function findNumericPii(text: string, out: PiiCandidate[]): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const startsRun =
      isDigit(c) ||
      ((c === 43 || c === 40) && isDigit(text.charCodeAt(i + 1))) || // +1 / (555
      (c === 43 && text.charCodeAt(i + 1) === 40 && isDigit(text.charCodeAt(i + 2))); // +(44)
    if (!startsRun) {
      i++;
      continue;
    }
    const p = i > 0 ? text.charCodeAt(i - 1) : 32;
    const pp = i > 1 ? text.charCodeAt(i - 2) : 32;
    // Inside a word ("v2", "A4", "COVID19") or continuing a decimal ("3.14", "1,500"): skip.
    if (isWordCode(p) || ((p === 46 || p === 44) && isDigit(pp)) || (p === 45 && isWordCode(pp))) {
      i++;
      while (i < n && isWordCode(text.charCodeAt(i))) i++;
      continue;
    }
    const run = readRun(text, i);
    if (!run) {
      i++;
      continue;
    }
    const nextCode = run.end < n ? text.charCodeAt(run.end) : 32;
    // "5GB", "1st", "12abc": a unit or an identifier, unless it is a phone extension ("x123").
    const glued = isWordCode(nextCode) && !/^x\d/i.test(text.slice(run.end, run.end + 2));
    const decimalTail =
      (nextCode === 44 || nextCode === 46) &&
      isDigit(run.end + 1 < n ? text.charCodeAt(run.end + 1) : 32);
    if (!glued && !decimalTail) classifyRun(run, text, out);
    i = Math.max(run.end, i + 1);
    while (i < n && isWordCode(text.charCodeAt(i))) i++;
  }
  findTextualPii(text, out);
}

// ---------------------------------------------------------------------------------------------
// Context-anchored forms: written-out dates of birth and driver's licence numbers.

const MONTH =
  '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?';
const DOB_TEXTUAL = new RegExp(
  `(?:\\bborn(?:\\s+on)?|\\bd\\.?o\\.?b\\.?|date\\s+of\\s+birth|birth\\s?date|birthday(?:\\s+is)?)\\s*(?:[:\\-–]|is|was|on)?\\s*` +
    `((?:\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH},?\\s+\\d{4})|(?:${MONTH}\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}))`,
  'gi',
);
const DRIVER_LICENSE =
  /\b(?:driver'?s?|driving)\s+licen[cs]e(?:\s+(?:number|no\.?|#|id))?\s*(?:is|:|#|=)?\s*#?\s*([A-Z0-9][A-Z0-9-]{4,19})\b|\bDL\s*(?:#|no\.?|number)\s*:?\s*([A-Z0-9][A-Z0-9-]{4,19})\b/gi;

function findTextualPii(text: string, out: PiiCandidate[]): void {
  if (/born|d\.?o\.?b|birth/i.test(text)) {
    for (const m of text.matchAll(DOB_TEXTUAL)) {
      const value = m[1] ?? '';
      const start = m.index + m[0].length - value.length;
      out.push({
        type: 'DATE_OF_BIRTH',
        start,
        end: start + value.length,
        priority: PRIORITY.dateOfBirth,
      });
    }
  }
  if (/licen[cs]e|\bDL\b/i.test(text)) {
    for (const m of text.matchAll(DRIVER_LICENSE)) {
      const value = m[1] ?? m[2] ?? '';
      if (!/\d/.test(value)) continue;
      const start = m.index + m[0].length - value.length;
      out.push({
        type: 'US_DRIVER_LICENSE',
        start,
        end: start + value.length,
        priority: PRIORITY.driverLicense,
      });
    }
  }
}
