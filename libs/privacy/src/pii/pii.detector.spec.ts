import { describe, expect, it } from 'vitest';
import { containsPii, detectPii } from './pii.detector';
import type { PiiType } from './pii.types';

/** The detected values of one type, as text. */
function found(text: string, type?: PiiType): string[] {
  return detectPii(text)
    .filter((s) => type === undefined || s.type === type)
    .map((s) => text.slice(s.start, s.end));
}

describe('detectPii: e-mail addresses', () => {
  it('finds plain and sub-addressed e-mails', () => {
    expect(found('write to jane.doe+news@example.co.uk today', 'EMAIL_ADDRESS')).toEqual([
      'jane.doe+news@example.co.uk',
    ]);
    expect(found('Mail: J_Smith@mail.example.org.', 'EMAIL_ADDRESS')).toEqual([
      'J_Smith@mail.example.org',
    ]);
    expect(found('jane.doe [at] example [dot] com', 'EMAIL_ADDRESS')).toHaveLength(1);
  });
  it('ignores handles, decorators and bare @ signs', () => {
    expect(found('ping @channel about @Component and a@b', 'EMAIL_ADDRESS')).toEqual([]);
    expect(found('meet @ 5pm', 'EMAIL_ADDRESS')).toEqual([]);
  });
});

describe('detectPii: phone numbers', () => {
  it.each([
    ['Call me at (555) 123-4567 tomorrow', '(555) 123-4567'],
    ['my number is 555-123-4567', '555-123-4567'],
    ['office: +44 20 7946 0958', '+44 20 7946 0958'],
    ['ring +1 (212) 555-0199 ext. 42', '+1 (212) 555-0199 ext. 42'],
    ['mobile 07700 900123', '07700 900123'],
    ['appelez le 01 23 45 67 89', '01 23 45 67 89'],
    ['Tel. 030/1234567', '030/1234567'],
    ['reach me on 555.123.4567', '555.123.4567'],
    ['+49 30 901820', '+49 30 901820'],
    ['phone: 555-1234', '555-1234'],
  ])('%s', (text, expected) => {
    expect(found(text, 'PHONE_NUMBER')).toEqual([expected]);
  });

  it('splits numbers that only spaces join', () => {
    expect(found('Phones: 555-123-4567 555-987-6543', 'PHONE_NUMBER')).toEqual([
      '555-123-4567',
      '555-987-6543',
    ]);
  });

  it.each([
    'When: 2000-04-16 11:34:35',
    'in 2023 we had 1500 users',
    'revenue grew to $1,250,000 in 2022',
    'the meeting is at 10:30 on 2024-03-15',
    'between 2019-2023 the rate was 3.14159',
    'version 1.2.3 of the app, build 20240115',
    'it costs 1.500.000 EUR and weighs 250 kg',
    'a range of 200-1500 requests per second',
    'on 12/25/2023 we shipped 450 units',
  ])('does not flag "%s"', (text) => {
    expect(found(text, 'PHONE_NUMBER')).toEqual([]);
  });
});

describe('detectPii: payment cards', () => {
  it('flags Luhn-valid numbers with or without separators', () => {
    expect(found('card 4111 1111 1111 1111 please', 'CREDIT_CARD')).toEqual([
      '4111 1111 1111 1111',
    ]);
    expect(found('amex 3782-822463-10005', 'CREDIT_CARD')).toEqual(['3782-822463-10005']);
    expect(found('5555555555554444', 'CREDIT_CARD')).toEqual(['5555555555554444']);
  });
  it('accepts a 12-digit (Maestro) number only next to a card word', () => {
    expect(found('my card number is 501873420613', 'CREDIT_CARD')).toEqual(['501873420613']);
    expect(found('ticket 501873420613', 'CREDIT_CARD')).toEqual([]);
  });
  it('does not flag Luhn-invalid numbers as cards', () => {
    expect(found('card 4111 1111 1111 1112 please', 'CREDIT_CARD')).toEqual([]);
    expect(found('order 1234567890123456', 'CREDIT_CARD')).toEqual([]);
  });
});

describe('detectPii: IBAN', () => {
  it('flags valid IBANs, packed, spaced or in lower case', () => {
    expect(found('pay DE89 3704 0044 0532 0130 00 now', 'IBAN_CODE')).toEqual([
      'DE89 3704 0044 0532 0130 00',
    ]);
    expect(found('IBAN: GB82WEST12345698765432.', 'IBAN_CODE')).toEqual(['GB82WEST12345698765432']);
    expect(found('my iban is gb82west12345698765432', 'IBAN_CODE')).toEqual([
      'gb82west12345698765432',
    ]);
  });
  it('rejects a wrong check digit', () => {
    expect(found('pay DE88 3704 0044 0532 0130 00 now', 'IBAN_CODE')).toEqual([]);
  });
});

describe('detectPii: IP addresses', () => {
  it('flags IPv4 (with range checks) and IPv6 (including compressed forms)', () => {
    expect(found('server 192.168.1.20 is down', 'IP_ADDRESS')).toEqual(['192.168.1.20']);
    expect(found('block 10.0.0.0/8 now', 'IP_ADDRESS')).toEqual(['10.0.0.0/8']);
    expect(
      found('host 2001:db8::8a2e:370:7334 and fe80::1ff:fe23:4567:890a', 'IP_ADDRESS'),
    ).toEqual(['2001:db8::8a2e:370:7334', 'fe80::1ff:fe23:4567:890a']);
  });
  it('ignores out-of-range octets, versions and times', () => {
    expect(found('bad 999.10.1.1 and 256.1.1.1', 'IP_ADDRESS')).toEqual([]);
    expect(found('at 12:30:45 we use std::vector', 'IP_ADDRESS')).toEqual([]);
  });
});

describe('detectPii: US SSN', () => {
  it('flags formatted SSNs and 9 digits next to an SSN word', () => {
    expect(found('SSN 123-45-6789', 'US_SSN')).toEqual(['123-45-6789']);
    expect(found('her social security number is 078051120', 'US_SSN')).toEqual(['078051120']);
  });
  it('rejects invalid ranges and context-free 9-digit numbers', () => {
    expect(found('ids 000-12-3456, 666-12-3456 and 912-34-5678', 'US_SSN')).toEqual([]);
    expect(found('order number 123456789', 'US_SSN')).toEqual([]);
  });
});

describe('detectPii: URLs with secrets', () => {
  it('flags credentials in the query, the fragment or the user info', () => {
    expect(
      found('see https://api.example.com/v1/items?token=abc123XYZ&page=2', 'URL_WITH_SECRET'),
    ).toEqual(['https://api.example.com/v1/items?token=abc123XYZ&page=2']);
    expect(
      found('db at postgres://admin:hunter2@db.internal:5432/app.', 'URL_WITH_SECRET'),
    ).toEqual(['postgres://admin:hunter2@db.internal:5432/app']);
    expect(
      found('https://x.example/cb#access_token=ya29abc&expires_in=3600', 'URL_WITH_SECRET'),
    ).toHaveLength(1);
    expect(
      found(
        'signed https://bucket.s3.amazonaws.com/f.pdf?X-Amz-Signature=deadbeef',
        'URL_WITH_SECRET',
      ),
    ).toHaveLength(1);
  });
  it('leaves ordinary URLs alone', () => {
    expect(detectPii('see https://example.com/docs for details')).toEqual([]);
    expect(detectPii('read https://example.com/docs?page=2&lang=en first')).toEqual([]);
    expect(detectPii('(see https://en.wikipedia.org/wiki/Python_(programming_language))')).toEqual(
      [],
    );
  });
});

describe('detectPii: secrets', () => {
  it.each([
    ['key sk-proj-abcDEF1234567890ghijKLMNop', 'sk-proj-abcDEF1234567890ghijKLMNop'],
    ['stripe sk_live_51HxYzAbCdEfGhIjKlMn', 'sk_live_51HxYzAbCdEfGhIjKlMn'],
    ['token ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
    ['slack xoxb-1234567890-abcdefghijkl', 'xoxb-1234567890-abcdefghijkl'],
    ['aws AKIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPLE'],
    ['google AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW', 'AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW'],
    ['gitlab glpat-abcdefghij0123456789', 'glpat-abcdefghij0123456789'],
    [
      'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    ],
    ['secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8Rk3', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8Rk3'],
    ['password: hunter22', 'hunter22'],
    ['Authorization: Bearer abcdef0123456789ABCDEF', 'abcdef0123456789ABCDEF'],
  ])('%s', (text, expected) => {
    expect(found(text, 'SECRET')).toEqual([expected]);
  });

  it('redacts a whole PEM private key, even a truncated one', () => {
    const pem =
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7v\nQk9zYXBl\n-----END RSA PRIVATE KEY-----';
    expect(found(`key:\n${pem}\nthanks`, 'SECRET')).toEqual([pem]);
    expect(
      found('-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 'SECRET'),
    ).toHaveLength(1);
  });

  it('does not flag identifiers, paths, hashes of words or prose about tokens', () => {
    for (const text of [
      'rename getUserAccountSettingsById to loadSettings',
      'installed under /usr/local/lib/python3.11/site-packages',
      'internationalization and localization are hard',
      'the token is expired, please refresh',
      'token: expired',
      'api_key: production',
      'the secret is patience',
      'ComponentWillReceiveProps2 was deprecated',
    ]) {
      expect(found(text, 'SECRET')).toEqual([]);
    }
  });
});

describe('detectPii: person names', () => {
  it.each([
    ['Dr. Smith reviewed the draft', 'Dr. Smith'],
    ['Maria Garcia asked for a refund', 'Maria Garcia'],
    ['My name is Oyelaran and I need help', 'Oyelaran'],
    ["I'm Priya, the new analyst", 'Priya'],
    ['please contact J. R. Tolkien', 'J. R. Tolkien'],
    ['send it to Oleg P Sazonov today', 'Oleg P Sazonov'],
    ['the memo from Bożena Wróblewska', 'Bożena Wróblewska'],
    ['meeting with Juan Pablo de la Cruz', 'Juan Pablo de la Cruz'],
    ['thanks, Kwame Mensah', 'Kwame Mensah'],
    ['my colleague Nguyen wrote it', 'Nguyen'],
    ['Mrs. Ingrid Solheim DDS signed', 'Mrs. Ingrid Solheim DDS'],
    ['we invited Grace Brown to the review', 'Grace Brown'],
    ['my name is irina sokolova', 'irina sokolova'],
  ])('%s', (text, expected) => {
    expect(found(text, 'PERSON')).toEqual([expected]);
  });

  it('finds speaker labels in a transcript and names after an explicit cue', () => {
    expect(found('Sigrún: Did you send it?\nMatthew: Yes, this morning.', 'PERSON')).toEqual([
      'Sigrún',
      'Matthew',
    ]);
    expect(found('my name is zoran petković but call me Z', 'PERSON')).toEqual(['zoran petković']);
    expect(found('What is your last name? Eriksson', 'PERSON')).toEqual(['Eriksson']);
  });

  it('finds every name in a list', () => {
    expect(found('Attendees: Nicole, Mary, John and Tavita.', 'PERSON')).toEqual([
      'Nicole',
      'Mary',
      'John',
      'Tavita',
    ]);
  });

  it.each([
    'Python is great for scripting on Monday mornings',
    'Export the report from Excel to PowerPoint in March',
    'Will the May release fix the Long Island bug?',
    'We met in San Jose and drove to Santa Rosa',
    'Draw the Lewis structure of water',
    'debugging a Python script',
    'planning a trip to the coast',
    'drafting an email to a customer',
    'Summarising Customer Feedback For The Q3 Roadmap',
    'The Rhine River and the Suez Canal',
    'Comparing Kubernetes, Docker and Terraform for deployments',
    'Hello! Can you help me with my Tesla invoice?',
    'Explaining Bayes theorem and the Kelly criterion',
    'Find a restaurant in Fremont near the Rhine River',
  ])('no person in "%s"', (text) => {
    expect(found(text, 'PERSON')).toEqual([]);
  });
});

describe('detectPii: street addresses', () => {
  it.each([
    ['ship to 221B Baker Street, London NW1 6XE please', '221B Baker Street, London NW1 6XE'],
    [
      'I live at 1600 Pennsylvania Ave NW, Washington, DC 20500.',
      '1600 Pennsylvania Ave NW, Washington, DC 20500',
    ],
    ['office: Hauptstraße 12, 10115 Berlin', 'Hauptstraße 12, 10115 Berlin'],
    ['Calle Mayor 5, Madrid', 'Calle Mayor 5, Madrid'],
    ['write to P.O. Box 149', 'P.O. Box 149'],
    ['at 10 rue de la Paix', '10 rue de la Paix'],
    [
      '> 14 Storgata 7\n> Apt. 3\n> BERGEN\n> Norway 5003',
      '14 Storgata 7\n> Apt. 3\n> BERGEN\n> Norway 5003',
    ],
    [
      'Kastani 12\n Suite 4\n Tartu\n Estonia 50410',
      'Kastani 12\n Suite 4\n Tartu\n Estonia 50410',
    ],
  ])('%s', (text, expected) => {
    expect(found(text, 'STREET_ADDRESS')).toEqual([expected]);
  });

  it('does not read counts followed by nouns as addresses', () => {
    expect(found('we ran 3 Python scripts and 2 Excel reports', 'STREET_ADDRESS')).toEqual([]);
    expect(found('Chapter 5 covers the Main Street case', 'STREET_ADDRESS')).toEqual([]);
  });
});

describe('detectPii: dates of birth and licences', () => {
  it('flags a date only when it is a birth date', () => {
    expect(found('born on 03/14/1985 in Ohio', 'DATE_OF_BIRTH')).toEqual(['03/14/1985']);
    expect(found('DOB: March 3, 1985', 'DATE_OF_BIRTH')).toEqual(['March 3, 1985']);
    expect(found('the deadline is 03/14/2025')).toEqual([]);
  });
  it("flags a driver's licence number next to its label", () => {
    expect(found("driver's license number: D1234567", 'US_DRIVER_LICENSE')).toEqual(['D1234567']);
  });
});

describe('detectPii: spans', () => {
  it('returns sorted, non-overlapping spans and prefers the more specific type', () => {
    const text = 'Email maria.garcia@example.com, card 4111-1111-1111-1111, call +1 555 123 4567.';
    const spans = detectPii(text);
    expect(spans.map((s) => s.type)).toEqual(['EMAIL_ADDRESS', 'CREDIT_CARD', 'PHONE_NUMBER']);
    for (let i = 1; i < spans.length; i++) {
      expect(spans[i]!.start).toBeGreaterThanOrEqual(spans[i - 1]!.end);
    }
  });
  it('is deterministic', () => {
    const text = 'Dr. Smith (smith@example.com, 192.168.0.1) met Maria Garcia.';
    expect(detectPii(text)).toEqual(detectPii(text));
  });
  it('containsPii agrees with detectPii', () => {
    expect(containsPii('contact jane@example.com')).toBe(true);
    expect(containsPii('analysing a competitor’s pricing page')).toBe(false);
    expect(containsPii('')).toBe(false);
  });
});
