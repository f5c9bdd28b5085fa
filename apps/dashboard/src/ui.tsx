/** Shared pieces: data loading with loading/error states, KPI tiles and number formatting. */
import { useEffect, useState, type ReactNode } from 'react';
import { ApiRequestError } from './api-client';

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'error'; error: ApiRequestError | Error }
  | { state: 'ok'; data: T };

/** Runs `load` whenever `deps` change; ignores answers that arrive after a newer request. */
export function useApi<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    let current = true;
    setResult({ state: 'loading' });
    load().then(
      (data) => current && setResult({ state: 'ok', data }),
      (error: Error) => current && setResult({ state: 'error', error }),
    );
    return () => {
      current = false;
    };
  }, deps);
  return result;
}

/** Loading, "nothing published yet" and error states, or the content. */
export function Async<T>({
  result,
  label,
  children,
}: {
  result: Loaded<T>;
  label: string;
  children: (data: T) => ReactNode;
}) {
  if (result.state === 'loading')
    return (
      <div className="card loading" aria-busy="true" aria-live="polite">
        Loading {label}…
      </div>
    );
  if (result.state === 'error') return <ErrorMessage error={result.error} />;
  return <>{children(result.data)}</>;
}

export function ErrorMessage({ error }: { error: Error }) {
  const status = error instanceof ApiRequestError ? error.status : undefined;
  const code = error instanceof ApiRequestError ? error.code : undefined;
  if (code === 'no_snapshot')
    return (
      <div className="card empty" role="status" data-testid="no-snapshot">
        <h2>Still processing</h2>
        <p>
          Nothing has been published for your organisation yet. Conversations are being tagged and
          grouped; insights appear here as soon as the first snapshot passes the privacy checks.
        </p>
      </div>
    );
  const hint =
    status === 401
      ? 'Your API key was not accepted. Sign out and sign in again with a valid key.'
      : status === 403
        ? 'Your API key is not allowed to read insights. Ask an admin for a read key.'
        : status === 404
          ? 'This item does not exist in the current snapshot. It may have been merged or pooled into "Other" when the data was re-published.'
          : status === 0 || status === undefined
            ? 'Check your connection and try again.'
            : 'Something went wrong on our side. Try again in a moment.';
  return (
    <div className="card error-card" role="alert">
      <h2>We could not load this</h2>
      <p>{hint}</p>
      <p className="muted small">Details: {error.message}</p>
    </div>
  );
}

export interface Tile {
  label: string;
  value: ReactNode;
  note?: ReactNode;
  testId?: string;
}

export function Tiles({ tiles, label }: { tiles: Tile[]; label: string }) {
  return (
    <dl className="tiles" aria-label={label}>
      {tiles.map((tile) => (
        <div key={tile.label}>
          <dt>{tile.label}</dt>
          <dd data-testid={tile.testId}>{tile.value}</dd>
          {tile.note && <dd className="note">{tile.note}</dd>}
        </div>
      ))}
    </dl>
  );
}

export const fmt = (value: number | null | undefined, digits = 0): string =>
  value === null || value === undefined || Number.isNaN(value)
    ? '—'
    : value.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: 0 });

export const pct = (value: number | null | undefined): string =>
  value === null || value === undefined ? '—' : `${(value * 100).toFixed(0)}%`;

/** Minutes as "1,234 min" or "20.6 h" when large. */
export const minutes = (value: number | null | undefined): string =>
  value === null || value === undefined
    ? '—'
    : Math.abs(value) >= 600
      ? `${fmt(value / 60, 1)} h`
      : `${fmt(value, 1)} min`;

/** A 90% interval in the unit `minutes` picks for its upper end. */
export const interval = (low: number, high: number): string =>
  Math.abs(high) >= 600
    ? `90% interval ${fmt(low / 60, 1)}–${fmt(high / 60, 1)} h`
    : `90% interval ${fmt(low, 1)}–${fmt(high, 1)} min`;

/**
 * A figure as published. In dp mode (a noise interval is present) it reads "≈ 1,234" and the
 * 90% interval of the privacy noise shows on hover; in threshold mode it is the exact figure.
 */
export function Approx({
  value,
  noise,
  format = (v: number) => fmt(v),
  testId,
}: {
  value: number | null | undefined;
  noise?: { low: number; high: number } | undefined;
  format?: (value: number) => string;
  testId?: string;
}) {
  if (value === null || value === undefined) return <>—</>;
  if (!noise) return <span data-testid={testId}>{format(value)}</span>;
  return (
    <span
      className="approx"
      data-testid={testId}
      title={`90% interval of the privacy noise: ${format(noise.low)} to ${format(noise.high)}`}
      aria-label={`about ${format(value)}, 90% interval ${format(noise.low)} to ${format(noise.high)}`}
    >
      ≈ {format(value)}
    </span>
  );
}

/** True when at least one outcome is published on its own (rates are then meaningful). */
export const outcomesShown = (rows: { isOther: boolean }[] | undefined): boolean =>
  (rows ?? []).some((row) => !row.isOther);

export const humanize = (value: string): string =>
  value === '(other)' ? 'Other' : value.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

export function Section({
  title,
  children,
  note,
}: {
  title: string;
  children: ReactNode;
  note?: ReactNode;
}) {
  const id = `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section className="card" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {note && <p className="muted small">{note}</p>}
      {children}
    </section>
  );
}
