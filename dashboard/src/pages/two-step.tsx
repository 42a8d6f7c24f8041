import { useEffect, useRef, useState } from 'preact/hooks';
import { associateTotp, AuthError, confirmTotp } from '../auth.ts';
import { useApp } from '../context.ts';
import { t } from '../i18n/index.ts';
import { groupSecret, otpauthUri } from '../otpauth.ts';
import { TotpCodeField } from '../components/totp-code-field.tsx';

/**
 * Two-step sign-in: the agent adds the help desk to an authenticator app
 * (Cognito's AssociateSoftwareToken: the key, grouped for typing, and an
 * otpauth:// link), proves it with the app's current code
 * (VerifySoftwareToken), and TOTP is turned on and preferred
 * (SetUserMFAPreference). Loaded when first opened, like the ticket view.
 */
export default function TwoStep() {
  const { session, lang } = useApp();
  const [secret, setSecret] = useState<string>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const codeRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    document.title = t('twoStep.title');
  }, [lang]);
  useEffect(() => {
    if (secret) codeRef.current?.focus();
  }, [secret]);

  const problem = (err: unknown) => t(`signIn.error.${err instanceof AuthError ? err.code : 'unknown'}`);

  const start = async () => {
    setBusy(true);
    setError(undefined);
    setDone(false);
    try {
      setSecret(await associateTotp());
    } catch (err) {
      setError(problem(err));
    } finally {
      setBusy(false);
    }
  };

  const verify = async (e: Event) => {
    e.preventDefault();
    const code = String(new FormData(e.currentTarget as HTMLFormElement).get('code') ?? '');
    setBusy(true);
    setError(undefined);
    try {
      await confirmTotp(code);
      setSecret(undefined);
      setDone(true);
    } catch (err) {
      setError(problem(err));
      if (codeRef.current) {
        codeRef.current.value = '';
        codeRef.current.focus();
      }
    } finally {
      setBusy(false);
    }
  };

  const uri = secret ? otpauthUri(secret, session.email) : '';
  return (
    <div class="page page-two-step">
      <div class="page-head">
        <h1 tabIndex={-1}>{t('twoStep.title')}</h1>
      </div>
      <div class="card">
        <p>{t('twoStep.intro')}</p>
        {error && (
          <p class="notice notice-error" role="alert" id="two-step-error">
            {error}
          </p>
        )}
        {done && (
          <p class="notice notice-ok" role="status">
            {t('twoStep.done')}
          </p>
        )}
        {!secret ? (
          <>
            <p class="hint">{t('twoStep.replaces')}</p>
            <button type="button" class="btn btn-primary" onClick={start} disabled={busy}>
              {busy ? t('twoStep.starting') : t('twoStep.start')}
            </button>
          </>
        ) : (
          <form onSubmit={verify} method="post" action="#" aria-labelledby="two-step-step2">
            <p>{t('twoStep.step1')}</p>
            <dl>
              <dt>{t('twoStep.secret')}</dt>
              <dd>
                <code id="two-step-secret" aria-label={t('twoStep.secret')}>
                  {groupSecret(secret)}
                </code>
              </dd>
              <dt>{t('twoStep.uri')}</dt>
              <dd>
                <code id="two-step-uri" style="word-break: break-all">
                  {uri}
                </code>
                <br />
                <a href={uri}>{t('twoStep.open')}</a>
              </dd>
            </dl>
            <p class="hint">{t('twoStep.keep')}</p>
            <p id="two-step-step2">{t('twoStep.step2')}</p>
            <TotpCodeField id="two-step-code" inputRef={codeRef} describedBy={error ? 'two-step-error' : undefined} />
            <button type="submit" class="btn btn-primary" disabled={busy}>
              {busy ? t('twoStep.verifying') : t('twoStep.verify')}
            </button>{' '}
            <button
              type="button"
              class="btn"
              onClick={() => {
                setSecret(undefined);
                setError(undefined);
              }}
            >
              {t('twoStep.cancel')}
            </button>
          </form>
        )}
      </div>
    </div>
  );
}
