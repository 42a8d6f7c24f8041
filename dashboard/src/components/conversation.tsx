import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { formatBytes, formatDateTime } from '../format.ts';
import { t, type Language } from '../i18n/index.ts';
import { inlineImageIds, sanitizeMail } from '../sanitize.ts';
import type { FileRef, Message } from '../types.ts';
import { errorText } from './common.tsx';

/**
 * The conversation, oldest first. Customer mail, public replies and internal
 * notes each look different and say what they are in words, not only colour.
 */
export function Conversation({ ticketId, messages, lang }: { ticketId: string; messages: Message[]; lang: Language }) {
  const sorted = [...messages].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return (
    <section class="conversation" aria-labelledby="conversation-title">
      <h2 id="conversation-title">{t('conversation.title')}</h2>
      <ol class="messages">
        {sorted.map((m) => (
          <li key={m.id} class={`msg msg-${m.kind}`}>
            <article aria-labelledby={`msg-${m.id}-head`}>
              <header class="msg-head" id={`msg-${m.id}-head`}>
                <span class={`msg-kind kind-${m.kind}`}>{kindLabel(m)}</span>{' '}
                {m.mail?.unverified && (
                  <>
                    <span class="badge badge-breached" title={t('conversation.unverifiedHint')}>
                      {t('conversation.unverified')}
                    </span>{' '}
                  </>
                )}
                {m.mail?.automated && (
                  <>
                    <span class="badge" title={t('conversation.automaticHint')}>
                      {t('conversation.automatic')}
                    </span>{' '}
                  </>
                )}
                <strong class="msg-author">{m.author.name ? `${m.author.name} <${m.author.email}>` : m.author.email}</strong>{' '}
                <time dateTime={m.createdAt} class="muted">
                  {formatDateTime(m.createdAt, lang)}
                </time>
              </header>
              {m.mail?.html ? <MailBody ticketId={ticketId} message={m} /> : <div class="msg-text">{m.body}</div>}
              <Attachments ticketId={ticketId} files={[...(m.mail?.attachments ?? []).filter((a) => !a.inline), ...(m.attachments ?? [])]} lang={lang} />
            </article>
          </li>
        ))}
      </ol>
    </section>
  );
}

function kindLabel(m: Message) {
  if (m.kind === 'note') return t('conversation.note');
  if (m.kind === 'reply') return t('conversation.reply');
  return m.mail ? t('conversation.customerMail') : t('conversation.customer');
}

/** HTML mail, sanitized again here, with remote images held back until asked for. */
function MailBody({ ticketId, message }: { ticketId: string; message: Message }) {
  const mail = message.mail!;
  const [showImages, setShowImages] = useState(false);
  const [plain, setPlain] = useState(false);
  const [inline, setInline] = useState<Record<string, string>>({});

  // The mail's own inline images (cid:) are part of it, not trackers: fetch their links.
  useEffect(() => {
    const wanted = inlineImageIds(mail.html ?? '').slice(0, 10);
    const files = mail.attachments.filter((a) => a.contentId && wanted.includes(a.contentId.replace(/^<|>$/g, '')));
    if (!files.length) return;
    let live = true;
    Promise.all(files.map(async (f) => [f.contentId!.replace(/^<|>$/g, ''), (await api.attachmentLink(ticketId, f.key)).url] as const)).then(
      (pairs) => live && setInline(Object.fromEntries(pairs)),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [message.id]);

  const clean = useMemo(() => sanitizeMail(mail.html ?? '', { showImages, inline }), [mail.html, showImages, inline]);

  return (
    <div class="mail">
      <div class="mail-tools">
        {clean.blockedImages > 0 && (
          <button type="button" class="btn btn-small" onClick={() => setShowImages(true)}>
            {t('conversation.showImages', { count: clean.blockedImages })}
          </button>
        )}
        <button type="button" class="btn btn-small btn-ghost" aria-pressed={plain} onClick={() => setPlain(!plain)}>
          {t('conversation.plainText')}
        </button>
      </div>
      {clean.blockedImages > 0 && <p class="muted small">{t('conversation.imagesBlocked')}</p>}
      {plain ? <div class="msg-text">{mail.fullText || message.body}</div> : <div class="mail-html" dangerouslySetInnerHTML={{ __html: clean.html }} />}
      {mail.truncated && <p class="muted small">{t('conversation.truncated')}</p>}
    </div>
  );
}

function Attachments({ ticketId, files, lang }: { ticketId: string; files: FileRef[]; lang: Language }) {
  const [error, setError] = useState<string>();
  if (!files.length) return null;
  const download = async (f: FileRef) => {
    setError(undefined);
    try {
      const { url } = await api.attachmentLink(ticketId, f.key);
      const a = document.createElement('a');
      a.href = url;
      a.rel = 'noopener noreferrer';
      a.download = f.filename;
      document.body.appendChild(a);
      a.click();
      a.remove();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div class="attachments">
      <h3 class="visually-hidden">{t('conversation.attachments')}</h3>
      <ul>
        {files.map((f) => (
          <li key={f.key}>
            <button type="button" class="btn btn-small btn-ghost" onClick={() => void download(f)} aria-label={t('conversation.download', { name: f.filename })}>
              ⬇ {f.filename}
            </button>{' '}
            <span class="muted small">
              {f.contentType} · {formatBytes(f.size, lang)}
            </span>
          </li>
        ))}
      </ul>
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
