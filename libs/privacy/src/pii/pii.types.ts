/**
 * Public types of the PII detector: the span types it reports and the placeholder each one is
 * replaced with when scrubbing. Placeholders are plain bracketed words so that scrubbed text stays
 * readable in cluster names and goal statements, and so that scrubbing twice changes nothing.
 */
export const PII_TYPES = [
  'EMAIL_ADDRESS',
  'PHONE_NUMBER',
  'CREDIT_CARD',
  'IBAN_CODE',
  'IP_ADDRESS',
  'US_SSN',
  'US_DRIVER_LICENSE',
  'DATE_OF_BIRTH',
  'URL_WITH_SECRET',
  'SECRET',
  'PERSON',
  'STREET_ADDRESS',
] as const;

export type PiiType = (typeof PII_TYPES)[number];

/** A detected span: `text.slice(start, end)` is the sensitive value. */
export interface PiiSpan {
  type: PiiType;
  start: number;
  end: number;
}

export const PII_PLACEHOLDERS: Readonly<Record<PiiType, string>> = {
  EMAIL_ADDRESS: '[EMAIL]',
  PHONE_NUMBER: '[PHONE]',
  CREDIT_CARD: '[CARD]',
  IBAN_CODE: '[IBAN]',
  IP_ADDRESS: '[IP]',
  US_SSN: '[ID]',
  US_DRIVER_LICENSE: '[ID]',
  DATE_OF_BIRTH: '[DOB]',
  URL_WITH_SECRET: '[URL]',
  SECRET: '[SECRET]',
  PERSON: '[PERSON]',
  STREET_ADDRESS: '[ADDRESS]',
};

/**
 * A recognizer's proposal before overlaps are resolved. `priority` encodes specificity: a
 * validated structure (checksum, known key prefix) outranks a heuristic one (name lexicon).
 */
export interface PiiCandidate extends PiiSpan {
  priority: number;
}

/** Overlap-resolution ranks, higher wins; see `resolveOverlaps`. */
export const PRIORITY = {
  privateKey: 100,
  urlWithSecret: 90,
  email: 85,
  prefixedSecret: 80,
  keyValueSecret: 75,
  iban: 70,
  creditCard: 65,
  ssn: 60,
  driverLicense: 58,
  ip: 55,
  dateOfBirth: 52,
  phone: 50,
  address: 40,
  person: 30,
  entropySecret: 20,
} as const;
