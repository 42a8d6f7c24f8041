import type { RefObject } from 'preact';
import { t } from '../i18n/index.ts';

/** The six-digit code of an authenticator app, asked for at sign-in and when setting one up. */
export function TotpCodeField({ id, inputRef, describedBy }: { id: string; inputRef: RefObject<HTMLInputElement | null>; describedBy?: string | undefined }) {
  return (
    <div class="field">
      <label for={id}>{t('twoStep.code')}</label>
      <input
        id={id}
        name="code"
        type="text"
        inputMode="numeric"
        autocomplete="one-time-code"
        pattern="[0-9]{6}"
        minLength={6}
        maxLength={6}
        required
        ref={inputRef}
        aria-describedby={describedBy}
      />
    </div>
  );
}
