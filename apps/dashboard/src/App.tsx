import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiRequestError, type TenantInfo } from './api-client';
import { Link, navigate, useRoute, VIEWS, type View } from './router';
import { Alerts } from './views/Alerts';
import { Ask } from './views/Ask';
import { Breakdowns } from './views/Breakdowns';
import { Explore } from './views/Explore';
import { Failures } from './views/Failures';
import { Overview } from './views/Overview';
import { Privacy } from './views/Privacy';
import { Reports } from './views/Reports';
import { Settings } from './views/Settings';
import { Trends } from './views/Trends';

type SignInMethod = 'account' | 'key';
const METHOD_STORAGE = 'silhouette.sign-in';

/**
 * Sign in with a user account (organisation, email, password) or an API key. Either way the API
 * answers with an httpOnly session cookie: nothing secret is kept in the page. The organisation
 * is remembered for convenience, never the email or a credential.
 */
function SignIn({
  onSignedIn,
}: {
  onSignedIn: (csrf: string, tenant: TenantInfo, user: string | null) => void;
}) {
  const [method, setMethod] = useState<SignInMethod>(() =>
    localStorage.getItem(METHOD_STORAGE) === 'key' ? 'key' : 'account',
  );
  const [key, setKey] = useState('');
  const [tenant, setTenant] = useState(() => localStorage.getItem('silhouette.tenant') ?? '');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const complete =
    method === 'key'
      ? key.trim().length > 0
      : tenant.trim().length > 0 && email.trim().length > 0 && password.length > 0;

  function choose(next: SignInMethod) {
    setMethod(next);
    setError(undefined);
    localStorage.setItem(METHOD_STORAGE, next);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const session =
        method === 'key'
          ? await api.signInWithKey(key.trim())
          : await api.signInWithPassword({
              tenant: tenant.trim(),
              email: email.trim(),
              password,
            });
      setKey('');
      setPassword('');
      if (method === 'account') localStorage.setItem('silhouette.tenant', tenant.trim());
      onSignedIn(session.csrf_token, await api.tenant(session.csrf_token), session.user);
    } catch (failure) {
      setError(
        failure instanceof ApiRequestError && failure.status === 429
          ? 'Too many failed attempts. Wait a few minutes, then try again.'
          : (failure as Error).message,
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={submit} aria-label="Sign in">
      <h2>Sign in</h2>
      <fieldset className="sign-in-choice">
        <legend>Sign in with</legend>
        <label>
          <input
            type="radio"
            name="method"
            checked={method === 'account'}
            onChange={() => choose('account')}
          />
          User account
        </label>
        <label>
          <input
            type="radio"
            name="method"
            checked={method === 'key'}
            onChange={() => choose('key')}
          />
          API key
        </label>
      </fieldset>
      {method === 'key' ? (
        <>
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
        </>
      ) : (
        <>
          <p>Use the account your organisation's Silhouette admin created for you.</p>
          <label htmlFor="tenant">Organisation</label>
          <input
            id="tenant"
            autoComplete="organization"
            value={tenant}
            onChange={(e) => setTenant(e.target.value)}
            placeholder="e.g. acme"
            required
          />
          <label htmlFor="email">Email</label>
          <input
            id="email"
            type="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
          />
          <label htmlFor="password">Password</label>
          <input
            id="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </>
      )}
      <button type="submit" disabled={busy || !complete}>
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
  alerts: 'Alerts',
  privacy: 'Privacy',
  settings: 'Settings',
  ask: 'Ask',
};

function Dashboard({ csrf, tenant }: { csrf: string; tenant: TenantInfo }) {
  const route = useRoute();
  useEffect(() => {
    document.title = `${LABELS[route.view]} · Silhouette`;
  }, [route.view]);
  return (
    <>
      <nav aria-label="Main" className="tabs">
        {VIEWS.filter((view) => view !== 'settings' || tenant.scope === 'admin').map((view) => (
          <Link key={view} to={{ view }} current={route.view === view}>
            {LABELS[view]}
          </Link>
        ))}
      </nav>
      <div id="content" data-testid={`view-${route.view}`}>
        {route.view === 'overview' && (
          <Overview csrf={csrf} kUsers={tenant.k_users} admin={tenant.scope === 'admin'} />
        )}
        {route.view === 'explore' && <Explore csrf={csrf} route={route} kUsers={tenant.k_users} />}
        {route.view === 'failures' && <Failures csrf={csrf} route={route} />}
        {route.view === 'breakdowns' && (
          <Breakdowns csrf={csrf} route={route} kUsers={tenant.k_users} />
        )}
        {route.view === 'trends' && <Trends csrf={csrf} route={route} kUsers={tenant.k_users} />}
        {route.view === 'reports' && <Reports csrf={csrf} admin={tenant.scope === 'admin'} />}
        {route.view === 'alerts' && <Alerts csrf={csrf} admin={tenant.scope === 'admin'} />}
        {route.view === 'privacy' && <Privacy csrf={csrf} snapshot={route.snapshot} />}
        {route.view === 'settings' &&
          (tenant.scope === 'admin' ? (
            <Settings csrf={csrf} tenantSlug={tenant.slug} />
          ) : (
            <p className="card">Settings need an admin key or account.</p>
          ))}
        {route.view === 'ask' && <Ask csrf={csrf} />}
      </div>
    </>
  );
}

export function App() {
  const [ready, setReady] = useState<string>('checking');
  const [session, setSession] = useState<{
    csrf: string;
    tenant: TenantInfo;
    user: string | null;
  }>();
  const [restoring, setRestoring] = useState(true);
  const [theme, toggleTheme] = useTheme();

  useEffect(() => {
    void api.ready().then((result) => setReady(result.status));
    // A reload keeps the httpOnly session cookie: ask the API whether it is still valid.
    void api
      .session()
      .then(async ({ csrf_token, user }) =>
        setSession({ csrf: csrf_token, tenant: await api.tenant(csrf_token), user }),
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
          {session?.user && (
            <span className="muted small" data-testid="signed-in-user">
              {session.user}
            </span>
          )}
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
              onSignedIn={(csrf, tenant, user) => {
                setSession({ csrf, tenant, user });
              }}
            />
          </>
        )}
      </main>
    </>
  );
}
