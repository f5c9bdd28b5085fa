import { describe, expect, it } from 'vitest';
import { ApiRequestError } from '../api-client';
import type { ReportFileView } from '../reports-client';
import { describePeriod, fieldErrorsOf, periodOf } from './report-fields';
import { explainFailure, fileLabel } from './Reports';

const FIELDS = ['name', 'cron', 'period', 'formats', 'recipients', 'webhook_url'];

describe('fieldErrorsOf', () => {
  it('puts an API 400 next to the field it names, without the field prefix', () => {
    const error = new ApiRequestError(
      400,
      'cron: invalid cron expression: got value 61',
      'invalid_request',
      'cron',
    );
    expect(fieldErrorsOf(error, FIELDS)).toEqual({
      cron: 'Invalid cron expression: got value 61',
    });
  });

  it('maps nested fields to their form field and says which address is wrong', () => {
    const weeks = new ApiRequestError(400, 'period.weeks: too small', 'x', 'period.weeks');
    expect(fieldErrorsOf(weeks, FIELDS)).toEqual({ period: 'Too small' });
    const address = new ApiRequestError(400, 'recipients.1: Invalid email', 'x', 'recipients.1');
    expect(fieldErrorsOf(address, FIELDS)).toEqual({ recipients: 'Address 2: Invalid email' });
  });

  it('keeps errors without a known field for the whole form', () => {
    const unknown = new ApiRequestError(400, 'body: unrecognized key', 'x', 'body');
    expect(fieldErrorsOf(unknown, FIELDS)).toEqual({ form: 'body: unrecognized key' });
    expect(fieldErrorsOf(new Error('offline'), FIELDS)).toEqual({ form: 'offline' });
  });
});

describe('periods', () => {
  it('sends custom weeks as a number and describes each kind', () => {
    expect(periodOf({ kind: 'custom', weeks: '4' })).toEqual({ kind: 'custom', weeks: 4 });
    expect(periodOf({ kind: 'last-month', weeks: '4' })).toEqual({ kind: 'last-month' });
    expect(describePeriod({ kind: 'custom', weeks: 1 })).toBe('Last 1 complete week');
    expect(describePeriod({ kind: 'last-week' })).toBe('Last complete week');
  });
});

const file = (name: string, format: ReportFileView['format']): ReportFileView => ({
  name,
  format,
  content_type: '',
  bytes: 1,
  sha256: '',
  download_url: `/v1/reports/r/files/${name}`,
});

describe('fileLabel', () => {
  it('names a CSV by its table, after the stem of the report', () => {
    const files = [
      file('impact-2026-W46.html', 'html'),
      file('impact-2026-W46-top-clusters.csv', 'csv'),
    ];
    expect(files.map((f) => fileLabel(f, files))).toEqual(['HTML report', 'CSV: top clusters']);
  });

  it('finds the stem from the tables when there is no HTML or PDF', () => {
    const files = [
      file('quality-2026-10-summary.csv', 'csv'),
      file('quality-2026-10-outcomes.csv', 'csv'),
    ];
    expect(files.map((f) => fileLabel(f, files))).toEqual(['CSV: summary', 'CSV: outcomes']);
    const single = [file('quality-2026-10-summary.csv', 'csv')];
    expect(fileLabel(single[0]!, single)).toBe('CSV: quality-2026-10-summary.csv');
  });
});

describe('explainFailure', () => {
  it('says known worker reasons in plain words and never pretends to know others', () => {
    expect(explainFailure('nothing has been published for this tenant yet')).toMatch(
      /^Nothing has been published/,
    );
    expect(explainFailure('Chromium not found at /x; PDF reports need it')).toMatch(/PDF/);
    expect(explainFailure('connection reset')).toBe('The report could not be produced.');
    expect(explainFailure(null)).toBe('The report could not be produced.');
  });
});
