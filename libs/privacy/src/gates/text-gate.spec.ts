import { describe, expect, it } from 'vitest';
import { detectPii } from '../pii';
import { canonicalizePublishedText, gatePublishedText, piiTypesIn } from './text-gate';

describe('gatePublishedText: PII', () => {
  it.each([
    ['Questions from jane.doe@example.com about invoices', 'EMAIL_ADDRESS'],
    ['Calls to 555-123-4567 about refunds', 'PHONE_NUMBER'],
    ['Helping Sarah Johnson with onboarding', 'PERSON'],
    ['Rotating key sk-abcdefghijklmnopqrstuvwx123456', 'SECRET'],
  ])('rejects %j with its type only', (text, type) => {
    const result = gatePublishedText(text, { auditorScore: 5 });
    expect(result).toEqual({ ok: false, reason: 'pii_detected', detail: type });
  });

  it('lists every type found, sorted and de-duplicated, never the values', () => {
    const text = 'Email Maria Garcia at maria@example.com or bob@example.org';
    const result = gatePublishedText(text);
    expect(result).toEqual({ ok: false, reason: 'pii_detected', detail: 'EMAIL_ADDRESS, PERSON' });
    if (!result.ok) {
      for (const value of ['maria', 'Maria', 'Garcia', 'example', 'bob']) {
        expect(result.detail).not.toContain(value);
      }
    }
    expect(piiTypesIn(text)).toEqual(['EMAIL_ADDRESS', 'PERSON']);
  });

  it.each([
    ['fullwidth e-mail', 'ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ', 'EMAIL_ADDRESS'],
    ['card split by zero-width spaces', 'card 4111\u200b1111\u200b1111\u200b1111', 'CREDIT_CARD'],
    ['name split by a zero-width space', 'Help Jo\u200bhn Smith', 'PERSON'],
    ['fullwidth IP address', 'IP １９２．１６８．１．１０', 'IP_ADDRESS'],
  ])('catches PII hidden by Unicode tricks: %s', (_label, text, type) => {
    // The raw detector alone misses these; the canonical form is what gets checked and published.
    expect(detectPii(text)).toEqual([]);
    expect(gatePublishedText(text, { auditorScore: 5 })).toMatchObject({
      ok: false,
      reason: 'pii_detected',
      detail: type,
    });
  });

  it('checks PII before the auditor: a 5 does not rescue an e-mail', () => {
    expect(gatePublishedText('write to a@example.com', { auditorScore: 5 })).toMatchObject({
      reason: 'pii_detected',
    });
  });
});

describe('gatePublishedText: auditor score', () => {
  const text = 'Summarising quarterly revenue reports';

  it('publishes at 4 and 5, rejects below', () => {
    expect(gatePublishedText(text, { auditorScore: 5 })).toEqual({ ok: true, text, audited: true });
    expect(gatePublishedText(text, { auditorScore: 4 })).toEqual({ ok: true, text, audited: true });
    for (const score of [1, 2, 3, 3.99]) {
      expect(gatePublishedText(text, { auditorScore: score })).toEqual({
        ok: false,
        reason: 'auditor_score',
        detail: `auditor score ${score} is below 4`,
      });
    }
  });

  it('can be made stricter, never looser', () => {
    expect(gatePublishedText(text, { auditorScore: 4, minAuditorScore: 5 })).toMatchObject({
      ok: false,
      reason: 'auditor_score',
    });
    for (const bad of [3, 0, 6, Number.NaN]) {
      expect(() => gatePublishedText(text, { auditorScore: 5, minAuditorScore: bad })).toThrow(
        RangeError,
      );
    }
  });

  it('fails closed on a malformed score', () => {
    for (const score of [Number.NaN, Number.POSITIVE_INFINITY, 0, 6, -1]) {
      expect(gatePublishedText(text, { auditorScore: score })).toMatchObject({
        ok: false,
        reason: 'auditor_score',
      });
    }
    expect(gatePublishedText(text, { auditorScore: '5' as unknown as number })).toMatchObject({
      ok: false,
      reason: 'auditor_score',
    });
  });

  it('without a score, passes on the PII gate alone and says it was not audited', () => {
    expect(gatePublishedText(text)).toEqual({ ok: true, text, audited: false });
  });
});

describe('gatePublishedText: empty and canonical text', () => {
  it('rejects empty, blank and invisible-only text', () => {
    for (const empty of ['', '   ', '\n\t', '\u200b\u200d\ufeff']) {
      expect(gatePublishedText(empty, { auditorScore: 5 })).toEqual({
        ok: false,
        reason: 'empty',
        detail: 'text is empty after normalisation',
      });
    }
    expect(gatePublishedText(undefined as unknown as string)).toMatchObject({ reason: 'empty' });
  });

  it('returns the canonical text, the same string that was checked', () => {
    const result = gatePublishedText('  Drafting\u200b   release\nnotes  ', { auditorScore: 4 });
    expect(result).toEqual({ ok: true, text: 'Drafting release notes', audited: true });
    expect(canonicalizePublishedText('ﬁnance\u00a0reports')).toBe('finance reports');
  });

  it('is idempotent', () => {
    const samples = ['  a\u200bb  c ', 'ｆｕｌｌ ｗｉｄｔｈ', 'tabs\tand\r\nlines'];
    for (const s of samples) {
      const once = canonicalizePublishedText(s);
      expect(canonicalizePublishedText(once)).toBe(once);
    }
  });
});
