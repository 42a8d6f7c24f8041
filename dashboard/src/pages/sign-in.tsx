import { useEffect, useRef, useState } from 'preact/hooks';
import { AuthError, completeMfa, completeNewPassword, signIn, takeSignOutReason, type MfaChallenge, type NewPasswordChallenge } from '../auth.ts';
import { languageNames, languages, t, type Language } from '../i18n/index.ts';
import { TotpCodeField } from '../components/totp-code-field.tsx';

/**
 * The standard email + password form, so password managers fill it in. An
 * invited agent's first sign-in (Cognito's NEW_PASSWORD_REQUIRED) continues in
 * a "choose your password" form, then signs in with the new password. An
 * agent with two-step sign-in on (Cognito's SOFTWARE_TOKEN_MFA) continues in a
 * form for the authenticator app's 6-digit code.
 */
export function SignIn({ lang, onLanguage }: { lang: Language; onLanguage: (l: Language) => void }) {
  const [reason] = useState(() => takeSignOutReason());
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [challenge, setChallenge] = useState<NewPasswordChallenge>();
  const [mfa, setMfa] = useState<MfaChallenge>();
  const passwordRef = useRef<HTMLInputElement>(null);
  const newPasswordRef = useRef<HTMLInputElement>(null);
  const codeRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    document.title = t(mfa ? 'twoStep.signIn.title' : challenge ? 'signIn.newPassword.title' : 'signIn.title');
  }, [lang, challenge, mfa]);
  useEffect(() => {
    if (challenge) newPasswordRef.current?.focus();
  }, [challenge]);
  useEffect(() => {
    if (mfa) codeRef.current?.focus();
  }, [mfa]);

  const fail = (err: unknown, field: HTMLInputElement | null) => {
    const code = err instanceof AuthError ? err.code : 'unknown';
    setError(t(`signIn.error.${code}`));
    setBusy(false);
    if (field) {
      field.value = '';
      field.focus();
    }
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(undefined);
    try {
      await signIn(String(data.get('email') ?? ''), String(data.get('password') ?? ''));
    } catch (err) {
      if (err instanceof AuthError && err.code === 'new_password_required' && err.challenge) {
        setChallenge(err.challenge);
        setBusy(false);
        return;
      }
      if (err instanceof AuthError && err.code === 'mfa_required' && err.challenge) {
        setMfa(err.challenge);
        setBusy(false);
        return;
      }
      fail(err, passwordRef.current);
    }
  };

  const submitCode = async (e: Event) => {
    e.preventDefault();
    if (!mfa) return;
    const data = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(undefined);
    try {
      await completeMfa(mfa, String(data.get('code') ?? ''));
    } catch (err) {
      // A wrong code can be typed again; a session that ran out starts over from the password.
      if (err instanceof AuthError && err.code === 'mfa_expired') {
        setMfa(undefined);
        fail(err, null);
        return;
      }
      fail(err, codeRef.current);
    }
  };

  const submitNewPassword = async (e: Event) => {
    e.preventDefault();
    if (!challenge) return;
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const password = String(data.get('new-password') ?? '');
    setError(undefined);
    if (password !== String(data.get('confirm-password') ?? '')) {
      setError(t('signIn.error.mismatch'));
      return;
    }
    setBusy(true);
    try {
      await completeNewPassword(challenge, password);
    } catch (err) {
      if (err instanceof AuthError && err.code === 'challenge_expired') setChallenge(undefined);
      fail(err, newPasswordRef.current);
    }
  };

  const errorNotice = error && (
    <p class="notice notice-error" role="alert" id="sign-in-error">
      {error}
    </p>
  );
  const languageField = (
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
  );

  if (mfa) {
    return (
      <main id="main" class="sign-in">
        <form key="mfa" class="card sign-in-card" onSubmit={submitCode} aria-labelledby="mfa-title" method="post" action="#">
          <h1 id="mfa-title">{t('twoStep.signIn.title')}</h1>
          <p>{t('twoStep.signIn.intro')}</p>
          {errorNotice}
          <TotpCodeField id="mfa-code" inputRef={codeRef} describedBy={error ? 'sign-in-error' : undefined} />
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? t('signIn.busy') : t('twoStep.signIn.submit')}
          </button>
          <button
            type="button"
            class="btn"
            onClick={() => {
              setMfa(undefined);
              setError(undefined);
            }}
          >
            {t('signIn.newPassword.back')}
          </button>
          {languageField}
        </form>
      </main>
    );
  }

  if (challenge) {
    return (
      <main id="main" class="sign-in">
        {/* Its own key: a fresh form, so nothing typed in the sign-in form carries over into these fields. */}
        <form key="new-password" class="card sign-in-card" onSubmit={submitNewPassword} aria-labelledby="new-password-title" method="post" action="#">
          <h1 id="new-password-title">{t('signIn.newPassword.title')}</h1>
          <p>{t('signIn.newPassword.intro')}</p>
          {errorNotice}
          {/* For password managers: which account the new password belongs to. */}
          <input type="email" name="email" autocomplete="username" value={challenge.username} readOnly hidden />
          <div class="field">
            <label for="new-password">{t('signIn.newPassword.password')}</label>
            <input
              id="new-password"
              name="new-password"
              type="password"
              autocomplete="new-password"
              required
              minLength={12}
              maxLength={256}
              ref={newPasswordRef}
              aria-describedby={error ? 'sign-in-error new-password-rules' : 'new-password-rules'}
            />
            <p class="hint" id="new-password-rules">
              {t('signIn.newPassword.rules')}
            </p>
          </div>
          <div class="field">
            <label for="confirm-password">{t('signIn.newPassword.confirm')}</label>
            <input id="confirm-password" name="confirm-password" type="password" autocomplete="new-password" required minLength={12} maxLength={256} />
          </div>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? t('signIn.newPassword.busy') : t('signIn.newPassword.submit')}
          </button>
          <button
            type="button"
            class="btn"
            onClick={() => {
              setChallenge(undefined);
              setError(undefined);
            }}
          >
            {t('signIn.newPassword.back')}
          </button>
          {languageField}
        </form>
      </main>
    );
  }

  return (
    <main id="main" class="sign-in">
      <form key="sign-in" class="card sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title" method="post" action="#">
        <h1 id="sign-in-title">{t('signIn.title')}</h1>
        {reason === 'expired' && (
          <p class="notice notice-warn" role="status">
            {t('signIn.expired')}
          </p>
        )}
        {errorNotice}
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
        {languageField}
      </form>
    </main>
  );
}
