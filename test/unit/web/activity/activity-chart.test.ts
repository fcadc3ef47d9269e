import { describe, expect, it } from 'vitest';
import { barChart } from '../../../../src/web/pages/console-activity/bar-chart';
import { valueScale } from '../../../../src/web/pages/console-activity/chart-scale';

const heights = (svg: string) =>
  [...svg.matchAll(/<rect[^>]* height="([\d.]+)"/g)].map((m) => Number(m[1]));

describe('the value scale', () => {
  it('steps 1-2-5 with at most 5 intervals, the top at or above the maximum', () => {
    expect(valueScale(0)).toEqual({ top: 1, ticks: [0, 1] });
    expect(valueScale(3)).toEqual({ top: 3, ticks: [0, 1, 2, 3] });
    expect(valueScale(7)).toEqual({ top: 8, ticks: [0, 2, 4, 6, 8] });
    expect(valueScale(23)).toEqual({ top: 25, ticks: [0, 5, 10, 15, 20, 25] });
    expect(valueScale(101)).toEqual({ top: 150, ticks: [0, 50, 100, 150] });
    for (const max of [1, 9, 10, 11, 99, 1234, 987_654]) {
      const { top, ticks } = valueScale(max);
      expect(top).toBeGreaterThanOrEqual(max);
      expect(ticks.length - 1).toBeLessThanOrEqual(5);
      expect(ticks.at(-1)).toBe(top);
    }
  });
});

describe('the bar chart', () => {
  const bars = (values: number[]) => values.map((value, i) => ({ label: `h${i}`, value }));

  it('is one named, described image that scales to its container, with no style attribute', () => {
    const svg = barChart({
      id: 'c',
      title: 'Sign-ins <per hour>',
      summary: '3 in total.',
      bars: bars([1, 2]),
    }).value;
    expect(svg).toMatch(
      /^<svg class="activity-chart" role="img" aria-labelledby="c-title c-desc" viewBox="0 0 600 220" width="100%"/,
    );
    expect(svg).toContain('<title id="c-title">Sign-ins &lt;per hour&gt;</title>');
    expect(svg).toContain('<desc id="c-desc">3 in total.</desc>');
    expect(svg).not.toMatch(/style=|<script/);
  });

  it('draws an axis and gridlines and no bar for empty data', () => {
    const svg = barChart({ id: 'e', title: 't', summary: 's', bars: bars([0, 0, 0]) }).value;
    expect(svg).not.toContain('<rect');
    expect(svg.match(/<line /g)).toHaveLength(3);
  });

  it('scales bars to the tallest: one huge bar fills the plot, the others stay in proportion', () => {
    const svg = barChart({
      id: 'h',
      title: 't',
      summary: 's',
      bars: bars([1, 1_000_000, 500_000]),
    }).value;
    const [small, huge, half] = heights(svg);
    expect(huge).toBe(182);
    expect(half).toBe(91);
    expect(small).toBeLessThan(1);
    expect(svg).toContain('>1000000</text>');
  });

  it('writes tick labels only for bars that carry one', () => {
    const svg = barChart({
      id: 't',
      title: 't',
      summary: 's',
      bars: [
        { label: '00:00', value: 1, tick: '00:00' },
        { label: '01:00', value: 2 },
      ],
    }).value;
    expect(svg.match(/<text[^>]*>00:00<\/text>/g)).toHaveLength(1);
    expect(svg).not.toMatch(/<text[^>]*>01:00<\/text>/);
    expect(svg).toContain('<title>01:00: 2</title>');
  });
});
