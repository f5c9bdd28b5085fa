/**
 * Reports (issue #6): the tenant's impact and quality reports with their files, delivery state
 * and privacy evidence; admins can also request one now and manage schedules. Reports are
 * rendered by the worker, so the list polls while any is still being prepared.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import {
  reportsApi,
  type ReportDeliveryView,
  type ReportFileView,
  type ReportFormat,
  type ReportStatus,
  type ReportType,
  type ReportView,
} from '../reports-client';
import { Link } from '../router';
import { ErrorMessage, fmt, Section } from '../ui';
import {
  fieldErrorsOf,
  FORMAT_LABELS,
  FormatChoice,
  FormFooter,
  periodOf,
  PeriodChoice,
  TYPE_LABELS,
  TypeChoice,
  type FieldErrors,
  type PeriodDraft,
  when,
} from './report-fields';
import { ReportSchedules } from './ReportSchedules';

const PAGE_SIZE = 20;
/** Re-read soon while a report renders; deliveries retry with backoff, so check those less often. */
const POLL_RENDERING_MS = 1500;
const POLL_DELIVERING_MS = 5000;

const STATUS: Record<ReportStatus, { label: string; tone: string }> = {
  pending: { label: 'Waiting', tone: 'info' },
  rendering: { label: 'Being prepared', tone: 'info' },
  ready: { label: 'Ready', tone: 'ok' },
  failed: { label: 'Failed', tone: 'bad' },
};

const unsettled = (report: ReportView) =>
  report.status === 'pending' ||
  report.status === 'rendering' ||
  report.deliveries.some((delivery) => delivery.status === 'pending');

const size = (bytes: number): string =>
  bytes >= 1024 * 1024
    ? `${fmt(bytes / 1024 / 1024, 1)} MB`
    : bytes >= 1024
      ? `${fmt(bytes / 1024, 0)} KB`
      : `${fmt(bytes)} B`;

/** The worker's reason, said for the person reading the dashboard. */
export function explainFailure(reason: string | null): string {
  const text = reason ?? '';
  if (/nothing has been published/i.test(text))
    return 'Nothing has been published for your organisation yet, so there was nothing to report. Reports work once the first snapshot passes the privacy checks.';
  if (/below the privacy thresholds/i.test(text))
    return 'Too few people are in the published data to report anything without revealing small groups, so there is nothing to report yet.';
  if (/chromium|pdf/i.test(text))
    return 'The PDF could not be printed because the print engine is not available on the server. Ask your operator, or request the report without PDF.';
  if (/PII check/i.test(text))
    return 'A text in the report looked like personal data, so the report was stopped and nothing was stored.';
  if (/whole ISO week/i.test(text))
    return 'The period does not contain a whole calendar week. Choose a longer period.';
  return 'The report could not be produced.';
}

export function Reports({ csrf, admin }: { csrf: string; admin: boolean }) {
  const list = useReportList(csrf);
  return (
    <>
      <h2>Reports</h2>
      <p className="muted">
        Impact and quality reports built only from published figures, the same ones the dashboard
        shows: every figure covers at least the minimum number of people. Each report links to the
        privacy evidence of the snapshot it was built from.
      </p>
      {admin ? (
        <GenerateReport csrf={csrf} onRequested={list.add} />
      ) : (
        <p className="card note" role="note" data-testid="reports-read-only">
          You are signed in with a read key: you can read and download reports. Generating a report
          and managing schedules needs an admin key.
        </p>
      )}
      <ReportList list={list} />
      {admin && <ReportSchedules csrf={csrf} />}
    </>
  );
}

interface ReportList {
  reports: ReportView[];
  state: 'loading' | 'ok' | Error;
  nextBefore: string | null;
  loadingMore: boolean;
  moreError?: Error;
  reload: () => void;
  loadMore: () => void;
  add: (report: ReportView) => void;
}

/** Pages through `next_before`, and re-reads every unsettled report until it settles. */
function useReportList(csrf: string): ReportList {
  const [reports, setReports] = useState<ReportView[]>([]);
  const [state, setState] = useState<ReportList['state']>('loading');
  const [nextBefore, setNextBefore] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<Error>();
  const [generation, setGeneration] = useState(0);
  const [polls, setPolls] = useState(0);

  useEffect(() => {
    let current = true;
    setState('loading');
    reportsApi.list(csrf, { limit: PAGE_SIZE }).then(
      (page) => {
        if (!current) return;
        setReports(page.reports);
        setNextBefore(page.next_before);
        setState('ok');
      },
      (error: Error) => current && setState(error),
    );
    return () => {
      current = false;
    };
  }, [csrf, generation]);

  const pending = reports
    .filter(unsettled)
    .map((report) => report.id)
    .join(',');
  const delay = reports.some((r) => r.status === 'pending' || r.status === 'rendering')
    ? POLL_RENDERING_MS
    : POLL_DELIVERING_MS;
  useEffect(() => {
    if (!pending) return;
    let current = true;
    const timer = setTimeout(() => {
      void Promise.all(
        pending.split(',').map((id) => reportsApi.get(csrf, id).catch(() => undefined)),
      ).then((fresh) => {
        if (!current) return;
        const byId = new Map(fresh.filter((r) => r !== undefined).map((r) => [r.id, r]));
        setReports((list) => list.map((report) => byId.get(report.id) ?? report));
        setPolls((n) => n + 1);
      });
    }, delay);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [csrf, pending, polls, delay]);

  const loadMore = useCallback(() => {
    if (!nextBefore) return;
    setLoadingMore(true);
    setMoreError(undefined);
    reportsApi
      .list(csrf, { limit: PAGE_SIZE, before: nextBefore })
      .then(
        (page) => {
          setReports((list) => [
            ...list,
            ...page.reports.filter((report) => !list.some((r) => r.id === report.id)),
          ]);
          setNextBefore(page.next_before);
        },
        (error: Error) => setMoreError(error),
      )
      .finally(() => setLoadingMore(false));
  }, [csrf, nextBefore]);

  return {
    reports,
    state,
    nextBefore,
    loadingMore,
    ...(moreError ? { moreError } : {}),
    reload: () => setGeneration((n) => n + 1),
    loadMore,
    add: (report) => setReports((list) => [report, ...list.filter((r) => r.id !== report.id)]),
  };
}

function GenerateReport({
  csrf,
  onRequested,
}: {
  csrf: string;
  onRequested: (report: ReportView) => void;
}) {
  const [type, setType] = useState<ReportType>('impact');
  const [period, setPeriod] = useState<PeriodDraft>({ kind: 'last-week', weeks: '4' });
  const [formats, setFormats] = useState<ReportFormat[]>(['html', 'csv']);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string>();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(undefined);
    if (formats.length === 0) {
      setErrors({ formats: 'Choose at least one format.' });
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      const report = await reportsApi.requestNow(csrf, { type, period: periodOf(period), formats });
      onRequested(report);
      setDone(
        `${TYPE_LABELS[type]} report requested. It is listed below and updates when it is ready.`,
      );
    } catch (error) {
      setErrors(fieldErrorsOf(error as Error, ['type', 'period', 'formats']));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section title="Generate a report now">
      <form onSubmit={submit} noValidate aria-label="Generate a report now">
        <div className="form-grid">
          <TypeChoice id="now-type" value={type} onChange={setType} error={errors.type} />
          <PeriodChoice id="now-period" value={period} onChange={setPeriod} error={errors.period} />
          <FormatChoice
            id="now-formats"
            value={formats}
            onChange={setFormats}
            error={errors.formats}
          />
        </div>
        <FormFooter
          busy={busy}
          busyLabel="Requesting…"
          label="Generate report"
          done={done}
          doneTestId="report-requested"
          error={errors.form}
        />
      </form>
    </Section>
  );
}

function ReportList({ list }: { list: ReportList }) {
  const preparing = list.reports.filter(
    (r) => r.status === 'pending' || r.status === 'rendering',
  ).length;
  return (
    <Section title="Reports">
      <div className="row list-head">
        <p className="muted small" aria-live="polite" data-testid="report-progress">
          {preparing > 0
            ? `${preparing} ${preparing === 1 ? 'report is' : 'reports are'} being prepared; this list updates by itself.`
            : 'Newest first.'}
        </p>
        <button type="button" className="secondary" onClick={list.reload}>
          Refresh
        </button>
      </div>
      {list.state === 'loading' ? (
        <p className="muted loading" aria-busy="true">
          Loading reports…
        </p>
      ) : list.state instanceof Error ? (
        <ErrorMessage error={list.state} />
      ) : list.reports.length === 0 ? (
        <div className="empty" role="status" data-testid="reports-empty">
          <p>
            No reports yet. Scheduled reports appear here after their first run; an admin can also
            generate one now.
          </p>
        </div>
      ) : (
        <>
          <table className="table reports" data-testid="report-list">
            <thead>
              <tr>
                <th scope="col">Report</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Files</th>
                <th scope="col">Delivery</th>
              </tr>
            </thead>
            <tbody>
              {list.reports.map((report) => (
                <ReportRow key={report.id} report={report} />
              ))}
            </tbody>
          </table>
          {list.nextBefore && (
            <button
              type="button"
              className="secondary"
              onClick={list.loadMore}
              disabled={list.loadingMore}
            >
              {list.loadingMore ? 'Loading…' : 'Show older reports'}
            </button>
          )}
          {list.moreError && (
            <p role="alert" className="error small">
              Older reports could not be loaded: {list.moreError.message}
            </p>
          )}
        </>
      )}
    </Section>
  );
}

function ReportRow({ report }: { report: ReportView }) {
  const status = STATUS[report.status];
  return (
    <tr data-testid="report-row" data-report-id={report.id} data-status={report.status}>
      <td>
        <strong>{report.title}</strong>
        <div className="muted small">
          {[
            `${TYPE_LABELS[report.type]} report`,
            // The title names the period once rendered; before that, say when it is decided.
            report.period.label
              ? report.title.includes(report.period.label)
                ? undefined
                : report.period.label
              : 'period fixed when it is rendered',
            report.schedule_id ? 'scheduled' : 'requested from the dashboard',
          ]
            .filter(Boolean)
            .join(' · ')}
        </div>
        {report.snapshot_id && (
          <div className="small">
            <Link to={{ view: 'privacy', snapshot: report.snapshot_id }}>Privacy evidence</Link>
          </div>
        )}
      </td>
      <td>
        <span className={`badge ${status.tone}`} data-testid="report-status">
          {status.label}
        </span>
        {report.status === 'failed' && (
          <div className="small failure" data-testid="report-failure">
            <p>{explainFailure(report.failure_reason)}</p>
            <p className="muted">
              Tried {report.attempts} {report.attempts === 1 ? 'time' : 'times'}.{' '}
              {report.failure_reason && <>Details: {report.failure_reason}</>}
            </p>
          </div>
        )}
      </td>
      <td className="nowrap">
        {when(report.created_at)}
        {report.completed_at && (
          <div className="muted small">finished {when(report.completed_at)}</div>
        )}
      </td>
      <td>
        <Files files={report.files} status={report.status} />
      </td>
      <td>
        <Deliveries deliveries={report.deliveries} scheduled={report.schedule_id !== null} />
      </td>
    </tr>
  );
}

const FORMAT_ORDER: Record<ReportFormat, number> = { html: 0, pdf: 1, csv: 2 };

/**
 * "HTML report", "PDF report", "CSV: failure hot spots": a CSV's name is the report's file stem
 * plus its table, so the table is what is left after the longest stem the files share.
 */
export function fileLabel(file: ReportFileView, files: readonly ReportFileView[]): string {
  if (file.format !== 'csv') return `${FORMAT_LABELS[file.format]} report`;
  const bare = (name: string) => name.replace(/\.[a-z]+$/, '');
  const stems = files.filter((f) => f.format !== 'csv').map((f) => bare(f.name));
  const csvs = files.filter((f) => f.format === 'csv').map((f) => bare(f.name));
  if (stems.length === 0 && csvs.length > 1) {
    // No HTML or PDF: the stem is the common prefix of the tables, cut at a dash.
    let prefix = csvs[0]!;
    for (const name of csvs) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
    stems.push(prefix.slice(0, prefix.lastIndexOf('-')));
  }
  const name = bare(file.name);
  const stem = stems.find((candidate) => candidate && name.startsWith(`${candidate}-`));
  return `CSV: ${stem ? name.slice(stem.length + 1).replace(/[-_]+/g, ' ') : file.name}`;
}

function Files({ files, status }: { files: ReportFileView[]; status: ReportStatus }) {
  if (files.length === 0)
    return (
      <span className="muted small">
        {status === 'failed' ? 'none (nothing half-made is kept)' : 'not yet'}
      </span>
    );
  const ordered = [...files].sort(
    (a, b) => FORMAT_ORDER[a.format] - FORMAT_ORDER[b.format] || (a.name < b.name ? -1 : 1),
  );
  return (
    <ul className="links files" aria-label="Files">
      {ordered.map((file) => (
        <li key={file.name}>
          {/* Same origin: the session cookie goes along; the API answers as an attachment. */}
          <a
            href={file.download_url}
            download={file.name}
            data-format={file.format}
            title={file.name}
          >
            {fileLabel(file, files)}
          </a>{' '}
          <span className="muted small">({size(file.bytes)})</span>
        </li>
      ))}
    </ul>
  );
}

const DELIVERY_LABEL: Record<ReportDeliveryView['status'], string> = {
  pending: 'sending',
  delivered: 'delivered',
  failed: 'failed',
};

function Deliveries({
  deliveries,
  scheduled,
}: {
  deliveries: ReportDeliveryView[];
  scheduled: boolean;
}) {
  if (deliveries.length === 0)
    return (
      <span className="muted small">
        {scheduled ? 'no recipients or webhook' : 'not sent (download only)'}
      </span>
    );
  return (
    <ul className="links small" aria-label="Deliveries">
      {deliveries.map((delivery) => (
        <li key={`${delivery.channel}:${delivery.target}`} data-testid="report-delivery">
          {delivery.channel === 'email' ? 'E-mail to ' : 'Webhook '}
          <span className="target">{delivery.target}</span>:{' '}
          <span className={delivery.status === 'failed' ? 'error' : undefined}>
            {DELIVERY_LABEL[delivery.status]}
          </span>
          <span className="muted">
            {' '}
            ({delivery.attempts} {delivery.attempts === 1 ? 'attempt' : 'attempts'}
            {delivery.delivered_at ? `, ${when(delivery.delivered_at)}` : ''})
          </span>
          {delivery.failure_reason && <div className="error">{delivery.failure_reason}</div>}
        </li>
      ))}
    </ul>
  );
}
