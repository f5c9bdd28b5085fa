import { useEffect, useState, type FormEvent } from 'react';
import { api, type TenantInfo } from './api-client';
import { Link, navigate, useRoute, VIEWS, type View } from './router';
import { Breakdowns } from './views/Breakdowns';
import { Explore } from './views/Explore';
import { Failures } from './views/Failures';
import { Overview } from './views/Overview';
import { Privacy } from './views/Privacy';
import { Reports } from './views/Reports';
import { Trends } from './views/Trends';

function SignIn({ onSignedIn }: { onSignedIn: (csrf: string, tenant: TenantInfo) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const session = await api.signIn(key.trim());
      setKey('');
      onSignedIn(session.csrf_token, await api.tenant(session.csrf_token));
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
  trends: 'Trends',
  breakdowns: 'Breakdowns',
  reports: 'Reports',
  privacy: 'Privacy',
};

function Dashboard({ csrf, tenant }: { csrf: string; tenant: TenantInfo }) {
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
        {route.view === 'overview' && <Overview csrf={csrf} kUsers={tenant.k_users} />}
        {route.view === 'explore' && <Explore csrf={csrf} route={route} kUsers={tenant.k_users} />}
        {route.view === 'failures' && <Failures csrf={csrf} route={route} />}
        {route.view === 'breakdowns' && (
          <Breakdowns csrf={csrf} route={route} kUsers={tenant.k_users} />
        )}
        {route.view === 'trends' && <Trends csrf={csrf} route={route} kUsers={tenant.k_users} />}
        {route.view === 'reports' && <Reports csrf={csrf} admin={tenant.scope === 'admin'} />}
        {route.view === 'privacy' && <Privacy csrf={csrf} snapshot={route.snapshot} />}
      </div>
    </>
  );
}

export function App() {
  const [ready, setReady] = useState<string>('checking');
  const [session, setSession] = useState<{ csrf: string; tenant: TenantInfo }>();
  const [restoring, setRestoring] = useState(true);
  const [theme, toggleTheme] = useTheme();

  useEffect(() => {
    void api.ready().then((result) => setReady(result.status));
    // A reload keeps the httpOnly session cookie: ask the API whether it is still valid.
    void api
      .session()
      .then(async ({ csrf_token }) =>
        setSession({ csrf: csrf_token, tenant: await api.tenant(csrf_token) }),
      )
      .catch(() => undefined)
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
                void api.signOut(session.csrf).catch(() => undefined);
                setSession(undefined);
                navigate({ view: 'overview' });
              }}
            >
              Sign out
            </button>
          )}
        </header>
        {session ? (
          <Dashboard csrf={session.csrf} tenant={session.tenant} />
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
              onSignedIn={(csrf, tenant) => {
                setSession({ csrf, tenant });
              }}
            />
          </>
        )}
      </main>
    </>
  );
}
