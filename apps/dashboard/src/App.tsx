import { useEffect, useState, type FormEvent } from 'react';
import { api, type TenantInfo } from './api-client';
import { Link, navigate, useRoute, VIEWS, type View } from './router';
import { Breakdowns } from './views/Breakdowns';
import { Explore } from './views/Explore';
import { Failures } from './views/Failures';
import { Overview } from './views/Overview';
import { Privacy } from './views/Privacy';

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

const THEME_STORAGE = 'silhouette.theme';
type Theme = 'light' | 'dark';

function initialTheme(): Theme {
  const saved = localStorage.getItem(THEME_STORAGE);
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function useTheme(): [Theme, () => void] {
  const [theme, setTheme] = useState<Theme>(initialTheme);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const toggle = () =>
    setTheme((current) => {
      const next = current === 'dark' ? 'light' : 'dark';
      localStorage.setItem(THEME_STORAGE, next);
      return next;
    });
  return [theme, toggle];
}

const LABELS: Record<View, string> = {
  overview: 'Overview',
  explore: 'Explore',
  failures: 'Failures',
  breakdowns: 'Breakdowns',
  privacy: 'Privacy',
};

function Dashboard({ apiKey, tenant }: { apiKey: string; tenant: TenantInfo }) {
  const route = useRoute();
  useEffect(() => {
    document.title = `${LABELS[route.view]} · Silhouette`;
  }, [route.view]);
  return (
    <>
      <nav aria-label="Main" className="tabs">
        {VIEWS.map((view) => (
          <Link key={view} to={{ view }} current={route.view === view}>
            {LABELS[view]}
          </Link>
        ))}
      </nav>
      <div id="content" data-testid={`view-${route.view}`}>
        {route.view === 'overview' && <Overview apiKey={apiKey} kUsers={tenant.k_users} />}
        {route.view === 'explore' && (
          <Explore apiKey={apiKey} route={route} kUsers={tenant.k_users} />
        )}
        {route.view === 'failures' && <Failures apiKey={apiKey} route={route} />}
        {route.view === 'breakdowns' && (
          <Breakdowns apiKey={apiKey} route={route} kUsers={tenant.k_users} />
        )}
        {route.view === 'privacy' && <Privacy apiKey={apiKey} />}
      </div>
    </>
  );
}

export function App() {
  const [ready, setReady] = useState<string>('checking');
  const [session, setSession] = useState<{ key: string; tenant: TenantInfo }>();
  const [restoring, setRestoring] = useState(() => sessionStorage.getItem(KEY_STORAGE) !== null);
  const [theme, toggleTheme] = useTheme();

  useEffect(() => {
    void api.ready().then((result) => setReady(result.status));
    const saved = sessionStorage.getItem(KEY_STORAGE);
    if (saved)
      void api
        .tenant(saved)
        .then(
          (tenant) => setSession({ key: saved, tenant }),
          () => sessionStorage.removeItem(KEY_STORAGE),
        )
        .finally(() => setRestoring(false));
  }, []);

  return (
    <>
      <a href="#content" className="skip">
        Skip to content
      </a>
      <main>
        <header className="row topbar">
          <h1>Silhouette</h1>
          {session && <span className="tenant">{session.tenant.name}</span>}
          <span className="spacer" />
          <span
            className={`badge ${ready === 'ready' ? 'ok' : 'warn'}`}
            data-testid="service-status"
          >
            service: {ready}
          </span>
          <button
            type="button"
            onClick={toggleTheme}
            aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
            data-testid="theme-toggle"
          >
            {theme === 'dark' ? '☀ Light' : '☾ Dark'}
          </button>
          {session && (
            <button
              type="button"
              onClick={() => {
                sessionStorage.removeItem(KEY_STORAGE);
                setSession(undefined);
                navigate({ view: 'overview' });
              }}
            >
              Sign out
            </button>
          )}
        </header>
        {session ? (
          <Dashboard apiKey={session.key} tenant={session.tenant} />
        ) : restoring ? (
          <p aria-busy="true" className="card loading">
            Signing in…
          </p>
        ) : (
          <>
            <p className="lede">
              How your organisation uses its AI assistant, without anyone reading a conversation.
            </p>
            <SignIn
              onSignedIn={(key, tenant) => {
                sessionStorage.setItem(KEY_STORAGE, key);
                setSession({ key, tenant });
              }}
            />
          </>
        )}
      </main>
    </>
  );
}
