import { type Html, html } from '../../html';
import { valueScale } from './chart-scale';

export interface Bar {
  /** Said in the bar's tooltip: `03:00 UTC`, `7 Dec`. */
  label: string;
  value: number;
  /** Written under the axis when set (every few bars, so labels never overlap). */
  tick?: string;
}

export interface BarChart {
  /** Unique on the page: the ids of the title and the description derive from it. */
  id: string;
  title: string;
  /** The text summary a screen reader hears: the total and the peak. */
  summary: string;
  bars: Bar[];
}

/** Drawing units: the SVG scales to its container (viewBox, width 100%), these are not pixels. */
const WIDTH = 600;
const HEIGHT = 220;
const PLOT = { left: 44, right: 8, top: 10, bottom: 28 };
const PLOT_WIDTH = WIDTH - PLOT.left - PLOT.right;
const PLOT_HEIGHT = HEIGHT - PLOT.top - PLOT.bottom;
/** Of each bar's band: the rest is the gap between bars. */
const BAR_FILL = 0.7;

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * A bar chart as server-rendered SVG: gridlines with value labels, bars, tick labels. No style
 * attribute and no script (the CSP); colours are CSS classes (activity.css), so dark mode can
 * restyle them. One `role="img"` named by its title and described by the summary.
 */
export const barChart = (chart: BarChart): Html => {
  const scale = valueScale(Math.max(0, ...chart.bars.map((bar) => bar.value)));
  const y = (value: number) => round(PLOT.top + PLOT_HEIGHT - (value / scale.top) * PLOT_HEIGHT);
  const band = PLOT_WIDTH / Math.max(1, chart.bars.length);
  const barWidth = round(band * BAR_FILL);
  const x = (i: number) => round(PLOT.left + i * band + (band - barWidth) / 2);
  const titleId = `${chart.id}-title`;
  const descId = `${chart.id}-desc`;
  return html`<svg class="activity-chart" role="img" aria-labelledby="${titleId} ${descId}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" preserveAspectRatio="xMidYMid meet">
<title id="${titleId}">${chart.title}</title>
<desc id="${descId}">${chart.summary}</desc>
<g class="activity-grid">${scale.ticks.map(
    (tick) =>
      html`<line x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${y(tick)}" y2="${y(tick)}"></line>`,
  )}</g>
<g class="activity-value-labels" text-anchor="end">${scale.ticks.map(
    (tick) => html`<text x="${PLOT.left - 6}" y="${y(tick) + 4}">${tick}</text>`,
  )}</g>
<g class="activity-bars">${chart.bars.map((bar, i) =>
    bar.value > 0
      ? html`<rect class="activity-bar" x="${x(i)}" y="${y(bar.value)}" width="${barWidth}" height="${round(PLOT.top + PLOT_HEIGHT - y(bar.value))}"><title>${bar.label}: ${bar.value}</title></rect>`
      : '',
  )}</g>
<line class="activity-axis" x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${y(0)}" y2="${y(0)}"></line>
<g class="activity-tick-labels" text-anchor="middle">${chart.bars.map((bar, i) =>
    bar.tick === undefined
      ? ''
      : html`<text x="${round(PLOT.left + i * band + band / 2)}" y="${HEIGHT - 8}">${bar.tick}</text>`,
  )}</g>
</svg>`;
};
