import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { useApp } from '../context.ts';
import { formatDate, formatNumber, formatPercent, isoDay } from '../format.ts';
import { t, tr, type Language } from '../i18n/index.ts';
import { navigate, useLocation } from '../router.tsx';
import { backlogByLevel, csatBars, NONE, OTHER, slaOverall, slaRows, volumeSeries } from '../report-data.ts';
import type { Report, TriageFigures, TriageReport } from '../types.ts';
import { departmentName } from '../context.ts';
import { Empty, ErrorState, errorText, Loading } from '../components/common.tsx';
import { ChartBox, HorizontalBars, Legend, palette, SplitBars, StackedColumns } from '../components/charts.tsx';

const DAY = /^\d{4}-\d\d-\d\d$/;

function defaultRange(): { from: string; to: string } {
  const to = new Date();
  const from = new Date(to.getTime() - 29 * 86_400_000);
  return { from: isoDay(from), to: isoDay(to) };
}

const categoryName = (key: string) => (key === OTHER ? t('reports.other') : key === NONE ? t('reports.uncategorized') : tr('category', key));

/** The quality team's page: volume, recurring issues, SLA, backlog and satisfaction. */
export default function ReportsPage() {
  const { lang } = useApp();
  const loc = useLocation();
  const fallback = defaultRange();
  const from = DAY.test(loc.query.get('from') ?? '') ? loc.query.get('from')! : fallback.from;
  const to = DAY.test(loc.query.get('to') ?? '') ? loc.query.get('to')! : fallback.to;
  const [report, setReport] = useState<Report>();
  const [error, setError] = useState<unknown>();
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string>();

  useEffect(() => {
    document.title = `${t('reports.title')} · ${t('shell.brand')}`;
    setReport(undefined);
    setError(undefined);
    const ctl = new AbortController();
    api.report(from, to, ctl.signal).then(setReport, (err) => (err as Error).name !== 'AbortError' && setError(err));
    return () => ctl.abort();
  }, [from, to]);

  const exportCsv = async () => {
    setExporting(true);
    setExportError(undefined);
    try {
      const res = await api.reportCsv(from, to);
      if (!res.ok) throw new ApiError(res.status, `http_${res.status}`, res.statusText);
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `helpdesk-report-${from}-to-${to}.csv`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setExportError(err instanceof ApiError && err.status === 404 ? t('reports.unavailable') : errorText(err));
    } finally {
      setExporting(false);
    }
  };

  return (
    <div class="page page-reports">
      <div class="page-head">
        <h1 tabIndex={-1}>{t('reports.title')}</h1>
        <form
          class="filters"
          aria-label={t('reports.range')}
          onSubmit={(e) => {
            e.preventDefault();
            const data = new FormData(e.currentTarget as HTMLFormElement);
            const f = String(data.get('from') ?? '');
            const tt = String(data.get('to') ?? '');
            if (DAY.test(f) && DAY.test(tt)) navigate(`/reports?from=${f}&to=${tt}`);
          }}
        >
          <div class="field">
            <label for="report-from">{t('reports.from')}</label>
            <input id="report-from" name="from" type="date" defaultValue={from} key={`f${from}`} max={to} required />
          </div>
          <div class="field">
            <label for="report-to">{t('reports.to')}</label>
            <input id="report-to" name="to" type="date" defaultValue={to} key={`t${to}`} required />
          </div>
          <button type="submit" class="btn">
            {t('reports.apply')}
          </button>
          <button type="button" class="btn" onClick={() => void exportCsv()} disabled={exporting}>
            {exporting ? t('common.loading') : t('reports.exportCsv')}
          </button>
        </form>
      </div>
      {exportError && (
        <p class="notice notice-error" role="alert">
          {exportError}
        </p>
      )}
      {error !== undefined &&
        (error instanceof ApiError && error.status === 404 ? (
          <p class="notice notice-warn" role="status">
            {t('reports.unavailable')}
          </p>
        ) : (
          <ErrorState error={error} />
        ))}
      {!report && error === undefined && <Loading />}
      {report && <ReportView report={report} lang={lang} />}
    </div>
  );
}

function Panel({ id, title, children, table }: { id: string; title: string; children: ComponentChildren; table?: ComponentChildren }) {
  return (
    <section class="card report-panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
      {table && (
        <details class="as-table">
          <summary>{t('reports.showTable')}</summary>
          {table}
        </details>
      )}
    </section>
  );
}

const share = (x: number | null, lang: Language) => (x === null ? '—' : formatPercent(x, lang));

function TriageRow({ head, f, lang }: { head: string; f: TriageFigures; lang: Language }) {
  return (
    <tr>
      <th scope="row">{head}</th>
      <td>{f.triaged}</td>
      <td>{f.rules}</td>
      <td>{f.model}</td>
      <td>
        {f.dispatch} <span class="muted">({share(f.dispatchShare, lang)})</span>
      </td>
      <td>{f.confirmed}</td>
      <td>{f.corrected}</td>
      <td>{share(f.accuracy, lang)}</td>
    </tr>
  );
}

function TriageHeader({ first }: { first: string }) {
  return (
    <thead>
      <tr>
        <th scope="col">{first}</th>
        <th scope="col">{t('reports.triageTriaged')}</th>
        <th scope="col">{t('reports.triageRules')}</th>
        <th scope="col">{t('reports.triageModel')}</th>
        <th scope="col">{t('reports.triageUnrouted')}</th>
        <th scope="col">{t('reports.triageConfirmed')}</th>
        <th scope="col">{t('reports.triageCorrected')}</th>
        <th scope="col">{t('reports.triageAccuracy')}</th>
      </tr>
    </thead>
  );
}

/** How good triage is: per department and per week, accuracy from agents' verdicts, and the unrouted share. */
function TriageQuality({ triage, lang }: { triage: TriageReport; lang: Language }) {
  const { departments } = useApp();
  const week = (d: string) => formatDate(`${d}T12:00:00Z`, lang);
  const dept = (id: string | null) => (id === null ? t('reports.triageDispatchRow') : (departmentName(departments, id, lang) ?? id));
  return (
    <Panel id="r-triage" title={t('reports.triage')}>
      {triage.total.triaged === 0 && triage.total.confirmed + triage.total.corrected === 0 ? (
        <Empty>{t('reports.triageNone')}</Empty>
      ) : (
        <>
          <p class="big-number">
            {t('reports.triageSummary', { triaged: triage.total.triaged, accuracy: share(triage.total.accuracy, lang), dispatch: share(triage.total.dispatchShare, lang) })}
          </p>
          <ChartBox>
            {(w) => (
              <StackedColumns
                width={w}
                id="chart-triage"
                title={t('reports.triage')}
                summary={triage.perWeek.map((x) => `${week(x.week)}: ${x.triaged}`).join('; ')}
                labels={triage.perWeek.map((x) => x.week)}
                series={[
                  { name: t('reports.triageRules'), color: palette[0]!, values: triage.perWeek.map((x) => x.rules) },
                  { name: t('reports.triageModel'), color: palette[2]!, values: triage.perWeek.map((x) => x.model) },
                  { name: t('reports.triageUnrouted'), color: palette[4]!, values: triage.perWeek.map((x) => x.dispatch) },
                ]}
                tickLabel={(d) => week(d)}
              />
            )}
          </ChartBox>
          <Legend
            items={[
              { name: t('reports.triageRules'), color: palette[0]! },
              { name: t('reports.triageModel'), color: palette[2]! },
              { name: t('reports.triageUnrouted'), color: palette[4]! },
            ]}
          />
          <h3>{t('reports.triageByDepartment')}</h3>
          <div class="table-scroll">
            <table class="data" id="triage-by-department">
              <TriageHeader first={t('reports.triageDepartment')} />
              <tbody>
                {triage.departments.map((d) => (
                  <TriageRow key={d.department ?? '~none'} head={dept(d.department)} f={d} lang={lang} />
                ))}
                <TriageRow head={t('reports.total')} f={triage.total} lang={lang} />
              </tbody>
            </table>
          </div>
          <h3>{t('reports.triageByWeek')}</h3>
          <div class="table-scroll">
            <table class="data" id="triage-by-week">
              <TriageHeader first={t('reports.triageWeek')} />
              <tbody>
                {triage.perWeek.map((x) => (
                  <TriageRow key={x.week} head={week(x.week)} f={x} lang={lang} />
                ))}
              </tbody>
            </table>
          </div>
          <p class="muted small">{t('reports.triageNote')}</p>
        </>
      )}
    </Panel>
  );
}

function ReportView({ report, lang }: { report: Report; lang: Language }) {
  const volume = volumeSeries(report);
  const colored = volume.series.map((s, i) => ({ name: categoryName(s.key), values: s.values, color: s.key === OTHER ? palette[6]! : palette[i % 6]! }));
  const totalVolume = volume.series.reduce((n, s) => n + s.total, 0);
  const sla = slaRows(report);
  // Only combinations that saw tickets in the period are drawn; the table lists them all.
  const slaDrawn = sla.filter((r) => r.met + r.breached > 0);
  const overall = slaOverall(report);
  const backlog = backlogByLevel(report);
  const csat = csatBars(report);
  const statusColors: Record<string, string> = { new: palette[0]!, open: palette[5]!, pending: palette[4]!, on_hold: palette[3]! };
  const shortDay = (d: string) => new Intl.DateTimeFormat(lang, { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(new Date(`${d}T00:00:00Z`));

  return (
    <div class="report-grid">
      <Panel
        id="r-volume"
        title={t('reports.volume')}
        table={
          <table class="data">
            <thead>
              <tr>
                <th scope="col">{t('reports.day')}</th>
                {colored.map((s) => (
                  <th scope="col" key={s.name}>
                    {s.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {volume.days.map((d, i) => (
                <tr key={d}>
                  <th scope="row">{formatDate(`${d}T12:00:00Z`, lang)}</th>
                  {colored.map((s) => (
                    <td key={s.name}>{s.values[i]}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        }
      >
        {totalVolume === 0 ? (
          <Empty>{t('reports.noData')}</Empty>
        ) : (
          <>
            <ChartBox>
              {(w) => (
                <StackedColumns
                  width={w}
                  id="chart-volume"
                  title={t('reports.volume')}
                  summary={t('reports.volumeSummary', { count: totalVolume, days: volume.days.length })}
                  labels={volume.days}
                  series={colored}
                  tickLabel={(d) => shortDay(d)}
                />
              )}
            </ChartBox>
            <Legend items={colored} />
          </>
        )}
      </Panel>

      <Panel id="r-categories" title={t('reports.topCategories')}>
        {report.topCategories.length === 0 ? (
          <Empty>{t('reports.noData')}</Empty>
        ) : (
          <ChartBox>
            {(w) => (
              <HorizontalBars
                width={w}
                id="chart-categories"
                title={t('reports.topCategories')}
                summary={report.topCategories.map((c) => `${categoryName(c.category ?? NONE)}: ${c.count}`).join('; ')}
                rows={report.topCategories.map((c) => ({ label: categoryName(c.category ?? NONE), value: c.count }))}
              />
            )}
          </ChartBox>
        )}
      </Panel>

      <Panel id="r-subjects" title={t('reports.topSubjects')}>
        {report.topSubjects.length === 0 ? (
          <Empty>{t('reports.noData')}</Empty>
        ) : (
          <ChartBox>
            {(w) => (
              <HorizontalBars
                width={w}
                id="chart-subjects"
                title={t('reports.topSubjects')}
                summary={report.topSubjects.map((s) => `${s.subject}: ${s.count}`).join('; ')}
                rows={report.topSubjects.map((s) => ({ label: s.subject, value: s.count, color: palette[5] }))}
              />
            )}
          </ChartBox>
        )}
      </Panel>

      <Panel
        id="r-sla"
        title={t('reports.sla')}
        table={
          <table class="data">
            <thead>
              <tr>
                <th scope="col">{t('ticket.priority')}</th>
                <th scope="col">{t('ticket.level')}</th>
                <th scope="col">{t('reports.met')}</th>
                <th scope="col">{t('reports.breached')}</th>
                <th scope="col">{t('reports.compliance')}</th>
              </tr>
            </thead>
            <tbody>
              {sla.map((r) => (
                <tr key={`${r.priority}-${r.level}`}>
                  <th scope="row">{tr('priority', r.priority)}</th>
                  <td>{r.level}</td>
                  <td>{r.met}</td>
                  <td>{r.breached}</td>
                  <td>{r.rate === null ? '—' : formatPercent(r.rate, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        }
      >
        {overall !== null && <p class="big-number">{t('reports.withinSla', { share: formatPercent(overall, lang) })}</p>}
        {slaDrawn.length === 0 ? (
          <Empty>{t('reports.noSla')}</Empty>
        ) : (
          <>
            <ChartBox>
              {(w) => (
                <SplitBars
                  width={w}
                  id="chart-sla"
                  title={t('reports.sla')}
                  summary={slaDrawn.map((r) => `${tr('priority', r.priority)} L${r.level}: ${r.rate === null ? '—' : formatPercent(r.rate, lang)}`).join('; ')}
                  rows={slaDrawn.map((r) => ({
                  label: `${tr('priority', r.priority)} · ${t('ticket.levelN', { level: r.level })}`,
                  parts: [
                  { name: t('reports.met'), value: r.met, color: palette[2]! },
                  { name: t('reports.breached'), value: r.breached, color: palette[1]! },
                  ],
                  note: r.rate === null ? '—' : `${formatPercent(r.rate, lang)} (${r.met + r.breached})`,
                  }))}
                />
              )}
            </ChartBox>
            <Legend
              items={[
                { name: t('reports.met'), color: palette[2]! },
                { name: t('reports.breached'), color: palette[1]! },
              ]}
            />
          </>
        )}
      </Panel>

      <Panel
        id="r-backlog"
        title={t('reports.backlog')}
        table={
          <table class="data">
            <thead>
              <tr>
                <th scope="col">{t('ticket.level')}</th>
                {Object.keys(statusColors).map((s) => (
                  <th scope="col" key={s}>
                    {tr('status', s)}
                  </th>
                ))}
                <th scope="col">{t('reports.total')}</th>
              </tr>
            </thead>
            <tbody>
              {backlog.map((b) => (
                <tr key={b.level}>
                  <th scope="row">{t('ticket.levelN', { level: b.level })}</th>
                  {Object.keys(statusColors).map((s) => (
                    <td key={s}>{b.counts[s] ?? 0}</td>
                  ))}
                  <td>{b.total}</td>
                </tr>
              ))}
            </tbody>
          </table>
        }
      >
        <ChartBox>
          {(w) => (
            <StackedColumns
              width={w}
              id="chart-backlog"
              title={t('reports.backlog')}
              summary={backlog.map((b) => `${t('ticket.levelN', { level: b.level })}: ${b.total}`).join('; ')}
              labels={backlog.map((b) => t('ticket.levelN', { level: b.level }))}
              series={Object.entries(statusColors).map(([s, color]) => ({ name: tr('status', s), color, values: backlog.map((b) => b.counts[s] ?? 0) }))}
            />
          )}
        </ChartBox>
        <Legend items={Object.entries(statusColors).map(([s, color]) => ({ name: tr('status', s), color }))} />
      </Panel>

      <Panel id="r-csat" title={t('reports.csat')}>
        {report.csat.count === 0 ? (
          <Empty>{t('reports.noRatings')}</Empty>
        ) : (
          <>
            <p class="big-number">
              {t('reports.csatAverage', { average: formatNumber(report.csat.average ?? 0, lang, 1), count: report.csat.count })}
            </p>
            <ChartBox>
              {(w) => (
                <HorizontalBars
                  width={w}
                  id="chart-csat"
                  title={t('reports.csatDistribution')}
                  summary={csat.map((c) => `${c.rating}: ${c.count}`).join('; ')}
                  rows={[...csat].reverse().map((c) => ({ label: `${'★'.repeat(c.rating)} (${c.rating})`, value: c.count, color: c.rating >= 4 ? palette[2] : c.rating === 3 ? palette[4] : palette[1], valueLabel: `${c.count} · ${formatPercent(c.share, lang)}` }))}
                />
              )}
            </ChartBox>
          </>
        )}
      </Panel>

      {report.triage && <TriageQuality triage={report.triage} lang={lang} />}
    </div>
  );
}
