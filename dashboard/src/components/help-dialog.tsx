import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { shortcuts, type ShortcutScope } from '../shortcuts.ts';

const scopes: ShortcutScope[] = ['global', 'queue', 'ticket'];

/** The "?" dialog: every shortcut, from the same table the key handler reads. */
export function HelpDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} class="dialog" aria-labelledby="help-title" onClose={onClose} onCancel={onClose}>
      <h2 id="help-title">{t('help.title')}</h2>
      {scopes.map((scope) => (
        <section key={scope} aria-labelledby={`help-${scope}`}>
          <h3 id={`help-${scope}`}>{t(`help.scope.${scope}`)}</h3>
          <dl class="shortcuts">
            {shortcuts
              .filter((s) => s.scope === scope)
              .map((s) => (
                <div key={s.action} class="shortcut">
                  <dt>
                    {s.keys.map((k, i) => (
                      <span key={k}>
                        {i > 0 && ` ${t('help.or')} `}
                        <kbd>{k}</kbd>
                      </span>
                    ))}
                  </dt>
                  <dd>{t(`shortcut.${s.action}`)}</dd>
                </div>
              ))}
          </dl>
        </section>
      ))}
      <p class="hint">{t('help.composerHint')}</p>
      <form method="dialog">
        <button type="submit" class="btn" autofocus>
          {t('common.close')}
        </button>
      </form>
    </dialog>
  );
}
