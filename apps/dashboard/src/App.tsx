import { useEffect, useState, type FormEvent } from 'react';
import { api, type PipelineStatus, type TenantInfo } from './api-client';

const KEY_STORAGE = 'silhouette.key';

function SignIn({ onSignedIn }: { onSignedIn: (key: string, tenant: TenantInfo) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(key.trim(), await api.tenant(key.trim()));
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={submit} aria-label="Sign in">
      <h2>Sign in</h2>
      <p>Use a read or admin API key of your organisation.</p>
      <label htmlFor="api-key">API key</label>
      <input
        id="api-key"
        type="password"
        autoComplete="off"
        value={key}
        onChange={(e) => setKey(e.target.value)}
        placeholder="sil_read_…"
        required
      />
      <button type="submit" disabled={busy || key.trim().length === 0}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}

function Pipeline({
  apiKey,
  tenant,
  onSignOut,
}: {
  apiKey: string;
  tenant: TenantInfo;
  onSignOut: () => void;
}) {
  const [status, setStatus] = useState<PipelineStatus>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let cancelled = false;
    const load = () =>
      api.status(apiKey).then(
        (next) => !cancelled && setStatus(next),
        (failure: Error) => !cancelled && setError(failure.message),
      );
    void load();
    const timer = setInterval(load, 5000);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [apiKey]);

  return (
    <section className="card" aria-label="Pipeline">
      <header className="row">
        <h2>{tenant.name}</h2>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <p>
        Insights are published only for groups of at least <strong>{tenant.k_users}</strong> people
        and <strong>{tenant.min_conversations}</strong> conversations.
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!status && !error && <p aria-busy="true">Loading…</p>}
      {status && (
        <dl className="tiles">
          <div>
            <dt>Conversations</dt>
            <dd data-testid="kpi-conversations">{status.conversations.toLocaleString()}</dd>
          </div>
          <div>
            <dt>Waiting for tagging</dt>
            <dd>{status.accepted.toLocaleString()}</dd>
          </div>
          <div>
            <dt>Tagged</dt>
            <dd data-testid="kpi-tagged">{(status.tagged + status.embedded).toLocaleString()}</dd>
          </div>
          <div>
            <dt>Failed</dt>
            <dd>{status.failed.toLocaleString()}</dd>
          </div>
          <div>
            <dt>Content deleted (retention)</dt>
            <dd data-testid="kpi-content-deleted">{status.content_deleted.toLocaleString()}</dd>
          </div>
        </dl>
      )}
    </section>
  );
}

export function App() {
  const [ready, setReady] = useState<string>('checking');
  const [session, setSession] = useState<{ key: string; tenant: TenantInfo }>();

  useEffect(() => {
    void api.ready().then((result) => setReady(result.status));
    const saved = sessionStorage.getItem(KEY_STORAGE);
    if (saved)
      void api.tenant(saved).then(
        (tenant) => setSession({ key: saved, tenant }),
        () => sessionStorage.removeItem(KEY_STORAGE),
      );
  }, []);

  return (
    <main>
      <header className="row">
        <h1>Silhouette</h1>
        <span className={`badge ${ready === 'ready' ? 'ok' : 'warn'}`} data-testid="service-status">
          service: {ready}
        </span>
      </header>
      <p className="lede">
        How your organisation uses its AI assistant, without anyone reading a conversation.
      </p>
      {session ? (
        <Pipeline
          apiKey={session.key}
          tenant={session.tenant}
          onSignOut={() => {
            sessionStorage.removeItem(KEY_STORAGE);
            setSession(undefined);
          }}
        />
      ) : (
        <SignIn
          onSignedIn={(key, tenant) => {
            sessionStorage.setItem(KEY_STORAGE, key);
            setSession({ key, tenant });
          }}
        />
      )}
    </main>
  );
}
