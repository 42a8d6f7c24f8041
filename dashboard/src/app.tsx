import type { ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AppConfig } from './config.ts';
import { getSession, onSessionChange, refreshSession, signOut, type Session } from './auth.ts';
import { api, cached, clearCache } from './api.ts';
import { getLanguage, languageNames, languages, setLanguage, t, type Language } from './i18n/index.ts';
import { AppContext, type AppState } from './context.ts';
import { Link, match, navigate, useLocation } from './router.tsx';
import { installShortcutListener, useShortcuts } from './hooks.ts';
import { SignIn } from './pages/sign-in.tsx';
import { Queue } from './pages/queue.tsx';
import { Search } from './pages/search.tsx';
import { HelpDialog } from './components/help-dialog.tsx';
import { Loading, ErrorState } from './components/common.tsx';
import type { Department } from './types.ts';

export const LANGUAGE_KEY = 'helpdesk.language';

/** Pages outside the first bundle load on first visit (the reports page and its charts, the ticket view and DOMPurify). */
function lazyPage<P extends object>(load: () => Promise<{ default: ComponentType<P> }>) {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<unknown> | undefined;
  return function LazyPage(props: P) {
    const [, bump] = useState(0);
    const [error, setError] = useState<unknown>();
    useEffect(() => {
      if (loaded) return;
      pending ??= load().then((m) => (loaded = m.default));
      pending.then(
        () => bump((n) => n + 1),
        (err: unknown) => {
          pending = undefined;
          setError(err);
        },
      );
    }, []);
    if (error) return <ErrorState error={error} onRetry={() => location.reload()} />;
    if (!loaded) return <Loading />;
    const Page = loaded;
    return <Page {...props} />;
  };
}

const TicketPage = lazyPage<{ id: string }>(() => import('./pages/ticket.tsx'));
const ReportsPage = lazyPage<object>(() => import('./pages/reports.tsx'));
/** The admin area, for the `admins` group only (the API refuses everyone else anyway). */
const AdminPage = lazyPage<object>(() => import('./admin/admin-page.tsx'));
/** Two-step sign-in (TOTP enrolment), for every agent. */
const TwoStepPage = lazyPage<object>(() => import('./pages/two-step.tsx'));

export function App({ config }: { config: AppConfig }) {
  const [session, setSession] = useState<Session | null>(getSession());
  const [lang, setLang] = useState<Language>(getLanguage());

  useEffect(
    () =>
      onSessionChange(() => {
        const s = getSession();
        if (!s) clearCache();
        setSession(s);
      }),
    [],
  );

  // Renew the ID token a minute before it runs out (halfway through for short-lived ones);
  // a session that cannot be renewed goes back to sign-in.
  useEffect(() => {
    if (!session) return;
    const left = session.expiresAt - Date.now();
    const wait = Math.max(0, left - 60_000, left / 2);
    const id = setTimeout(() => void refreshSession(), Math.min(wait, 2 ** 31 - 1));
    return () => clearTimeout(id);
  }, [session]);

  const changeLanguage = (l: Language) => {
    setLanguage(l);
    document.documentElement.lang = l;
    try {
      localStorage.setItem(LANGUAGE_KEY, l);
    } catch {
      // Not remembered across visits; this visit still switches.
    }
    setLang(l);
  };

  if (!session) return <SignIn lang={lang} onLanguage={changeLanguage} />;
  return <Shell config={config} session={session} lang={lang} onLanguage={changeLanguage} />;
}

function Shell({ config, session, lang, onLanguage }: { config: AppConfig; session: Session; lang: Language; onLanguage: (l: Language) => void }) {
  const loc = useLocation();
  const [departments, setDepartments] = useState<Department[]>([]);
  const [helpOpen, setHelpOpen] = useState(false);
  const mainRef = useRef<HTMLElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const firstRender = useRef(true);

  useEffect(() => installShortcutListener(), []);
  useEffect(() => {
    cached('departments', api.departments).then(
      (d) => setDepartments(d.items),
      () => setDepartments([]),
    );
  }, []);
  // Moving to another page moves focus to it, so screen readers announce the new content.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    mainRef.current?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [loc.path]);

  useShortcuts('global', {
    search: () => {
      // The top bar's box, or the search page's own (the top bar hides it there).
      const box = searchRef.current ?? (document.getElementById('search-page-q') as HTMLInputElement | null);
      box?.focus();
      box?.select();
    },
    help: () => setHelpOpen(true),
  });

  const state: AppState = { config, session, lang, departments };
  const ticket = match('/tickets/:id', loc.path);
  let page;
  let section: 'queues' | 'search' | 'reports' | 'admin' | undefined;
  const admin = session.groups.includes('admins');
  if (loc.path === '/' || loc.path === '/queues') {
    page = <Queue />;
    section = 'queues';
  } else if (ticket) {
    page = <TicketPage id={ticket.id!} key={ticket.id} />;
    section = 'queues';
  } else if (loc.path === '/search') {
    page = <Search key={loc.query.get('q') ?? ''} />;
    section = 'search';
  } else if (loc.path === '/reports') {
    page = <ReportsPage />;
    section = 'reports';
  } else if (admin && (loc.path === '/admin' || loc.path.startsWith('/admin/'))) {
    page = <AdminPage />;
    section = 'admin';
  } else if (loc.path === '/two-step') {
    page = <TwoStepPage />;
  } else {
    page = (
      <div class="page">
        <h1>{t('notFound.title')}</h1>
        <p>
          <Link href="/">{t('notFound.back')}</Link>
        </p>
      </div>
    );
  }

  return (
    <AppContext.Provider value={state}>
      <a class="skip-link" href="#main">
        {t('shell.skip')}
      </a>
      <header class="topbar">
        <Link href="/" class="brand">
          {t('shell.brand')}
        </Link>
        <nav aria-label={t('shell.nav')}>
          <ul>
            <li>
              <Link href="/" aria-current={section === 'queues' ? 'page' : undefined}>
                {t('shell.queues')}
              </Link>
            </li>
            <li>
              <Link href="/reports" aria-current={section === 'reports' ? 'page' : undefined}>
                {t('shell.reports')}
              </Link>
            </li>
            {admin && (
              <li>
                <Link href="/admin" aria-current={section === 'admin' ? 'page' : undefined}>
                  {t('admin.nav')}
                </Link>
              </li>
            )}
          </ul>
        </nav>
        {section !== 'search' && (
          <form
            role="search"
            class="topbar-search"
            onSubmit={(e) => {
              e.preventDefault();
              const value = searchRef.current?.value.trim() ?? '';
              if (value) navigate(`/search?q=${encodeURIComponent(value)}`);
            }}
          >
            <label for="global-search" class="visually-hidden">
              {t('search.label')}
            </label>
            <input id="global-search" ref={searchRef} type="search" name="q" placeholder={t('search.placeholder')} autocomplete="off" />
            <button type="submit" class="btn btn-small">
              {t('search.submit')}
            </button>
          </form>
        )}
        <div class="topbar-tools">
          <label class="visually-hidden" for="language">
            {t('shell.language')}
          </label>
          <select id="language" value={lang} onChange={(e) => onLanguage((e.currentTarget as HTMLSelectElement).value as Language)}>
            {languages.map((l) => (
              <option value={l} key={l}>
                {languageNames[l]}
              </option>
            ))}
          </select>
          <button type="button" class="btn btn-small btn-ghost" onClick={() => setHelpOpen(true)} aria-label={t('help.open')} title={t('help.open')}>
            ?
          </button>
          <span class="who" title={session.groups.join(', ')}>
            <span class="visually-hidden">{t('shell.signedInAs')} </span>
            {session.email}
          </span>
          <Link href="/two-step" class="btn btn-small btn-ghost" aria-current={loc.path === '/two-step' ? 'page' : undefined}>
            {t('twoStep.title')}
          </Link>
          <button type="button" class="btn btn-small" onClick={() => signOut('user')}>
            {t('shell.signOut')}
          </button>
        </div>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1}>
        {page}
      </main>
      <HelpDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
    </AppContext.Provider>
  );
}
