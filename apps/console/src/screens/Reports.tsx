import './SearchTexts.tsx';
import type { Locale } from '@ajuda/i18n';
import { useEffect, useState } from 'preact/hooks';
import { useConsole } from '../context.ts';
import { INTL_TAG } from '../i18n.ts';
import { getJson } from './SearchTexts.tsx';

/** The server's Report (apps/server/src/insights/reports.ts); docs/reports.md defines each figure. */
interface Rate {
  of: number;
  yes: number;
  rate: number | null;
}
interface Report {
  period: { from: string; to: string; timeZone: string };
  firstResponse: { count: number; medianSeconds: number | null; p90Seconds: number | null };
  sla: Array<{ priority: string; firstResponse: Rate; resolution: Rate }>;
  answeredYes: Rate;
  reopened: Rate;
  escalated: Rate;
  volume: Array<{ priority: string | null; language: string; requestType: string; queue: string; count: number }>;
  hours: number[];
  deflection: HelpCounts & { rate: Rate; byLanguage: Array<HelpCounts & { language: string; rate: Rate }> };
}
interface HelpCounts {
  searches: number;
  suggested: number;
  opened: number;
  answered: number;
  continued: number;
}
type Filters = { from: string; to: string; team: string; priority: string; language: string };

const pct = (locale: Locale, r: Rate) => (r.rate === null ? null : new Intl.NumberFormat(INTL_TAG[locale], { style: 'percent', maximumFractionDigits: 1 }).format(r.rate));
export function duration(locale: Locale, s: number | null): string | null {
  if (s === null) return null;
  const n = (v: number, unit: 'second' | 'minute' | 'hour') => new Intl.NumberFormat(INTL_TAG[locale], { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 1 }).format(v);
  return s < 60 ? n(Math.round(s), 'second') : s < 3600 ? n(Math.round(s / 6) / 10, 'minute') : n(Math.round(s / 360) / 10, 'hour');
}

/** Reports for leads: first response, SLA compliance, answered/reopen/escalation rates, volume and hours; CSV export. */
export function Reports() {
  const { t, locale } = useConsole();
  const [f, setF] = useState<Filters>({ from: '', to: '', team: '', priority: '', language: '' });
  const [teams, setTeams] = useState<Array<{ id: string; name: string }>>([]);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const query = (x: Filters) => new URLSearchParams(Object.entries(x).filter(([, v]) => v)).toString();
  async function load(x: Filters) {
    const r = await getJson<Report>(`/api/agent/reports?${query(x)}`);
    if (!r.ok) return setError(t('reports.bad', { detail: r.detail }));
    setError(null);
    setReport(r.body);
    if (!x.from) setF({ ...x, from: r.body.period.from, to: r.body.period.to });
  }
  useEffect(() => {
    void load(f);
    void getJson<{ teams: Array<{ id: string; name: string }> }>('/api/admin/teams').then((r) => r.ok && setTeams(r.body.teams));
  }, []);
  const set = (k: keyof Filters) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  const none = t('reports.noData');
  return (
    <main class="insight" id="main" aria-labelledby="reports-title">
      <h2 id="reports-title">{t('reports.title')}</h2>
      <form
        class="insight-form"
        aria-label={t('reports.period')}
        onSubmit={(e) => {
          e.preventDefault();
          void load(f);
        }}
      >
        <label class="field">
          {t('reports.from')}
          <input type="date" value={f.from} onInput={set('from')} />
        </label>
        <label class="field">
          {t('reports.to')}
          <input type="date" value={f.to} onInput={set('to')} />
        </label>
        <label class="field">
          {t('reports.team')}
          <select value={f.team} onChange={set('team')}>
            <option value="">{t('reports.allTeams')}</option>
            {teams.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          {t('reports.priority')}
          <select value={f.priority} onChange={set('priority')}>
            <option value="">{t('reports.all')}</option>
            {['P1', 'P2', 'P3', 'P4'].map((p) => (
              <option key={p} value={p}>
                {p} · {t(`priority.${p}.name`)}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          {t('reports.language')}
          <select value={f.language} onChange={set('language')}>
            <option value="">{t('reports.all')}</option>
            {['pt', 'en', 'es'].map((l) => (
              <option key={l} value={l}>
                {t(`insights.lang.${l}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="btn btn--primary">
          {t('reports.apply')}
        </button>
        <a class="btn" href={`/api/agent/reports.csv?${query(f)}`} download>
          {t('reports.csv')}
        </a>
      </form>
      {error ? (
        <p role="alert" class="notice-inline">
          {error}
        </p>
      ) : null}
      {!report ? (
        <p class="muted" role="status">
          {t('insights.loading')}
        </p>
      ) : (
        <>
          <p class="muted small" role="status">
            {report.period.from} – {report.period.to} · {t('reports.timeZone', { tz: report.period.timeZone })} · {t('reports.definitions')}
          </p>
          <div class="insight-cards">
            <section class="insight-card" aria-labelledby="frt-h">
              <h3 id="frt-h">{t('reports.frt')}</h3>
              <span class="muted small">{t('reports.frt.median')}</span>
              <span class="big" data-figure="frt-median">{duration(locale, report.firstResponse.medianSeconds) ?? none}</span>
              <span class="muted small">
                {t('reports.frt.p90')}: <strong data-figure="frt-p90">{duration(locale, report.firstResponse.p90Seconds) ?? none}</strong>
              </span>
              <span class="muted small">{t('reports.frt.count', { count: report.firstResponse.count })}</span>
            </section>
            {(
              [
                ['yes', report.answeredYes],
                ['reopen', report.reopened],
                ['escalation', report.escalated],
              ] as const
            ).map(([k, r]) => (
              <section key={k} class="insight-card" aria-labelledby={`${k}-h`}>
                <h3 id={`${k}-h`}>{t(`reports.${k}`)}</h3>
                <span class="big" data-figure={k}>{pct(locale, r) ?? none}</span>
                <span class="muted small">{t('reports.rateOf', { yes: r.yes, of: r.of })}</span>
              </section>
            ))}
            <section class="insight-card" aria-labelledby="deflection-h">
              <h3 id="deflection-h">{t('reports.deflection')}</h3>
              <span class="big" data-figure="deflection">{pct(locale, report.deflection.rate) ?? none}</span>
              <span class="muted small">{t('reports.deflection.of', { yes: report.deflection.rate.yes, of: report.deflection.rate.of })}</span>
            </section>
          </div>
          <section class="insight-section" aria-labelledby="sla-h" tabIndex={0}>
            <h3 id="sla-h">{t('reports.sla')}</h3>
            <SlaChart report={report} />
            <p class="muted small insight-legend">
              <span class="insight-swatch" aria-hidden="true" /> {t('reports.sla.first')} <span class="insight-swatch insight-swatch--light" aria-hidden="true" /> {t('reports.sla.resolution')}
            </p>
            <table class="insight-table">
              <thead>
                <tr>
                  <th scope="col">{t('reports.priority')}</th>
                  <th scope="col" class="num">{t('reports.sla.first')}</th>
                  <th scope="col" class="num">{t('reports.sla.resolution')}</th>
                </tr>
              </thead>
              <tbody>
                {report.sla.map((s) => (
                  <tr key={s.priority}>
                    <th scope="row">
                      {s.priority} · {t(`priority.${s.priority}.name`)}
                    </th>
                    {[s.firstResponse, s.resolution].map((r, i) => (
                      <td key={i} class="num">
                        {pct(locale, r) ?? none} <span class="muted small">({t('reports.sla.met', { yes: r.yes, of: r.of })})</span>
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section class="insight-section" aria-labelledby="hours-h" tabIndex={0}>
            <h3 id="hours-h">{t('reports.hours')}</h3>
            <HoursChart hours={report.hours} />
            <p class="muted small">{t('reports.chartNote')}</p>
            <table class="insight-table">
              <thead>
                <tr>
                  <th scope="col">{t('reports.hour')}</th>
                  {report.hours.map((_, h) => (
                    <th key={h} scope="col" class="num">
                      {String(h).padStart(2, '0')}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                <tr>
                  <th scope="row">{t('reports.count')}</th>
                  {report.hours.map((n, h) => (
                    <td key={h} class="num">
                      {n}
                    </td>
                  ))}
                </tr>
              </tbody>
            </table>
          </section>
          <section class="insight-section" aria-labelledby="help-h" tabIndex={0}>
            <h3 id="help-h">{t('reports.deflection.byLanguage')}</h3>
            <p class="muted small">{t('reports.deflection.note')}</p>
            {report.deflection.byLanguage.length ? (
              <table class="insight-table" data-table="deflection">
                <thead>
                  <tr>
                    <th scope="col">{t('reports.language')}</th>
                    {(['searches', 'suggested', 'opened', 'answered', 'continued', 'rate'] as const).map((k) => (
                      <th key={k} scope="col" class="num">
                        {t(`reports.deflection.${k}`)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {[...report.deflection.byLanguage, { ...report.deflection, language: '' }].map((d) => (
                    <tr key={d.language}>
                      <th scope="row">{d.language ? t(`insights.lang.${d.language}`) : t('reports.all')}</th>
                      <td class="num">{d.searches}</td>
                      <td class="num">{d.suggested}</td>
                      <td class="num">{d.opened}</td>
                      <td class="num">{d.answered}</td>
                      <td class="num">{d.continued}</td>
                      <td class="num">{pct(locale, d.rate) ?? none}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p class="muted">{t('reports.deflection.none')}</p>
            )}
          </section>
          <section class="insight-section" aria-labelledby="volume-h" tabIndex={0}>
            <h3 id="volume-h">{t('reports.volume')}</h3>
            {report.volume.length ? (
              <table class="insight-table">
                <thead>
                  <tr>
                    <th scope="col">{t('reports.priority')}</th>
                    <th scope="col">{t('reports.language')}</th>
                    <th scope="col">{t('reports.requestType')}</th>
                    <th scope="col">{t('reports.queue')}</th>
                    <th scope="col" class="num">{t('reports.count')}</th>
                  </tr>
                </thead>
                <tbody>
                  {report.volume.map((v) => (
                    <tr key={`${v.priority}|${v.language}|${v.requestType}|${v.queue}`}>
                      <td>{v.priority ?? '—'}</td>
                      <td>{t(`insights.lang.${v.language}`)}</td>
                      <td>{t(`requestType.${v.requestType}`)}</td>
                      <td>{t(`insights.queue.${v.queue}`)}</td>
                      <td class="num">{v.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p class="muted">{t('reports.noVolume')}</p>
            )}
          </section>
        </>
      )}
    </main>
  );
}

/** Compliance per priority as two small bars each (first response, resolution); the table beside it has the numbers. */
function SlaChart({ report }: { report: Report }) {
  const W = 360;
  const rowH = 26;
  return (
    <svg class="insight-chart" viewBox={`0 0 ${W} ${report.sla.length * rowH + 4}`} aria-hidden="true" focusable="false" style={{ maxWidth: `${W}px` }}>
      {report.sla.map((s, i) =>
        [s.firstResponse, s.resolution].map((r, j) => (
          <g key={`${i}-${j}`}>
            {j === 0 ? (
              <text x="0" y={i * rowH + 14}>
                {s.priority}
              </text>
            ) : null}
            <rect x="28" y={i * rowH + 3 + j * 10} width={W - 70} height="8" fill="#eef0f4" />
            <rect class="bar" x="28" y={i * rowH + 3 + j * 10} width={(W - 70) * (r.rate ?? 0)} height="8" opacity={j ? 0.6 : 1} />
            <text x={W - 38} y={i * rowH + 10 + j * 10}>
              {r.rate === null ? '—' : `${Math.round(r.rate * 100)}%`}
            </text>
          </g>
        )),
      )}
    </svg>
  );
}

function HoursChart({ hours }: { hours: number[] }) {
  const max = Math.max(1, ...hours);
  const W = 480;
  const H = 90;
  const bw = W / 24;
  return (
    <svg class="insight-chart" viewBox={`0 0 ${W} ${H + 14}`} aria-hidden="true" focusable="false">
      {hours.map((n, h) => (
        <g key={h}>
          <rect class="bar" x={h * bw + 2} y={H - (H * n) / max} width={bw - 4} height={(H * n) / max} />
          {h % 3 === 0 ? (
            <text x={h * bw + 2} y={H + 12}>
              {String(h).padStart(2, '0')}
            </text>
          ) : null}
        </g>
      ))}
    </svg>
  );
}
