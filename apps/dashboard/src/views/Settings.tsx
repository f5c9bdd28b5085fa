/**
 * Settings (admin only): the tenant's custom facets (issue #15). List, define (key, question,
 * type; enum values or a number range; offline keyword rules), edit and delete. Validation is the
 * API's: a 400 names the field and its message is shown next to it, the prompt budget included.
 */
import { useEffect, useState, type FormEvent } from 'react';
import {
  facetsApi,
  type CustomFacet,
  type CustomFacetInput,
  type CustomFacetList,
} from '../facets-client';
import { ErrorMessage, fmt, Section } from '../ui';
import { Field, fieldErrorsOf, type FieldErrors } from './report-fields';

const FIELDS = ['key', 'question', 'type', 'values', 'min', 'max', 'rules'] as const;
type FacetType = CustomFacetInput['type'];
const TYPE_LABELS: Record<FacetType, string> = {
  enum: 'One of a list (enum)',
  boolean: 'Yes / no',
  number: 'Number in a range',
  short_text: 'Short text (≤ 8 words, grouped like issues)',
};

interface Draft {
  key: string;
  question: string;
  type: FacetType;
  values: string;
  min: string;
  max: string;
  /** enum: "value: keyword, keyword" per line; boolean: keywords for yes, and for no. */
  rules: string;
  yes: string;
  no: string;
}

const EMPTY: Draft = {
  key: '',
  question: '',
  type: 'enum',
  values: '',
  min: '0',
  max: '10',
  rules: '',
  yes: '',
  no: '',
};

const list = (text: string) =>
  text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);

/** The request body for a draft (the API validates it). */
function inputOf(draft: Draft): CustomFacetInput {
  const base = { key: draft.key.trim(), question: draft.question.trim() };
  switch (draft.type) {
    case 'enum': {
      const rules = Object.fromEntries(
        draft.rules
          .split('\n')
          .map((line) => line.split(':'))
          .filter((parts) => parts.length === 2 && list(parts[1]!).length > 0)
          .map(([value, keywords]) => [value!.trim(), list(keywords!)]),
      );
      return {
        ...base,
        type: 'enum',
        values: list(draft.values),
        ...(Object.keys(rules).length ? { rules } : {}),
      };
    }
    case 'boolean': {
      const rules = {
        ...(list(draft.yes).length ? { true: list(draft.yes) } : {}),
        ...(list(draft.no).length ? { false: list(draft.no) } : {}),
      };
      return { ...base, type: 'boolean', ...(Object.keys(rules).length ? { rules } : {}) };
    }
    case 'number':
      return { ...base, type: 'number', min: Number(draft.min), max: Number(draft.max) };
    case 'short_text':
      return { ...base, type: 'short_text' };
  }
}

function draftOf(facet: CustomFacet): Draft {
  return {
    key: facet.key,
    question: facet.question,
    type: facet.type,
    values: (facet.values ?? []).join(', '),
    min: String(facet.min ?? 0),
    max: String(facet.max ?? 10),
    rules:
      facet.type === 'enum'
        ? Object.entries(facet.rules ?? {})
            .map(([value, keywords]) => `${value}: ${keywords.join(', ')}`)
            .join('\n')
        : '',
    yes: (facet.rules?.['true'] ?? []).join(', '),
    no: (facet.rules?.['false'] ?? []).join(', '),
  };
}

function describe(facet: CustomFacet): string {
  if (facet.type === 'enum') return (facet.values ?? []).join(' · ');
  if (facet.type === 'number') return `${fmt(facet.min)} to ${fmt(facet.max)}`;
  if (facet.type === 'boolean') return 'yes / no';
  return 'short text, grouped into a map';
}

export function Settings({ csrf, tenantSlug }: { csrf: string; tenantSlug: string }) {
  const [data, setData] = useState<CustomFacetList>();
  const [loadError, setLoadError] = useState<Error>();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [editing, setEditing] = useState<string>();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<string>();

  const reload = () =>
    facetsApi.definitions(csrf).then(setData, (error: Error) => setLoadError(error));
  useEffect(() => {
    void reload();
  }, [csrf]);

  const set = (patch: Partial<Draft>) => setDraft((current) => ({ ...current, ...patch }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setSaved(undefined);
    try {
      const body = inputOf(draft);
      const facet = editing
        ? await facetsApi.update(csrf, editing, body)
        : await facetsApi.create(csrf, body);
      setSaved(`Saved "${facet.key}".`);
      setDraft(EMPTY);
      setEditing(undefined);
      await reload();
    } catch (error) {
      setErrors(fieldErrorsOf(error as Error, FIELDS));
    } finally {
      setBusy(false);
    }
  }

  async function remove(facet: CustomFacet) {
    setSaved(undefined);
    try {
      await facetsApi.remove(csrf, facet.id);
      setSaved(`Deleted "${facet.key}".`);
      await reload();
    } catch (error) {
      setErrors({ form: (error as Error).message });
    }
  }

  if (loadError) return <ErrorMessage error={loadError} />;
  if (!data)
    return (
      <div className="card loading" aria-busy="true">
        Loading settings…
      </div>
    );
  const full = data.facets.length >= data.limit && !editing;
  return (
    <>
      <h2>Settings</h2>
      <Section
        title="Custom facets"
        note={
          <>
            Your own questions, asked of every conversation in the same tagging call (at most{' '}
            {data.limit}). Answers are published like every facet: only values shared by enough
            people. The questions share the tagging prompt's budget:{' '}
            <strong data-testid="prompt-budget">
              {data.prompt.overhead_tokens} of {data.prompt.max_overhead_tokens} tokens
            </strong>{' '}
            beyond the conversation.{' '}
            {data.tagger === 'offline'
              ? 'No model is configured: enum and yes/no facets are answered only where your keyword rules match, the rest stays unanswered.'
              : 'Keyword rules are used only when no model is configured.'}{' '}
            A change applies to new conversations; to re-tag retained ones run{' '}
            <code>silhouette retag --tenant {tenantSlug}</code>.
          </>
        }
      >
        {data.facets.length === 0 ? (
          <p className="muted">No custom facet yet.</p>
        ) : (
          <table className="table" data-testid="facet-table">
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Question</th>
                <th scope="col">Answers</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.facets.map((facet) => (
                <tr key={facet.id}>
                  <td>
                    <code>{facet.key}</code>
                  </td>
                  <td>{facet.question}</td>
                  <td className="small">{describe(facet)}</td>
                  <td className="nowrap">
                    <button
                      type="button"
                      onClick={() => {
                        setEditing(facet.id);
                        setDraft(draftOf(facet));
                        setErrors({});
                      }}
                    >
                      Edit
                    </button>
                    <button type="button" onClick={() => void remove(facet)}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title={editing ? 'Edit custom facet' : 'New custom facet'}>
        {full ? (
          <p className="muted">All {data.limit} custom facets are defined: delete one first.</p>
        ) : (
          <form onSubmit={submit} aria-label={editing ? 'Edit custom facet' : 'New custom facet'}>
            <Field
              id="facet-key"
              label="Key"
              hint="lowercase letters, digits and _, e.g. product_area"
              error={errors['key']}
            >
              {(described) => (
                <input
                  id="facet-key"
                  value={draft.key}
                  onChange={(e) => set({ key: e.target.value })}
                  {...described}
                />
              )}
            </Field>
            <Field
              id="facet-question"
              label="Question"
              hint="short: every word costs tokens on every conversation"
              error={errors['question']}
            >
              {(described) => (
                <input
                  id="facet-question"
                  value={draft.question}
                  onChange={(e) => set({ question: e.target.value })}
                  {...described}
                />
              )}
            </Field>
            <Field id="facet-type" label="Type" error={errors['type']}>
              {(described) => (
                <select
                  id="facet-type"
                  value={draft.type}
                  onChange={(e) => set({ type: e.target.value as FacetType })}
                  {...described}
                >
                  {Object.entries(TYPE_LABELS).map(([value, label]) => (
                    <option key={value} value={value}>
                      {label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {draft.type === 'enum' && (
              <>
                <Field
                  id="facet-values"
                  label="Values"
                  hint="comma-separated, 2 to 20, lowercase"
                  error={errors['values']}
                >
                  {(described) => (
                    <input
                      id="facet-values"
                      value={draft.values}
                      onChange={(e) => set({ values: e.target.value })}
                      {...described}
                    />
                  )}
                </Field>
                <Field
                  id="facet-rules"
                  label="Keyword rules (offline only)"
                  hint='one line per value: "billing: invoice, refund"'
                  error={errors['rules']}
                >
                  {(described) => (
                    <textarea
                      id="facet-rules"
                      rows={3}
                      value={draft.rules}
                      onChange={(e) => set({ rules: e.target.value })}
                      {...described}
                    />
                  )}
                </Field>
              </>
            )}
            {draft.type === 'boolean' && (
              <>
                <Field
                  id="facet-yes"
                  label="Keywords for yes (offline only)"
                  hint="comma-separated"
                  error={errors['rules']}
                >
                  {(described) => (
                    <input
                      id="facet-yes"
                      value={draft.yes}
                      onChange={(e) => set({ yes: e.target.value })}
                      {...described}
                    />
                  )}
                </Field>
                <Field id="facet-no" label="Keywords for no (offline only)" hint="comma-separated">
                  {(described) => (
                    <input
                      id="facet-no"
                      value={draft.no}
                      onChange={(e) => set({ no: e.target.value })}
                      {...described}
                    />
                  )}
                </Field>
              </>
            )}
            {draft.type === 'number' && (
              <div className="row">
                <Field id="facet-min" label="Minimum" error={errors['min']}>
                  {(described) => (
                    <input
                      id="facet-min"
                      type="number"
                      value={draft.min}
                      onChange={(e) => set({ min: e.target.value })}
                      {...described}
                    />
                  )}
                </Field>
                <Field id="facet-max" label="Maximum" error={errors['max']}>
                  {(described) => (
                    <input
                      id="facet-max"
                      type="number"
                      value={draft.max}
                      onChange={(e) => set({ max: e.target.value })}
                      {...described}
                    />
                  )}
                </Field>
              </div>
            )}
            <div className="row actions">
              <button type="submit" disabled={busy}>
                {busy ? 'Saving…' : editing ? 'Save changes' : 'Add facet'}
              </button>
              {editing && (
                <button
                  type="button"
                  onClick={() => {
                    setEditing(undefined);
                    setDraft(EMPTY);
                    setErrors({});
                  }}
                >
                  Cancel
                </button>
              )}
            </div>
            {errors.form && (
              <p role="alert" className="error" data-testid="facet-form-error">
                {errors.form}
              </p>
            )}
          </form>
        )}
        {saved && (
          <p role="status" data-testid="facet-saved">
            {saved}
          </p>
        )}
      </Section>
    </>
  );
}
