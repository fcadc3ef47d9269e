import {
  type ActivitySeries,
  activityDashboard,
  DASHBOARD_DAYS,
  DASHBOARD_HOURS,
} from '../../../core/activity/dashboard';
import { ACTIVITY_METRICS, type ActivityMetric } from '../../../core/activity/metrics';
import { html } from '../../html';
import { layout } from '../../layout';
import { type PageAction, page } from '../../page-handler';
import { consoleAction } from '../console-shared';
import { barChart } from './bar-chart';
import { metricWords } from './metric-words';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A window in words, UTC: `03:00` for an hour, `7 Dec` for a day. */
const windowLabel = (series: ActivitySeries, start: string) =>
  series.granularity === 'hour'
    ? `${start.slice(11, 13)}:00`
    : `${Number(start.slice(8, 10))} ${MONTHS[Number(start.slice(5, 7)) - 1]}`;

/** Every sixth hour and every fifth day under the axis: never crowded at 375 px. */
const TICK_EVERY = { hour: 6, day: 5 } as const;

const chartOf = (metric: ActivityMetric, series: ActivitySeries) => {
  const { name } = metricWords[metric];
  const span =
    series.granularity === 'hour'
      ? `per hour, last ${DASHBOARD_HOURS} hours`
      : `per day, last ${DASHBOARD_DAYS} days`;
  const values = series.windows.map((w) => ({
    label: windowLabel(series, w.start),
    value: w.counts[metric] ?? 0,
  }));
  const total = values.reduce((sum, v) => sum + v.value, 0);
  const peak = values.reduce((best, v) => (v.value > best.value ? v : best), {
    label: '',
    value: 0,
  });
  const id = `${metric}-${series.granularity}`;
  const bars = values.map((v, i) => ({
    ...v,
    ...((values.length - 1 - i) % TICK_EVERY[series.granularity] === 0 ? { tick: v.label } : {}),
  }));
  const summary =
    total === 0
      ? `None in this period.`
      : `${total} in total; the most, ${peak.value}, at ${peak.label} UTC.`;
  return html`<figure class="activity-figure">
${barChart({ id, title: `${name} ${span} (UTC)`, summary, bars })}
<details>
<summary>${name} ${span}: the numbers</summary>
<div class="table-wrap"><table class="activity-table" id="${id}-table">
<caption>${name} ${span}, UTC</caption>
<thead><tr><th scope="col">${series.granularity === 'hour' ? 'Hour (UTC)' : 'Day (UTC)'}</th><th scope="col">${name}</th></tr></thead>
<tbody>${series.windows.map(
    (w, i) =>
      html`<tr><th scope="row"><time datetime="${w.start}">${values[i]?.label}</time></th><td data-metric="${metric}" data-window="${w.start}">${values[i]?.value}</td></tr>`,
  )}</tbody>
</table></div>
</details>
</figure>`;
};

/** GET /console/activity: the counters' charts and tables; the audit log's readers only. */
export const activityPage: PageAction = consoleAction('audit:read', async (request, actor) => {
  const board = await activityDashboard(request.deps);
  const body = html`<section aria-labelledby="now-heading">
<h2 id="now-heading">Last 24 hours</h2>
<dl class="activity-now">${ACTIVITY_METRICS.map(
    (metric) =>
      html`<div><dt>${metricWords[metric].name}</dt><dd data-metric="${metric}">${board.last24h[metric]}</dd></div>`,
  )}</dl>
<p>Who is locked out right now, and until when: <a href="/console/lockouts">Lockouts</a>. API token uses are counted by each authorizer instance and written every few seconds, so the newest may show a little late.</p>
</section>
${ACTIVITY_METRICS.map(
  (metric) => html`<section class="activity-metric" aria-labelledby="${metric}-heading">
<h2 id="${metric}-heading">${metricWords[metric].name}</h2>
<p class="hint">${metricWords[metric].hint}</p>
<div class="activity-charts">
${chartOf(metric, board.hours)}
${chartOf(metric, board.days)}
</div>
</section>`,
)}`;
  return page(200, layout({ title: 'Activity', body, user: actor.user, csrf: request.csrf }));
});
