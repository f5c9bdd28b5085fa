/**
 * Recognizers for machine-shaped PII: e-mail addresses, URLs carrying credentials, API keys and
 * tokens, private keys, IP addresses and IBANs. Every pattern is anchored on a cheap literal or a
 * word boundary and uses bounded quantifiers, so that adversarial input stays linear.
 */
import { ibanValid, ipv6Groups, shannonEntropy } from './checksums';
import { PRIORITY, type PiiCandidate } from './pii.types';

/** A whole regex match as a candidate span. */
function pushMatch(
  out: PiiCandidate[],
  type: PiiCandidate['type'],
  m: RegExpMatchArray & { index: number },
  priority: number,
): void {
  out.push({ type, start: m.index, end: m.index + m[0].length, priority });
}

// ---------------------------------------------------------------------------------------------
// E-mail: found by scanning out from each '@' instead of a regex with a leading `[...]+`, which
// would be quadratic on long runs of local-part characters.

const isLocalChar = (c: number): boolean =>
  (c >= 97 && c <= 122) ||
  (c >= 65 && c <= 90) ||
  (c >= 48 && c <= 57) ||
  c === 46 ||
  c === 95 ||
  c === 37 ||
  c === 43 ||
  c === 45 ||
  c === 39 ||
  c > 127;
const isDomainChar = (c: number): boolean =>
  (c >= 97 && c <= 122) ||
  (c >= 65 && c <= 90) ||
  (c >= 48 && c <= 57) ||
  c === 46 ||
  c === 45 ||
  c > 127;
const TLD = /\.[\p{L}]{2,24}$/u;

export function findEmails(text: string, out: PiiCandidate[]): void {
  let at = text.indexOf('@');
  while (at >= 0) {
    let s = at;
    while (s > 0 && at - s < 64 && isLocalChar(text.charCodeAt(s - 1))) s--;
    while (s < at && text.charCodeAt(s) === 46) s++; // a local part cannot start with '.'
    let e = at + 1;
    while (e < text.length && e - at <= 253 && isDomainChar(text.charCodeAt(e))) e++;
    while (e > at + 1 && (text.charCodeAt(e - 1) === 46 || text.charCodeAt(e - 1) === 45)) e--;
    const domain = text.slice(at + 1, e);
    if (s < at && domain.includes('.') && !domain.includes('..') && TLD.test(domain)) {
      out.push({ type: 'EMAIL_ADDRESS', start: s, end: e, priority: PRIORITY.email });
    }
    at = text.indexOf('@', Math.max(at + 1, e));
  }
  // Obfuscated forms people type to dodge scrapers: "jane.doe [at] example [dot] com".
  if (/[[({]\s*at\s*[\])}]/i.test(text)) {
    for (const m of text.matchAll(OBFUSCATED_EMAIL)) {
      pushMatch(out, 'EMAIL_ADDRESS', m, PRIORITY.email);
    }
  }
}
const OBFUSCATED_EMAIL =
  /(?<![\w.+-])[\w.+-]{1,64}\s*[[({]\s*at\s*[\])}]\s*[\w-]{1,63}(?:\s*(?:[[({]\s*dot\s*[\])}]|\.)\s*[\w-]{1,63}){1,4}/gi;

// ---------------------------------------------------------------------------------------------
// URLs: flagged only when they carry a credential (user:password@, a sensitive query or fragment
// parameter, a secret-looking path segment, or a known webhook host).

const URL_RE = /\b(?:[a-zA-Z][a-zA-Z0-9+.-]{1,15}:\/\/|www\.)[^\s<>"'`{}|\\^]{1,2048}/g;
const SENSITIVE_PARAM =
  /(?:^|[_.-])(?:api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|key|keys|token|tokens|access[_-]?token|refresh[_-]?token|id[_-]?token|auth|authorization|sig|signature|password|passwd|pwd|pass|passphrase|secret|client[_-]?secret|session|session[_-]?id|sessionid|sessid|phpsessid|jsessionid|sid|code|jwt|credential|credentials|otp|ticket|hash|hmac)(?:$|[_.-])/;
const WEBHOOK_HOSTS =
  /^(?:hooks\.slack\.com|discord(?:app)?\.com\/api\/webhooks|outlook\.office\.com\/webhook|[\w.-]*webhook\.office\.com)/i;
const PLACEHOLDER_VALUE = /^(?:[<{[$%].*|x+|\*+|\.{3}|true|false|null|none|undefined|[01])$/i;

function trimUrl(url: string): string {
  let u = url;
  for (;;) {
    const last = u.charAt(u.length - 1);
    if ('.,;:!?\'"'.includes(last)) u = u.slice(0, -1);
    else if (last === ')' && countChar(u, '(') < countChar(u, ')')) u = u.slice(0, -1);
    else if (last === ']' && countChar(u, '[') < countChar(u, ']')) u = u.slice(0, -1);
    else return u;
  }
}
function countChar(s: string, c: string): number {
  let n = 0;
  for (let i = s.indexOf(c); i >= 0; i = s.indexOf(c, i + 1)) n++;
  return n;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

export function urlCarriesSecret(url: string): boolean {
  const schemeEnd = url.indexOf('://');
  const rest = schemeEnd >= 0 ? url.slice(schemeEnd + 3) : url;
  if (WEBHOOK_HOSTS.test(rest)) return true;
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd >= 0 ? rest.slice(0, authorityEnd) : rest;
  const at = authority.lastIndexOf('@');
  if (at > 0) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    if (colon >= 0 && colon < userinfo.length - 1) return true; // user:password@
    if (looksLikeSecretToken(userinfo)) return true; // https://<token>@github.com
  }
  const after = authorityEnd >= 0 ? rest.slice(authorityEnd) : '';
  const q = after.search(/[?#]/);
  const path = q >= 0 ? after.slice(0, q) : after;
  for (const segment of path.split('/')) {
    if (segment.length >= 20 && looksLikeSecretToken(segment)) return true;
  }
  if (q < 0) return false;
  for (const pair of after.slice(q + 1).split(/[&;#?]/)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair
      .slice(0, eq)
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .toLowerCase();
    const value = safeDecode(pair.slice(eq + 1));
    if (value.length === 0 || PLACEHOLDER_VALUE.test(value)) continue;
    if (SENSITIVE_PARAM.test(safeDecode(name))) return true;
    if (value.length >= 20 && looksLikeSecretToken(value)) return true;
  }
  return false;
}

export function findUrlsWithSecrets(text: string, out: PiiCandidate[]): void {
  if (!text.includes('://') && !text.includes('www.')) return;
  for (const m of text.matchAll(URL_RE)) {
    const url = trimUrl(m[0]);
    if (urlCarriesSecret(url)) {
      out.push({
        type: 'URL_WITH_SECRET',
        start: m.index,
        end: m.index + url.length,
        priority: PRIORITY.urlWithSecret,
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Secrets: well-known key formats first, then key=value assignments, then high-entropy tokens.

const PREFIXED_SECRET = new RegExp(
  '(?<![A-Za-z0-9_-])(?:' +
    [
      'sk-(?:proj-|ant-(?:api|admin)\\d{2}-|svcacct-|None-)?[A-Za-z0-9_-]{20,}', // OpenAI, Anthropic
      '(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,}', // Stripe
      'whsec_[A-Za-z0-9]{20,}',
      'gh[pousr]_[A-Za-z0-9]{30,}', // GitHub
      'github_pat_[A-Za-z0-9_]{22,}',
      'xox[abposr]-[A-Za-z0-9-]{10,}', // Slack
      'xapp-\\d-[A-Za-z0-9-]{10,}',
      '(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}', // AWS key id
      'AIza[0-9A-Za-z_-]{35}', // Google API key
      'ya29\\.[0-9A-Za-z_-]{20,}', // Google OAuth access token
      'GOCSPX-[0-9A-Za-z_-]{20,}',
      'glpat-[0-9A-Za-z_-]{20,}', // GitLab
      'gl(?:dt|rt|ptt|cbt|imt|oas|soat|ft)-[0-9A-Za-z_-]{20,}',
      'npm_[A-Za-z0-9]{36}',
      'pypi-[A-Za-z0-9_-]{50,}',
      'hf_[A-Za-z0-9]{30,}', // Hugging Face
      'SG\\.[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}', // SendGrid
      'SK[0-9a-fA-F]{32}', // Twilio API key
      'AC[0-9a-f]{32}', // Twilio account sid
      'shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}', // Shopify
      'key-[0-9a-zA-Z]{32}', // Mailgun
      'do[opr]_v1_[a-f0-9]{64}', // DigitalOcean
      'dapi[a-f0-9]{32}', // Databricks
      'AGE-SECRET-KEY-1[0-9A-Z]{58}',
      'eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}', // JWT
    ].join('|') +
    ')(?![A-Za-z0-9_-])',
  'g',
);
// Cheap pre-check so the big alternation only runs on text that could contain one of the keys.
const PREFIX_HINT =
  /sk-|_live_|_test_|whsec_|gh[pousr]_|github_pat_|xox|xapp-|A[KSGIRNB3C][A-Z0-9]{2}[A-Z0-9]{16}|AIza|ya29\.|GOCSPX|gl[a-z]{1,3}-|npm_|pypi-|hf_|SG\.|SK[0-9a-f]{8}|AC[0-9a-f]{8}|shp|key-|do[opr]_v1|dapi|AGE-SECRET|eyJ/;

const PRIVATE_KEY_BEGIN = /-----BEGIN (?:[A-Z0-9]+ ){0,4}PRIVATE KEY(?: BLOCK)?-----/g;
const PRIVATE_KEY_END = /-----END (?:[A-Z0-9]+ ){0,4}PRIVATE KEY(?: BLOCK)?-----/g;
const KEY_BODY_CHAR = /[A-Za-z0-9+/=\s:,-]/;

const KEY_VALUE_SECRET =
  /(?<![\w-])(?:password|passwd|passphrase|pwd|pass|secret|client[_-]?secret|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|access[_-]?token|auth[_-]?token|refresh[_-]?token|bearer[_-]?token|token|pin)["']?\s*(?:[:=]|=>|\bis\b)\s*["']?([^\s"',;]{4,200})/gi;
const BEARER = /\b(?:Bearer|Basic|Token)\s+([A-Za-z0-9._~+/-]{16,}=*)/g;

/**
 * Heuristic for a random-looking credential: long, mixes character classes, high Shannon entropy,
 * and its letters do not come in word-length runs (which is what separates `aB3xK9...` from
 * `getUserAccountSettings2` or `/usr/local/lib/python3`).
 */
export function looksLikeSecretToken(token: string): boolean {
  const n = token.length;
  if (n < 16) return false;
  let upper = 0;
  let lower = 0;
  let digit = 0;
  let hexOnly = true;
  let alphaRuns = 0;
  let alphaChars = 0;
  let prevClass = 0; // 1 upper, 2 lower, 3 digit, 4 other
  for (let i = 0; i < n; i++) {
    const c = token.charCodeAt(i);
    let cls: number;
    if (c >= 65 && c <= 90) {
      upper++;
      cls = 1;
      if (c > 70) hexOnly = false;
    } else if (c >= 97 && c <= 122) {
      lower++;
      cls = 2;
      if (c > 102) hexOnly = false;
    } else if (c >= 48 && c <= 57) {
      digit++;
      cls = 3;
    } else {
      cls = 4;
      if (c !== 45) hexOnly = false;
    }
    if (cls <= 2) {
      alphaChars++;
      if (cls !== prevClass) alphaRuns++;
    }
    prevClass = cls;
  }
  const letters = upper + lower;
  if (letters === 0 || digit === 0) {
    // Letters only: allow long mixed-case blobs (base64 without digits is rare but happens).
    if (!(digit === 0 && n >= 32 && upper > 2 && lower > 2)) return false;
  }
  const meanAlphaRun = alphaRuns === 0 ? 0 : alphaChars / alphaRuns;
  if (meanAlphaRun > 3) return false;
  const entropy = shannonEntropy(token);
  if (hexOnly && n >= 24) return entropy >= 3;
  return entropy >= Math.min(4, Math.log2(n) - 0.9);
}

/** A lower-case word: a secret only when it follows a password label. */
function isCommonValueWord(value: string): boolean {
  return /^[a-z]+$/.test(value) && value.length <= 12;
}
const NOT_A_PASSWORD =
  /^(?:required|optional|none|null|empty|hidden|redacted|masked|incorrect|wrong|invalid|expired|reset|changed|forgotten|protected|manager|policy|field|strength|length|hash|hashing|rules|prompt)$/;

const isTokenCode = (c: number): boolean =>
  (c >= 97 && c <= 122) ||
  (c >= 65 && c <= 90) ||
  (c >= 48 && c <= 57) ||
  c === 43 ||
  c === 47 ||
  c === 61 ||
  c === 95 ||
  c === 45;
const KEY_VALUE_HINT = /pass|secret|key|token|pwd|pin/i;

export function findSecrets(text: string, out: PiiCandidate[]): void {
  if (text.includes('-----BEGIN')) {
    for (const m of text.matchAll(PRIVATE_KEY_BEGIN)) {
      PRIVATE_KEY_END.lastIndex = m.index + m[0].length;
      const end = PRIVATE_KEY_END.exec(text);
      let stop: number;
      if (end) {
        stop = end.index + end[0].length;
      } else {
        // Truncated key: redact the whole base64 body that follows the header.
        stop = m.index + m[0].length;
        while (stop < text.length && KEY_BODY_CHAR.test(text.charAt(stop))) stop++;
      }
      out.push({ type: 'SECRET', start: m.index, end: stop, priority: PRIORITY.privateKey });
    }
  }
  if (KEY_VALUE_HINT.test(text)) {
    for (const m of text.matchAll(KEY_VALUE_SECRET)) {
      const value = m[1] ?? '';
      const label = m[0].slice(0, m[0].length - value.length);
      const isPhrase = /\bis\b/i.test(label);
      const passwordLike = /^(?:password|passwd|passphrase|pwd|pass|pin)\b/i.test(label);
      // "the token is expired" and "token: expired" are prose; "password is hunter2",
      // "password: sunshine" and "token: abc123" are secrets.
      if (isPhrase && !/[\d\W_]|[a-z][A-Z]/.test(value)) continue;
      if (isCommonValueWord(value) && (!passwordLike || NOT_A_PASSWORD.test(value))) continue;
      const start = m.index + m[0].length - value.length;
      out.push({
        type: 'SECRET',
        start,
        end: start + value.length,
        priority: PRIORITY.keyValueSecret,
      });
    }
  }
  // One pass over the text finds the long credential-alphabet runs; everything below needs one.
  let longRuns: Array<[number, number]> | undefined;
  for (let i = 0, n = text.length; i < n;) {
    if (!isTokenCode(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < n && isTokenCode(text.charCodeAt(i))) i++;
    if (i - start >= 16) (longRuns ??= []).push([start, i]);
  }
  if (!longRuns) return;
  if (PREFIX_HINT.test(text)) {
    for (const m of text.matchAll(PREFIXED_SECRET)) {
      pushMatch(out, 'SECRET', m, PRIORITY.prefixedSecret);
    }
  }
  if (text.includes('Bearer') || text.includes('Basic') || text.includes('Token')) {
    for (const m of text.matchAll(BEARER)) {
      const value = m[1] ?? '';
      const start = m.index + m[0].length - value.length;
      out.push({
        type: 'SECRET',
        start,
        end: start + value.length,
        priority: PRIORITY.keyValueSecret,
      });
    }
  }
  for (const [start, end] of longRuns) {
    if (end - start < 20) continue;
    const token = text.slice(start, Math.min(end, start + 1024));
    if (looksLikeSecretToken(token)) {
      out.push({ type: 'SECRET', start, end, priority: PRIORITY.entropySecret });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// IP addresses.

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d|0\\d{1,2})';
const IPV4_RE = new RegExp(
  `(?<![\\d.])${OCTET}(?:\\.${OCTET}){3}(?:\\/(?:3[0-2]|[12]?\\d))?(?!\\.?\\d)`,
  'g',
);
const IPV6_RE =
  /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?:%[\w.]{1,15})?(?:\/\d{1,3})?(?![\w:])/g;

export function findIpAddresses(text: string, out: PiiCandidate[]): void {
  if (text.includes('.')) {
    for (const m of text.matchAll(IPV4_RE)) {
      pushMatch(out, 'IP_ADDRESS', m, PRIORITY.ip);
    }
  }
  if (text.includes(':')) {
    for (const m of text.matchAll(IPV6_RE)) {
      const slash = m[0].indexOf('/');
      const addr = slash >= 0 ? m[0].slice(0, slash) : m[0];
      if (ipv6Groups(addr) >= 2) {
        pushMatch(out, 'IP_ADDRESS', m, PRIORITY.ip);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// IBAN: country code + check digits, then the BBAN either packed or in groups of four.

// Upper case is the norm, but people type IBANs in lower case too; mod-97 keeps precision.
const IBAN_RE =
  /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ \-\u00a0]?[A-Za-z0-9]){10,30}(?![A-Za-z0-9])/g;
const IBAN_HINT = /[A-Za-z]{2}\d{2}/;

export function findIbans(text: string, out: PiiCandidate[]): void {
  if (!IBAN_HINT.test(text)) return;
  for (const m of text.matchAll(IBAN_RE)) {
    const raw = m[0];
    // The match may run into a following number ("... 00 2024"), so try each prefix of the
    // expected country length.
    let compact = '';
    for (let i = 0; i < raw.length; i++) {
      const ch = raw.charAt(i);
      if (ch !== ' ' && ch !== '-' && ch !== '\u00a0') compact += ch.toUpperCase();
      if (compact.length >= 15 && (i === raw.length - 1 || /[ \-\u00a0]/.test(raw.charAt(i + 1)))) {
        if (ibanValid(compact)) {
          out.push({
            type: 'IBAN_CODE',
            start: m.index,
            end: m.index + i + 1,
            priority: PRIORITY.iban,
          });
          break;
        }
      }
    }
  }
}
