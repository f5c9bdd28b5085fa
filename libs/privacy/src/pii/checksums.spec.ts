import { describe, expect, it } from 'vitest';
import { ibanValid, ipv6Groups, luhnValid, shannonEntropy, ssnValid } from './checksums';

describe('luhnValid', () => {
  it('accepts valid card numbers and rejects a changed digit', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('378282246310005')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('')).toBe(false);
    expect(luhnValid('41x1')).toBe(false);
  });
});

describe('ibanValid', () => {
  it('checks country length and mod-97', () => {
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanValid('GB82WEST12345698765433')).toBe(false); // check digits broken
    expect(ibanValid('DE8937040044053201300')).toBe(false); // one character short
    expect(ibanValid('ZZ89370400440532013000')).toBe(false); // unknown country
  });
});

describe('ssnValid', () => {
  it('applies the SSA allocation rules', () => {
    expect(ssnValid('123', '45', '6789')).toBe(true);
    expect(ssnValid('000', '45', '6789')).toBe(false);
    expect(ssnValid('666', '45', '6789')).toBe(false);
    expect(ssnValid('901', '45', '6789')).toBe(false);
    expect(ssnValid('123', '00', '6789')).toBe(false);
    expect(ssnValid('123', '45', '0000')).toBe(false);
  });
});

describe('ipv6Groups', () => {
  it('parses full, compressed and IPv4-suffixed forms', () => {
    expect(ipv6Groups('2001:0db8:85a3:0000:0000:8a2e:0370:7334')).toBe(8);
    expect(ipv6Groups('2001:db8::8a2e:370:7334')).toBe(5);
    expect(ipv6Groups('fe80::1%eth0')).toBe(2);
    expect(ipv6Groups('::ffff:192.0.2.128')).toBe(2);
    expect(ipv6Groups('12:30:45')).toBe(-1);
    expect(ipv6Groups('1::2::3')).toBe(-1);
    expect(ipv6Groups('gggg::1')).toBe(-1);
  });
});

describe('shannonEntropy', () => {
  it('is 0 for a repeated character and log2(n) for n distinct ones', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBeCloseTo(2);
  });
});
