/**
 * A tiny query-string router: the whole view state lives in the URL (`?view=explore&cluster=…`),
 * so every screen is a shareable link and the browser's back button works.
 */
import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';

export const VIEWS = [
  'overview',
  'explore',
  'failures',
  'trends',
  'breakdowns',
  'reports',
  'alerts',
  'privacy',
  'settings',
  'ask',
] as const;
export type View = (typeof VIEWS)[number];

export interface Route {
  view: View;
  /** Cluster shown in detail (any view may open it; Explore uses it as the current node). */
  cluster?: string;
  /** Explore: the node whose children are shown (absent: the top level). */
  node?: string;
  /** Explore: name filter. */
  q?: string;
  /** Breakdowns: the facet. */
  facet?: string;
  /** Failures: failure-reason filter. Trends: 'month' for monthly buckets. */
  reason?: string;
  /** Privacy: the snapshot whose evidence is shown (reports link to theirs); absent: the latest. */
  snapshot?: string;
}

const KEYS = ['cluster', 'node', 'q', 'facet', 'reason', 'snapshot'] as const;

export function parseRoute(search: string): Route {
  const params = new URLSearchParams(search);
  const view = params.get('view');
  const route: Route = {
    view: (VIEWS as readonly string[]).includes(view ?? '') ? (view as View) : 'overview',
  };
  for (const key of KEYS) {
    const value = params.get(key);
    if (value) route[key] = value;
  }
  return route;
}

export function hrefFor(route: Route): string {
  const params = new URLSearchParams({ view: route.view });
  for (const key of KEYS) {
    const value = route[key];
    if (value) params.set(key, value);
  }
  return `?${params.toString()}`;
}

const EVENT = 'silhouette:navigate';

export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const href = hrefFor(route);
  if (href === window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  window.dispatchEvent(new Event(EVENT));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.search));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.search));
    window.addEventListener('popstate', update);
    window.addEventListener(EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(EVENT, update);
    };
  }, []);
  return route;
}

/** An ordinary link (open in new tab works) that navigates in place on a plain click. */
export function Link({
  to,
  children,
  className,
  current,
  label,
}: {
  to: Route;
  children: ReactNode;
  className?: string;
  current?: boolean;
  label?: string;
}) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
      return;
    event.preventDefault();
    navigate(to);
    window.scrollTo(0, 0);
  };
  return (
    <a
      href={hrefFor(to)}
      onClick={onClick}
      className={className}
      aria-current={current ? 'page' : undefined}
      aria-label={label}
    >
      {children}
    </a>
  );
}
