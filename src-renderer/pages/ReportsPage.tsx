import { useState, type ReactElement } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Legend,
  Line,
  LineChart,
  Pie,
  PieChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
  type DefaultLegendContentProps,
} from 'recharts';
import { Link } from 'react-router-dom';
import { api } from '../api';
import { useQuery } from '../api/hooks';
import { DAY_MS, dayStart, fill, fromLocalInput, toLocalInput } from '../components/crm/util';
import { DateField } from '../components/DateTimeField';
import { EmptyState, ErrorState, Loading, PageHeader } from '../components/States';
import { he } from '../i18n/he';
import { useAvailable } from '../lib/capabilities';
import { Money, Num } from '../components/format';
import { formatMoney, formatPercent, formatSeconds } from '../lib/format';
import '../styles/crm.css';

const t = he.crm.reports;

/**
 * The charts' legend. Recharts' own names every swatch "… legend icon" in English for screen
 * readers; here the swatch is decoration and the series name is the text.
 */
function ChartLegend({ payload }: DefaultLegendContentProps) {
  return (
    <ul className="chart-legend">
      {payload?.map((e, i) => (
        <li key={i}>
          <span className="chart-legend-swatch" style={{ background: e.color }} aria-hidden="true" />
          {String(e.value ?? '')}
        </li>
      ))}
    </ul>
  );
}
const COLORS = ['#1b64d8', '#17743f', '#a15c00', '#c62828', '#6f42c1', '#0e7490'];
/** Calls per day, stacked: answered live, left a voice message, missed (with their colours). */
const CALL_SERIES = [
  ['live', 0],
  ['fallback', 2],
  ['missed', 3],
] as const;
/** Chart values are whole shekels; shown as every other amount ("18,000 ₪"). */
const secondsTick = (v: unknown) => formatSeconds(Number(v) * 1000);
const shekelTick = (v: unknown) => formatMoney(Math.round(Number(v) * 100));

/** One report card: a title, and the chart or an empty state. */
function ChartCard({
  title,
  empty = false,
  children,
}: {
  title: string;
  empty?: boolean;
  children: ReactElement;
}) {
  return (
    <section className="card chart-card">
      <h2>{title}</h2>
      {empty ? (
        <EmptyState title={t.empty} />
      ) : (
        <div className="chart-box">
          <ResponsiveContainer>{children}</ResponsiveContainer>
        </div>
      )}
    </section>
  );
}
const PRESETS = { d7: 7, d30: 30, d90: 90, y1: 365 } as const;
const dd = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}`;
const mm = (iso: string) => `${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
const shekels = (agorot: number) => Math.round(agorot / 100);

export function ReportsPage() {
  const today = dayStart(Date.now());
  const [from, setFrom] = useState(toLocalInput(today - 29 * DAY_MS).slice(0, 10));
  const [to, setTo] = useState(toLocalInput(today).slice(0, 10));
  const fromMs = fromLocalInput(`${from}T00:00`) ?? today;
  const toMs = (fromLocalInput(`${to}T00:00`) ?? today) + DAY_MS;
  const valid = toMs > fromMs && toMs - fromMs <= 400 * DAY_MS;
  const r = useQuery(
    () => (valid ? api.call('crm.reports', { from: fromMs, to: toMs }) : Promise.reject(new Error('range'))),
    [fromMs, toMs],
  );
  const preset = (days: number) => {
    setFrom(toLocalInput(today - (days - 1) * DAY_MS).slice(0, 10));
    setTo(toLocalInput(today).slice(0, 10));
  };
  const d = r.data;
  // Revenue and open invoices come from invoices and payments: left out until those are built.
  const invoices = useAvailable('invoices_enabled');

  return (
    <>
      <PageHeader title={t.title} subtitle={t.subtitle} />
      <section className="card">
        <div className="range-picker" data-testid="range-picker">
          <DateField id="r-from" label={t.from} value={from} onChange={(v) => v && setFrom(v)} />
          <DateField id="r-to" label={t.to} value={to} onChange={(v) => v && setTo(v)} />
          <div className="seg" role="group">
            {(Object.keys(PRESETS) as Array<keyof typeof PRESETS>).map((k) => (
              <button key={k} onClick={() => preset(PRESETS[k])}>
                {t.presets[k]}
              </button>
            ))}
          </div>
        </div>
        {!valid && (
          <div className="notice notice-error" style={{ marginTop: 12 }}>
            {t.badRange}
          </div>
        )}
        {d && (
          <div className="kpis">
            <div className="stat-tile">
              <div className="label">{t.totalCalls}</div>
              <div className="value">
                <Num value={d.answer.total} />
              </div>
            </div>
            <div className="stat-tile">
              <div className="label">{t.liveRate}</div>
              <div className="value">
                <Num value={formatPercent(d.answer.liveRate)} />
              </div>
            </div>
            <div className="stat-tile">
              <div className="label">{t.avgLatency}</div>
              <div className="value">{fill(he.calls.seconds, { n: formatSeconds(d.avgTurnLatencyMs) })}</div>
            </div>
            {invoices && (
              <Link
                to="/invoices/unpaid"
                className="stat-tile"
                style={{ color: 'inherit', textDecoration: 'none' }}
                data-testid="report-unpaid"
              >
                <div className="label">{he.crm.dashboard.unpaidInvoices}</div>
                <div className="value">
                  <Money agorot={d.openInvoices.totalAgorot} />
                </div>
              </Link>
            )}
          </div>
        )}
      </section>
      {valid && r.loading && !d && <Loading />}
      {valid && r.error !== undefined && <ErrorState error={r.error} onRetry={r.reload} />}
      {d && (
        <div className="grid grid-2" style={{ marginTop: 20 }} data-testid="reports">
          <ChartCard title={t.callsPerDay} empty={d.callsPerDay.length === 0}>
            <BarChart data={d.callsPerDay.map((x) => ({ ...x, date: dd(x.date) }))}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="date" reversed fontSize={11} />
              <YAxis orientation="right" fontSize={11} allowDecimals={false} />
              <Tooltip />
              <Legend content={ChartLegend} />
              {CALL_SERIES.map(([key, color]) => (
                <Bar
                  key={key}
                  isAnimationActive={false}
                  dataKey={key}
                  name={t[key]}
                  stackId="a"
                  fill={COLORS[color]}
                />
              ))}
            </BarChart>
          </ChartCard>
          <ChartCard title={t.latency} empty={d.latencyPerDay.length === 0}>
            <LineChart
              data={d.latencyPerDay.map((x) => ({
                date: dd(x.date),
                avgFirstAudio: x.avgFirstAudioMs / 1000,
                avgTotal: x.avgTotalMs / 1000,
              }))}
            >
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="date" reversed fontSize={11} />
              <YAxis orientation="right" fontSize={11} tickFormatter={secondsTick} />
              <Tooltip formatter={secondsTick} />
              <Legend content={ChartLegend} />
              <Line
                isAnimationActive={false}
                type="monotone"
                dataKey="avgFirstAudio"
                name={t.firstAudio}
                stroke={COLORS[1]}
                dot={false}
                strokeWidth={2}
              />
              <Line
                isAnimationActive={false}
                type="monotone"
                dataKey="avgTotal"
                name={t.total}
                stroke={COLORS[0]}
                dot={false}
                strokeWidth={2}
              />
            </LineChart>
          </ChartCard>
          <ChartCard title={t.leadsBySource} empty={d.leadsBySource.length === 0}>
            <PieChart>
              <Pie
                isAnimationActive={false}
                data={d.leadsBySource.map((x) => ({ name: he.crm.source[x.source], value: x.count }))}
                dataKey="value"
                nameKey="name"
                innerRadius={55}
                outerRadius={95}
                paddingAngle={2}
                label
              >
                {d.leadsBySource.map((x, i) => (
                  <Cell key={x.source} fill={COLORS[i % COLORS.length]} />
                ))}
              </Pie>
              <Tooltip />
              <Legend content={ChartLegend} />
            </PieChart>
          </ChartCard>
          {invoices && (
            <>
              <ChartCard title={t.revenueByMonth} empty={d.revenueByMonth.length === 0}>
                <BarChart
                  data={d.revenueByMonth.map((x) => ({
                    month: mm(x.month),
                    total: shekels(x.totalAgorot),
                  }))}
                >
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="month" reversed fontSize={11} />
                  <YAxis orientation="right" fontSize={11} tickFormatter={shekelTick} width={80} />
                  <Tooltip formatter={shekelTick} />
                  <Bar isAnimationActive={false} dataKey="total" name={t.revenueByMonth} fill={COLORS[1]} />
                </BarChart>
              </ChartCard>
              <ChartCard title={t.openInvoices}>
                <BarChart
                  data={d.openInvoices.aging.map((x) => ({
                    bucket: t.aging[x.bucket],
                    total: shekels(x.totalAgorot),
                    count: x.count,
                  }))}
                >
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="bucket" reversed fontSize={11} />
                  <YAxis orientation="right" fontSize={11} tickFormatter={shekelTick} width={80} />
                  <Tooltip formatter={shekelTick} />
                  <Bar
                    isAnimationActive={false}
                    dataKey="total"
                    name={he.crm.dashboard.unpaidInvoices}
                    fill={COLORS[3]}
                  />
                </BarChart>
              </ChartCard>
            </>
          )}
        </div>
      )}
    </>
  );
}
