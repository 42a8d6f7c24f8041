import { useEffect, useImperativeHandle, useRef, useState } from 'preact/hooks';
import type { Ref } from 'preact';
import { api, ApiError, cached } from '../api.ts';
import { formatBytes } from '../format.ts';
import { matchLanguage, t, type Language } from '../i18n/index.ts';
import type { CannedResponse, RecipientWarning, Ticket } from '../types.ts';
import { replyWarnings, warningText } from '../recipient-warnings.ts';
import { errorText } from './common.tsx';

export interface ComposerHandle {
  focus(kind: 'reply' | 'note'): void;
}

const MAX_FILE = 10 * 1024 * 1024;
const MAX_FILES = 10;

/** Reply (mailed to the customer) or internal note (never mailed), with canned responses and files. */
export function Composer({
  ticket,
  lang,
  onSent,
  handle,
  warnings,
}: {
  ticket: Ticket;
  lang: Language;
  onSent: (t: Ticket) => void;
  handle: Ref<ComposerHandle>;
  /** Addresses of this ticket that bounced or complained before: shown while writing a reply. */
  warnings?: RecipientWarning[];
}) {
  const [kind, setKind] = useState<'reply' | 'note'>('reply');
  const [body, setBody] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [busy, setBusy] = useState<string>();
  const [status, setStatus] = useState<{ tone: 'ok' | 'warn' | 'error'; text: string }>();
  const [canned, setCanned] = useState<CannedResponse[] | 'unavailable' | undefined>();
  const textRef = useRef<HTMLTextAreaElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);

  useImperativeHandle(handle, () => ({
    focus(k) {
      setKind(k);
      textRef.current?.focus();
      textRef.current?.scrollIntoView({ block: 'center' });
    },
  }));

  useEffect(() => {
    cached('canned', api.cannedResponses).then(
      (r) => setCanned(r.items),
      () => setCanned('unavailable'),
    );
  }, []);

  // Canned text in the customer's language when known, else the agent's.
  const cannedLang: Language = matchLanguage(ticket.language) ?? lang;
  const insertCanned = (id: string) => {
    if (!Array.isArray(canned)) return;
    const c = canned.find((x) => x.id === id);
    if (!c) return;
    const text = c.body[cannedLang] ?? c.body.en ?? Object.values(c.body)[0] ?? '';
    const el = textRef.current;
    const start = el?.selectionStart ?? body.length;
    const end = el?.selectionEnd ?? body.length;
    const next = body.slice(0, start) + text + body.slice(end);
    setBody(next);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + text.length, start + text.length);
    });
  };

  const pickFiles = (list: FileList | null) => {
    const picked = [...files, ...Array.from(list ?? [])];
    const tooBig = picked.find((f) => f.size > MAX_FILE || f.size === 0);
    if (tooBig) setStatus({ tone: 'error', text: t('composer.fileTooBig', { name: tooBig.name }) });
    else if (picked.length > MAX_FILES) setStatus({ tone: 'error', text: t('composer.tooManyFiles', { max: MAX_FILES }) });
    else {
      setFiles(picked);
      setStatus(undefined);
    }
    if (fileRef.current) fileRef.current.value = '';
  };

  const upload = async (file: File) => {
    const contentType = file.type || 'application/octet-stream';
    const slot = await api.createUpload(ticket.id, { filename: file.name, contentType, size: file.size });
    let res: Response;
    try {
      res = await fetch(slot.uploadUrl, { method: slot.method || 'PUT', headers: slot.headers, body: file });
    } catch {
      throw new Error(t('composer.uploadFailed', { name: file.name }));
    }
    if (!res.ok) throw new Error(t('composer.uploadFailed', { name: file.name }));
    return { key: slot.key };
  };

  const submit = async (e?: Event) => {
    e?.preventDefault();
    if (!body.trim() || busy) return;
    setStatus(undefined);
    try {
      let attachments: { key: string }[] | undefined;
      if (files.length) {
        setBusy(t('composer.uploading'));
        attachments = [];
        for (const f of files) attachments.push(await upload(f));
      }
      setBusy(t('composer.sending'));
      const result = await api.addMessage(ticket.id, { kind, body: body.trim(), ...(attachments ? { attachments } : {}) });
      setBody('');
      setFiles([]);
      if (kind === 'note') setStatus({ tone: 'ok', text: t('composer.noteAdded') });
      else if (result.mail?.status === 'failed') setStatus({ tone: 'warn', text: t('composer.mailFailed') });
      else if (result.mail?.status === 'sent' && result.warnings?.length) setStatus({ tone: 'warn', text: t('composer.sentDespite') });
      else if (result.mail?.status === 'sent') setStatus({ tone: 'ok', text: t('composer.replySent') });
      else setStatus({ tone: 'ok', text: t('composer.replySaved') });
      onSent(result.ticket);
    } catch (err) {
      setStatus({ tone: 'error', text: err instanceof ApiError ? errorText(err) : (err as Error).message });
    } finally {
      setBusy(undefined);
    }
  };

  const shown = replyWarnings(kind, warnings);
  const bodyLabel = kind === 'reply' ? t('composer.replyLabel', { email: ticket.requester.email }) : t('composer.noteLabel');

  return (
    <section class={`composer composer-${kind}`} aria-labelledby="composer-title">
      <h2 id="composer-title">{t('composer.title')}</h2>
      <form onSubmit={submit}>
        <fieldset class="segmented">
          <legend class="visually-hidden">{t('composer.kind')}</legend>
          <label class={kind === 'reply' ? 'on' : undefined}>
            <input type="radio" name="kind" value="reply" checked={kind === 'reply'} onChange={() => setKind('reply')} />
            {t('composer.reply')}
          </label>
          <label class={kind === 'note' ? 'on' : undefined}>
            <input type="radio" name="kind" value="note" checked={kind === 'note'} onChange={() => setKind('note')} />
            {t('composer.note')}
          </label>
        </fieldset>
        <p class="muted small" id="composer-explain">
          {kind === 'reply' ? t('composer.replyExplain') : t('composer.noteExplain')}
        </p>
        {shown.length > 0 && (
          <div class="notice notice-warn recipient-warnings" role="note" aria-labelledby="recipient-warnings-title">
            <strong id="recipient-warnings-title">{t('warning.title')}</strong>
            <ul>
              {shown.map((w) => (
                <li key={`${w.code}-${w.address}`}>{warningText(w, lang)}</li>
              ))}
            </ul>
          </div>
        )}
        <label for="composer-body">{bodyLabel}</label>
        <textarea
          id="composer-body"
          ref={textRef}
          rows={6}
          value={body}
          maxLength={64000}
          aria-describedby="composer-explain"
          onInput={(e) => setBody((e.currentTarget as HTMLTextAreaElement).value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void submit(e);
          }}
        />
        <div class="composer-tools">
          <div class="field">
            <label for="canned">{t('composer.canned')}</label>
            <select id="canned" value="" disabled={!Array.isArray(canned) || canned.length === 0} onChange={(e) => insertCanned((e.currentTarget as HTMLSelectElement).value)}>
              <option value="">
                {canned === undefined ? t('common.loading') : canned === 'unavailable' || canned.length === 0 ? t('composer.noCanned') : t('composer.pickCanned')}
              </option>
              {Array.isArray(canned) &&
                canned.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.title[lang] ?? c.title.en ?? c.id}
                  </option>
                ))}
            </select>
          </div>
          <div class="field">
            <label for="composer-files">{t('composer.attach')}</label>
            <input id="composer-files" ref={fileRef} type="file" multiple onChange={(e) => pickFiles((e.currentTarget as HTMLInputElement).files)} />
          </div>
        </div>
        {files.length > 0 && (
          <ul class="file-list" aria-label={t('composer.files')}>
            {files.map((f, i) => (
              <li key={`${f.name}-${i}`}>
                {f.name} <span class="muted small">{formatBytes(f.size, lang)}</span>{' '}
                <button type="button" class="btn btn-small btn-ghost" aria-label={t('composer.removeFile', { name: f.name })} onClick={() => setFiles(files.filter((_, j) => j !== i))}>
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        <div class="composer-send">
          <button type="submit" class={`btn ${kind === 'reply' ? 'btn-primary' : 'btn-note'}`} disabled={!body.trim() || !!busy}>
            {busy ?? (kind === 'reply' ? t('composer.sendReply') : t('composer.addNote'))}
          </button>
          <span class="muted small">{t('composer.ctrlEnter')}</span>
        </div>
        <div aria-live="polite">{status && <p class={`notice notice-${status.tone}`}>{status.text}</p>}</div>
      </form>
    </section>
  );
}
