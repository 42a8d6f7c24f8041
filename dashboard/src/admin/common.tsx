import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { errorText } from '../components/common.tsx';
import { t } from '../i18n/index.ts';
import { adminErrorText } from './logic.ts';

/** An admin route's refusal, in plain words. */
export function AdminError({ error }: { error: unknown }) {
  if (error === undefined) return null;
  return (
    <div class="notice notice-error" role="alert">
      {adminErrorText(error) ?? errorText(error)}
    </div>
  );
}

/**
 * The confirm step before anything hard to undo: a modal dialog (Esc or Cancel
 * closes it; Cancel has the focus, so Enter alone never confirms).
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  busy,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      cancelRef.current?.focus();
    }
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} class="dialog" aria-labelledby="confirm-title" onClose={onCancel} onCancel={onCancel}>
      <h2 id="confirm-title">{title}</h2>
      <div>{children}</div>
      <div class="button-row">
        <button type="button" class="btn" ref={cancelRef} onClick={onCancel}>
          {t('admin.cancel')}
        </button>
        <button type="button" class="btn btn-primary" disabled={busy} onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/** A form field's own message, tied to its input with aria-describedby. */
export function FieldError({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  return (
    <span id={id} class="small" style={{ color: 'var(--error)' }}>
      {message}
    </span>
  );
}

/** A labelled one-line input with its own message (`<id>-error`), as the admin forms ask for text. */
export function TextField(props: {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  error?: string | undefined;
  /** An address: typed as one, and never filled in by the browser. */
  email?: boolean;
  maxLength?: number;
}) {
  const { id, error } = props;
  const input = {
    id,
    value: props.value,
    maxLength: props.maxLength,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? `${id}-error` : undefined,
    onInput: (e: Event) => props.onInput((e.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.email ? <input type="email" autocomplete="off" {...input} /> : <input {...input} />}
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}
