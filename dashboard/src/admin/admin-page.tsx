import { useEffect } from 'preact/hooks';
import { useApp } from '../context.ts';
import { t } from '../i18n/index.ts';
import { Link, useLocation } from '../router.tsx';
import { Audit } from './audit.tsx';
import { Canned } from './canned.tsx';
import { Erase } from './erase.tsx';
import { isAdmin } from './logic.ts';
import { Team } from './team.tsx';

const sections = ['team', 'canned', 'audit', 'erase'] as const;
type Section = (typeof sections)[number];

/** The path's section: /admin is the team. */
export function adminSection(path: string): Section | undefined {
  const rest = path.replace(/^\/admin\/?/, '').replace(/\/$/, '');
  if (rest === '') return 'team';
  return (sections as readonly string[]).includes(rest) ? (rest as Section) : undefined;
}

/** The admin area (loaded on first visit): the team, canned responses, the admin audit, erasure. */
export default function AdminPage() {
  const { session } = useApp();
  const loc = useLocation();
  const section = adminSection(loc.path);

  useEffect(() => {
    document.title = `${t('admin.title')} · ${t('shell.brand')}`;
  }, []);

  if (!isAdmin(session.groups)) {
    return (
      <div class="page">
        <h1 tabIndex={-1}>{t('admin.title')}</h1>
        <p class="notice notice-error" role="alert">
          {t('admin.error.forbidden')}
        </p>
      </div>
    );
  }

  return (
    <div class="page page-admin">
      <div class="page-head">
        <h1 tabIndex={-1}>{t('admin.title')}</h1>
        <nav aria-label={t('admin.sections')} class="tabs">
          {sections.map((s) => (
            <Link key={s} href={s === 'team' ? '/admin' : `/admin/${s}`} class="tab" aria-current={section === s ? 'page' : undefined}>
              {t(`admin.section.${s}`)}
            </Link>
          ))}
        </nav>
      </div>
      {section === 'team' && <Team />}
      {section === 'canned' && <Canned />}
      {section === 'audit' && <Audit />}
      {section === 'erase' && <Erase />}
      {section === undefined && (
        <p>
          <Link href="/admin">{t('notFound.title')}</Link>
        </p>
      )}
    </div>
  );
}
