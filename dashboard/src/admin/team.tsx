import { useEffect, useRef, useState } from 'preact/hooks';
import { api, clearCache } from '../api.ts';
import { departmentName, useApp } from '../context.ts';
import { t } from '../i18n/index.ts';
import { Loading } from '../components/common.tsx';
import { AdminError, ConfirmDialog, FieldError, TextField } from './common.tsx';
import { adminApi } from './admin-api.ts';
import { agentFromList, agentPatch, inviteBody, sortTeam, type AgentView, type FieldErrors } from './logic.ts';

/** Team: every agent, an invitation form, and one agent's profile and account to change. */
export function Team() {
  const { departments, lang } = useApp();
  const [agents, setAgents] = useState<AgentView[]>();
  const [error, setError] = useState<unknown>();
  const [selected, setSelected] = useState<string>();

  const load = () =>
    api.agents().then(
      (r) => {
        setAgents(sortTeam(r.items.map(agentFromList)));
        setError(undefined);
      },
      (err) => setError(err),
    );
  useEffect(() => void load(), []);

  const changed = () => {
    // The ticket view's assignee list and the composer read cached lookups.
    clearCache();
    void load();
  };

  return (
    <div>
      <h2 id="team-title">{t('admin.team.title')}</h2>
      <AdminError error={error} />
      {!agents && !error && <Loading />}
      {agents && (
        <div class="table-wrap">
          <table class="queue">
            <caption class="visually-hidden">{t('admin.team.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.field.name')}</th>
                <th scope="col">{t('admin.field.email')}</th>
                <th scope="col">{t('admin.field.level')}</th>
                <th scope="col">{t('admin.field.admin')}</th>
                <th scope="col">{t('admin.field.departments')}</th>
                <th scope="col">{t('admin.field.account')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {agents.map((a) => (
                <tr key={a.email} class={selected === a.email ? 'selected' : undefined}>
                  <td>{a.name || '—'}</td>
                  <td>{a.email}</td>
                  <td>{a.level ? t('ticket.levelN', { level: a.level }) : '—'}</td>
                  <td>{a.admin ? t('admin.yes') : t('admin.no')}</td>
                  <td>{a.departments.map((d) => departmentName(departments, d, lang)).join(', ') || '—'}</td>
                  <td>{a.active ? t('admin.active') : <span class="badge badge-breached">{t('admin.disabled')}</span>}</td>
                  <td>
                    <button type="button" class="btn btn-small" data-agent={a.email} aria-label={t('admin.manageWho', { who: a.name || a.email })} onClick={() => setSelected(a.email)}>
                      {t('admin.manage')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {selected && <AgentPanel
          key={selected}
          email={selected}
          onChanged={changed}
          onClose={() => {
            setSelected(undefined);
            // Back to the row the panel was opened from.
            for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-agent]')) if (b.dataset.agent === selected) b.focus();
          }}
        />}
      <InviteForm onInvited={changed} />
    </div>
  );
}

function DepartmentChecks({ idPrefix, value, onChange }: { idPrefix: string; value: string[]; onChange: (v: string[]) => void }) {
  const { departments, lang } = useApp();
  return (
    <fieldset class="field">
      <legend>{t('admin.field.departments')}</legend>
      <div>
        {departments.map((d) => (
          <label key={d.id} class="check" for={`${idPrefix}-${d.id}`}>
            <input
              id={`${idPrefix}-${d.id}`}
              type="checkbox"
              checked={value.includes(d.id)}
              onChange={(e) => {
                const on = (e.currentTarget as HTMLInputElement).checked;
                onChange(on ? [...value, d.id] : value.filter((x) => x !== d.id));
              }}
            />
            {departmentName(departments, d.id, lang)}
          </label>
        ))}
        {departments.length === 0 && <span class="muted small">{t('admin.noDepartments')}</span>}
      </div>
    </fieldset>
  );
}

function LevelSelect({ id, value, onChange, allowNone, error }: { id: string; value: string; onChange: (v: string) => void; allowNone: boolean; error?: string }) {
  return (
    <div class="field">
      <label for={id}>{t('admin.field.level')}</label>
      <select id={id} value={value} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}>
        {allowNone && <option value="">{t('admin.noLevel')}</option>}
        {[1, 2, 3].map((l) => (
          <option key={l} value={String(l)}>
            {t('ticket.levelN', { level: l })}
          </option>
        ))}
      </select>
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}

function InviteForm({ onInvited }: { onInvited: () => void }) {
  const empty = { email: '', name: '', level: '1', admin: false, departments: [] as string[] };
  const [form, setForm] = useState(empty);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setDone(undefined);
    setError(undefined);
    const checked = inviteBody(form);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const a = await adminApi.invite(checked.body);
      setDone(a.status === 'FORCE_CHANGE_PASSWORD' || a.status === undefined ? t('admin.invite.done', { email: a.email }) : t('admin.invite.doneExisting', { email: a.email }));
      setForm(empty);
      onInvited();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="invite-title">
      <h2 id="invite-title">{t('admin.invite.title')}</h2>
      <p class="muted small">{t('admin.invite.help')}</p>
      <form onSubmit={submit} noValidate>
        <div class="field-row">
          <TextField id="invite-email" email label={t('admin.field.email')} value={form.email} error={errors.email} onInput={(v) => setForm({ ...form, email: v })} />
          <TextField id="invite-name" maxLength={200} label={t('admin.field.name')} value={form.name} error={errors.name} onInput={(v) => setForm({ ...form, name: v })} />
          <LevelSelect id="invite-level" value={form.level} allowNone={false} error={errors.level} onChange={(level) => setForm({ ...form, level })} />
        </div>
        <label class="check" for="invite-admin">
          <input id="invite-admin" type="checkbox" checked={form.admin} onChange={(e) => setForm({ ...form, admin: (e.currentTarget as HTMLInputElement).checked })} />
          {t('admin.field.adminRights')}
        </label>
        <DepartmentChecks idPrefix="invite-dept" value={form.departments} onChange={(departments) => setForm({ ...form, departments })} />
        <AdminError error={error} />
        {done && (
          <p class="notice notice-ok" role="status">
            {done}
          </p>
        )}
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? t('admin.busy') : t('admin.invite.submit')}
        </button>
      </form>
    </section>
  );
}

const statusKey = (s: string | undefined) =>
  s === 'FORCE_CHANGE_PASSWORD' ? 'admin.cognito.invited' : s === 'CONFIRMED' ? 'admin.cognito.confirmed' : s === 'MISSING' ? 'admin.cognito.missing' : undefined;

/** One agent: the user pool's view (GET /admin/agents/{email}), the profile to change, disable or enable. */
function AgentPanel({ email, onChanged, onClose }: { email: string; onChanged: () => void; onClose: () => void }) {
  const { session } = useApp();
  const self = session.email.toLowerCase() === email.toLowerCase();
  const [agent, setAgent] = useState<AgentView>();
  const [loadError, setLoadError] = useState<unknown>();
  const [form, setForm] = useState({ name: '', level: '', admin: false, departments: [] as string[] });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);

  const show = (a: AgentView) => {
    setAgent(a);
    setForm({ name: a.name, level: a.level ? String(a.level) : '', admin: a.admin, departments: a.departments });
  };
  const load = () => {
    const ctl = new AbortController();
    adminApi.agent(email, ctl.signal).then(show, (err) => {
      if ((err as Error).name !== 'AbortError') setLoadError(err);
    });
    return ctl;
  };
  useEffect(() => {
    const ctl = load();
    headingRef.current?.focus();
    return () => ctl.abort();
  }, [email]);

  const save = async (e: Event) => {
    e.preventDefault();
    if (!agent) return;
    setDone(undefined);
    setError(undefined);
    const patch = agentPatch(agent, form);
    if (!patch.ok) {
      setErrors(patch.errors);
      return;
    }
    setErrors({});
    if (!patch.body) {
      setDone(t('admin.agent.nothing'));
      return;
    }
    setBusy(true);
    try {
      const saved = await adminApi.update(email, patch.body);
      show({ ...agent, ...saved });
      setDone(t('admin.agent.saved'));
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const toggle = async () => {
    if (!agent) return;
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const disabling = agent.active;
      const saved = disabling ? await adminApi.disable(email) : await adminApi.enable(email);
      setConfirm(false);
      show({ ...agent, ...saved, enabled: !disabling });
      setDone(disabling ? t('admin.agent.disabledDone') : t('admin.agent.enabledDone'));
      onChanged();
    } catch (err) {
      setConfirm(false);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const status = statusKey(agent?.status);
  return (
    <section class="card" aria-labelledby="agent-title">
      <div class="page-head">
        <h2 id="agent-title" ref={headingRef} tabIndex={-1}>
          {agent ? `${agent.name} <${agent.email}>` : email}
        </h2>
        <button type="button" class="btn btn-small btn-ghost" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
      <AdminError error={loadError} />
      {!agent && !loadError && <Loading />}
      {agent && (
        <>
          <dl class="details">
            <div>
              <dt>{t('admin.field.signIn')}</dt>
              <dd>{status ? t(status) : (agent.status ?? '—')}</dd>
            </div>
            <div>
              <dt>{t('admin.field.account')}</dt>
              <dd>{agent.active ? t('admin.active') : t('admin.disabled')}</dd>
            </div>
          </dl>
          <form onSubmit={save} noValidate>
            <div class="field-row">
              <TextField id="agent-name" maxLength={200} label={t('admin.field.name')} value={form.name} error={errors.name} onInput={(v) => setForm({ ...form, name: v })} />
              <LevelSelect id="agent-level" value={form.level} allowNone={agent.level === null} error={errors.level} onChange={(level) => setForm({ ...form, level })} />
            </div>
            <label class="check" for="agent-admin">
              <input id="agent-admin" type="checkbox" checked={form.admin} onChange={(e) => setForm({ ...form, admin: (e.currentTarget as HTMLInputElement).checked })} />
              {t('admin.field.adminRights')}
            </label>
            <DepartmentChecks idPrefix="agent-dept" value={form.departments} onChange={(departments) => setForm({ ...form, departments })} />
            <AdminError error={error} />
            {done && (
              <p class="notice notice-ok" role="status">
                {done}
              </p>
            )}
            <div class="button-row">
              <button type="submit" class="btn btn-primary" disabled={busy}>
                {t('admin.agent.save')}
              </button>
              {self ? (
                <span class="muted small">{t('admin.agent.notYourself')}</span>
              ) : (
                <button type="button" class="btn" disabled={busy} onClick={() => setConfirm(true)}>
                  {agent.active ? t('admin.agent.disable') : t('admin.agent.enable')}
                </button>
              )}
            </div>
          </form>
          <ConfirmDialog
            open={confirm}
            title={agent.active ? t('admin.agent.disableTitle', { who: agent.name || agent.email }) : t('admin.agent.enableTitle', { who: agent.name || agent.email })}
            confirmLabel={agent.active ? t('admin.agent.disable') : t('admin.agent.enable')}
            busy={busy}
            onConfirm={() => void toggle()}
            onCancel={() => setConfirm(false)}
          >
            <p>{agent.active ? t('admin.agent.disableText') : t('admin.agent.enableText')}</p>
          </ConfirmDialog>
        </>
      )}
    </section>
  );
}
