import { useEffect, useRef, useState } from 'preact/hooks';
import { api, clearCache } from '../api.ts';
import { useApp } from '../context.ts';
import { t } from '../i18n/index.ts';
import { Empty, Loading } from '../components/common.tsx';
import type { CannedResponse } from '../types.ts';
import { AdminError, ConfirmDialog, FieldError } from './common.tsx';
import { adminApi } from './admin-api.ts';
import { cannedBody, cannedIdFrom, type CannedErrors, type CannedForm } from './logic.ts';

const blank: CannedForm = { id: '', titleEn: '', titlePt: '', bodyEn: '', bodyPt: '' };

/** Canned responses: the composer's ready-made replies, in English and Portuguese. */
export function Canned() {
  const { lang } = useApp();
  const [items, setItems] = useState<CannedResponse[]>();
  const [error, setError] = useState<unknown>();
  /** The one being edited: undefined none, null a new one. */
  const [editing, setEditing] = useState<CannedResponse | null>();
  const [deleting, setDeleting] = useState<CannedResponse>();
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>();
  const [done, setDone] = useState<string>();

  const load = () =>
    api.cannedResponses().then(
      (r) => {
        setItems([...r.items].sort((a, b) => a.id.localeCompare(b.id)));
        setError(undefined);
      },
      setError,
    );
  useEffect(() => void load(), []);

  const saved = (message: string) => {
    clearCache();
    setDone(message);
    void load();
  };

  const remove = async () => {
    if (!deleting) return;
    setBusy(true);
    setActionError(undefined);
    try {
      await adminApi.deleteCanned(deleting.id);
      const gone = deleting.id;
      setItems((list) => list?.filter((c) => c.id !== gone));
      if (editing?.id === deleting.id) setEditing(undefined);
      saved(t('admin.canned.deleted', { id: deleting.id }));
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(false);
      setDeleting(undefined);
    }
  };

  return (
    <div>
      <div class="page-head">
        <h2>{t('admin.canned.title')}</h2>
        <button
          type="button"
          class="btn"
          onClick={() => {
            setDone(undefined);
            setEditing(null);
          }}
        >
          {t('admin.canned.new')}
        </button>
      </div>
      <AdminError error={error} />
      <AdminError error={actionError} />
      {done && (
        <p class="notice notice-ok" role="status">
          {done}
        </p>
      )}
      {editing !== undefined && (
        <CannedEditor
          key={editing?.id ?? 'new'}
          current={editing}
          taken={items?.map((c) => c.id) ?? []}
          onSaved={(id, created) => {
            setEditing(undefined);
            saved(created ? t('admin.canned.created', { id }) : t('admin.canned.saved', { id }));
          }}
          onCancel={() => setEditing(undefined)}
        />
      )}
      {!items && !error && <Loading />}
      {items && items.length === 0 && <Empty>{t('admin.canned.none')}</Empty>}
      {items && items.length > 0 && (
        <div class="table-wrap">
          <table class="queue">
            <caption class="visually-hidden">{t('admin.canned.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.field.id')}</th>
                <th scope="col">{t('admin.canned.titleCol')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => {
                const title = c.title[lang] ?? c.title.en ?? c.id;
                return (
                  <tr key={c.id}>
                    <td>
                      <code>{c.id}</code>
                    </td>
                    <td>{title}</td>
                    <td>
                      <div class="button-row">
                        <button
                          type="button"
                          class="btn btn-small"
                          aria-label={t('admin.canned.editWhich', { title })}
                          onClick={() => {
                            setDone(undefined);
                            setEditing(c);
                          }}
                        >
                          {t('admin.canned.edit')}
                        </button>
                        <button type="button" class="btn btn-small" aria-label={t('admin.canned.deleteWhich', { title })} onClick={() => setDeleting(c)}>
                          {t('admin.canned.delete')}
                        </button>
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={deleting !== undefined}
        title={t('admin.canned.deleteTitle', { id: deleting?.id ?? '' })}
        confirmLabel={t('admin.canned.delete')}
        busy={busy}
        onConfirm={() => void remove()}
        onCancel={() => setDeleting(undefined)}
      >
        <p>{t('admin.canned.deleteText')}</p>
      </ConfirmDialog>
    </div>
  );
}

function CannedEditor({ current, taken, onSaved, onCancel }: { current: CannedResponse | null; taken: string[]; onSaved: (id: string, created: boolean) => void; onCancel: () => void }) {
  const [form, setForm] = useState<CannedForm>(
    current ? { id: current.id, titleEn: current.title.en ?? '', titlePt: current.title['pt-BR'] ?? '', bodyEn: current.body.en ?? '', bodyPt: current.body['pt-BR'] ?? '' } : blank,
  );
  /** A new one's id follows its English title until the admin types an id. */
  const [idTouched, setIdTouched] = useState(Boolean(current));
  const [errors, setErrors] = useState<CannedErrors>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    const checked = cannedBody(form);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    // PUT replaces: a new one must not silently overwrite another.
    if (!current && taken.includes(checked.id)) {
      setErrors({ id: t('admin.canned.idTaken') });
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      await adminApi.putCanned(checked.id, checked.body);
      onSaved(checked.id, !current);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const text = (key: keyof CannedForm, label: string, multiline: boolean, max: number) => {
    const id = `canned-${key}`;
    const props = {
      id,
      value: form[key],
      maxLength: max,
      'aria-invalid': errors[key] ? true : undefined,
      'aria-describedby': errors[key] ? `${id}-error` : undefined,
      onInput: (e: Event) => {
        const value = (e.currentTarget as HTMLInputElement).value;
        const next = { ...form, [key]: value };
        if (key === 'titleEn' && !idTouched) next.id = cannedIdFrom(value);
        if (key === 'id') setIdTouched(true);
        setForm(next);
      },
    };
    return (
      <div class="field">
        <label for={id}>{label}</label>
        {multiline ? <textarea {...props} rows={6} /> : <input {...props} readOnly={key === 'id' && Boolean(current)} />}
        <FieldError id={`${id}-error`} message={errors[key]} />
      </div>
    );
  };

  return (
    <section class="card" aria-labelledby="canned-editor-title">
      <h3 id="canned-editor-title" ref={headingRef} tabIndex={-1}>
        {current ? t('admin.canned.editTitle', { id: current.id }) : t('admin.canned.newTitle')}
      </h3>
      <form onSubmit={submit} noValidate>
        {text('titleEn', t('admin.canned.titleEn'), false, 200)}
        {text('titlePt', t('admin.canned.titlePt'), false, 200)}
        {text('id', t('admin.field.id'), false, 64)}
        {!current && <p class="muted small">{t('admin.canned.idHelp')}</p>}
        {text('bodyEn', t('admin.canned.bodyEn'), true, 10_000)}
        {text('bodyPt', t('admin.canned.bodyPt'), true, 10_000)}
        <AdminError error={error} />
        <div class="button-row">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? t('admin.busy') : t('admin.canned.save')}
          </button>
          <button type="button" class="btn" onClick={onCancel}>
            {t('admin.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}
