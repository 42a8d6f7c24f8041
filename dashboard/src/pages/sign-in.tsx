import { useEffect, useRef, useState } from 'preact/hooks';
import { AuthError, signIn, takeSignOutReason } from '../auth.ts';
import { languageNames, languages, t, type Language } from '../i18n/index.ts';

/** The standard email + password form, so password managers fill it in. */
export function SignIn({ lang, onLanguage }: { lang: Language; onLanguage: (l: Language) => void }) {
  const [reason] = useState(() => takeSignOutReason());
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    document.title = t('signIn.title');
  }, [lang]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    setBusy(true);
    setError(undefined);
    try {
      await signIn(String(data.get('email') ?? ''), String(data.get('password') ?? ''));
    } catch (err) {
      const code = err instanceof AuthError ? err.code : 'unknown';
      setError(t(`signIn.error.${code}`));
      setBusy(false);
      if (passwordRef.current) {
        passwordRef.current.value = '';
        passwordRef.current.focus();
      }
    }
  };

  return (
    <main id="main" class="sign-in">
      <form class="card sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title" method="post" action="#">
        <h1 id="sign-in-title">{t('signIn.title')}</h1>
        {reason === 'expired' && (
          <p class="notice notice-warn" role="status">
            {t('signIn.expired')}
          </p>
        )}
        {error && (
          <p class="notice notice-error" role="alert" id="sign-in-error">
            {error}
          </p>
        )}
        <div class="field">
          <label for="email">{t('signIn.email')}</label>
          <input id="email" name="email" type="email" autocomplete="username" required autofocus aria-describedby={error ? 'sign-in-error' : undefined} />
        </div>
        <div class="field">
          <label for="password">{t('signIn.password')}</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required ref={passwordRef} />
        </div>
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? t('signIn.busy') : t('signIn.submit')}
        </button>
        <div class="field field-inline">
          <label for="sign-in-language">{t('shell.language')}</label>
          <select id="sign-in-language" value={lang} onChange={(e) => onLanguage((e.currentTarget as HTMLSelectElement).value as Language)}>
            {languages.map((l) => (
              <option value={l} key={l}>
                {languageNames[l]}
              </option>
            ))}
          </select>
        </div>
      </form>
    </main>
  );
}
