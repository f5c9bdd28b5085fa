import { describe, expect, it } from 'vitest';
import type { ReportContent } from '../report-content';
import { resolvePeriod } from '../period';
import { signWebhookBody, verifyWebhookSignature } from '../deliver/webhook';
import { csvField, escapeHtml } from './escape';
import { renderCsvFiles } from './render-csv';
import { renderHtml } from './render-html';
import { assertNoPii, renderReportFiles } from './render-report';

function content(overrides: Partial<ReportContent> = {}): ReportContent {
  return {
    type: 'impact',
    title: 'Assistant impact: Week 2026-W46',
    tenantName: 'Acme <Corp>',
    generatedAt: new Date('2026-11-16T08:00:00Z'),
    period: resolvePeriod({ kind: 'last-week' }, new Date('2026-11-16T08:00:00Z')),
    snapshot: { id: '00000000-0000-4000-8000-000000000001', version: 3, publishedAt: new Date() },
    thresholds: { kUsers: 5, minConversations: 10 },
    evidencePath: '/v1/privacy/evidence?snapshot=00000000-0000-4000-8000-000000000001',
    kpis: [{ label: 'Conversations', value: '1,204', detail: '+12% vs previous period' }],
    method: 'Minutes without AI minus minutes with AI.',
    charts: [
      {
        id: 'minutes-trend',
        title: 'Time saved per week',
        kind: 'line',
        unit: 'h',
        points: [
          { label: '2026-W45', value: 10, low: 8, high: 12 },
          { label: '2026-W46', value: 14, low: 11, high: 17 },
        ],
      },
      {
        id: 'top',
        title: 'Top',
        kind: 'bars',
        unit: 'h',
        points: [{ label: 'Code <review>', value: 3 }],
      },
    ],
    tables: [
      {
        id: 'top-clusters',
        title: 'Top use cases',
        columns: [
          { key: 'use_case', label: 'Use case', kind: 'text' },
          { key: 'share', label: 'Share', kind: 'percent' },
        ],
        rows: [
          { use_case: 'Drafting "release" notes, fast', share: 0.25 },
          { use_case: '=HYPERLINK("x")', share: null },
        ],
      },
    ],
    notes: ['Pooled groups count under other.'],
    ...overrides,
  };
}

describe('report rendering', () => {
  it('escapes every published text in the HTML and uses no script or remote resource', () => {
    const html = renderHtml(content(), { publicUrl: 'https://silhouette.example/' });
    expect(html).toContain('Acme &lt;Corp&gt;');
    expect(html).toContain('Code &lt;review&gt;');
    expect(html).not.toMatch(/<script|src="http/);
    expect(html).toContain(
      'href="https://silhouette.example/v1/privacy/evidence?snapshot=00000000-0000-4000-8000-000000000001"',
    );
    expect(html).toContain('fewer than 5 people or 10 conversations');
    // The line chart has its 90% band; bars and line are inline SVG.
    expect(html).toContain('<polygon');
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(escapeHtml(`'"&`)).toBe('&#39;&quot;&amp;');
  });

  it('writes one CSV per table plus a summary, quoting and defusing formulas', () => {
    const files = renderCsvFiles(content());
    expect(files.map((file) => file.name)).toEqual(['summary.csv', 'top-clusters.csv']);
    expect(files[1]!.text).toBe(
      'use_case,share\r\n"Drafting ""release"" notes, fast",0.25\r\n"\'=HYPERLINK(""x"")",\r\n',
    );
    expect(files[0]!.text).toContain('k_users,5,');
    expect(csvField('-1+2')).toBe("'-1+2");
    expect(csvField(null)).toBe('');
  });

  it('refuses to render a report with PII in any text, storing nothing', async () => {
    const leaking = content({
      tables: [
        {
          id: 'top-clusters',
          title: 'Top',
          columns: [{ key: 'use_case', label: 'Use case', kind: 'text' }],
          rows: [{ use_case: 'Questions from jane.doe@example.com' }],
        },
      ],
    });
    expect(() => assertNoPii(leaking)).toThrow(/failed the PII check \(EMAIL_ADDRESS\)/);
    await expect(renderReportFiles(leaking, ['html', 'csv'])).rejects.toThrow(/PII/);
    expect(() => assertNoPii(content())).not.toThrow();
  });

  it('names files after the type and period and hashes them', async () => {
    const files = await renderReportFiles(content(), ['html', 'csv']);
    expect(files.map((file) => file.name)).toEqual([
      'impact-2026-W46.html',
      'impact-2026-W46-summary.csv',
      'impact-2026-W46-top-clusters.csv',
    ]);
    expect(files.every((file) => /^[0-9a-f]{64}$/.test(file.sha256))).toBe(true);
    await expect(renderReportFiles(content(), ['pdf'])).rejects.toThrow(/no PDF printer/);
  });
});

describe('webhook signatures', () => {
  it('verify the body, the secret and the freshness', () => {
    const now = Date.parse('2026-11-16T08:00:00Z');
    const timestamp = String(now / 1000);
    const signature = signWebhookBody('s3cret', timestamp, '{"a":1}');
    expect(signature).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature('s3cret', timestamp, '{"a":1}', signature, { now })).toBe(true);
    expect(verifyWebhookSignature('s3cret', timestamp, '{"a":2}', signature, { now })).toBe(false);
    expect(verifyWebhookSignature('other', timestamp, '{"a":1}', signature, { now })).toBe(false);
    expect(
      verifyWebhookSignature('s3cret', timestamp, '{"a":1}', signature, { now: now + 600_000 }),
    ).toBe(false);
  });
});
