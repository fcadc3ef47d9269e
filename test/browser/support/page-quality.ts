import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Tab } from './browser';

/** The widths every console page must fit: a phone, a laptop, a wide desktop. */
export const WIDTHS = [375, 1280, 1920] as const;

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/**
 * What reaches past its box sideways: the page itself (`page`, by how many pixels), and every
 * element that scrolls or cuts its content sideways (a table in a scrolling wrapper counts: the
 * console fits its width, it does not hide columns behind a scrollbar). An element that
 * truncates on purpose (`text-overflow: ellipsis`, full value on focus or hover) does not count,
 * nor does a form field holding a value longer than itself.
 */
export const sidewaysOverflow = (page: Page) =>
  page.evaluate<string[]>(`(() => {
    const root = document.documentElement;
    const found = [];
    const pageOverflow = Math.max(root.scrollWidth, document.body.scrollWidth) - root.clientWidth;
    if (pageOverflow > 0) found.push('page by ' + pageOverflow + 'px');
    for (const element of document.body.querySelectorAll('*')) {
      const style = getComputedStyle(element);
      if (!['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX)) continue;
      if (style.textOverflow === 'ellipsis') continue;
      // A text field scrolls a long value inside itself by design (the caret reaches it).
      if (element.matches('input, textarea, select')) continue;
      // Screen-reader-only text (a 1px clipped box) is meant to be cut.
      if (element.clientWidth <= 1) continue;
      if (element.scrollWidth > element.clientWidth + 1) {
        const name = element.tagName.toLowerCase() + (element.id ? '#' + element.id : '') +
          [...element.classList].map((c) => '.' + c).join('');
        found.push(name + ' by ' + (element.scrollWidth - element.clientWidth) + 'px');
      }
    }
    return found;
  })()`);

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * axe-core's rules on the page as it is now, through the DevTools protocol (the page's own
 * CSP stays on: nothing is injected as a script tag). Answers the serious and critical ones.
 */
export const seriousAxeViolations = async (page: Page): Promise<AxeViolation[]> => {
  // Once per loaded document: a resize or a scheme switch keeps it.
  if (await page.evaluate('typeof axe === "undefined"')) await page.evaluate(axeSource);
  const violations = await page.evaluate<AxeViolation[]>(`(async () => {
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => JSON.stringify(n.target)),
    }));
  })()`);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
};

/**
 * Opens `path` once (it must answer 200), then at each width and scheme, by resizing the
 * viewport and switching the colour scheme (media queries apply at once; nothing of the layout
 * depends on a reload): screenshots it (screenshots/<test>-<nn>-<label>-<width>.png), and
 * expects no sideways overflow at any; no serious or critical axe violation on the widest in
 * light and the phone's in dark.
 */
export const expectFitsEveryWidth = async (tab: Tab, path: string, label: string) => {
  const { page } = tab;
  // Light at every width; dark at the phone's (the layout is the same in both schemes, only
  // colours differ, and axe checks their contrast there). Axe on each layout and each scheme
  // once: the widest in light, the phone's in dark.
  const runs = [
    ...WIDTHS.map((width) => ({ scheme: 'light' as const, width, axe: width === 1920 })),
    { scheme: 'dark' as const, width: WIDTHS[0], axe: true },
  ];
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: WIDTHS[0], height: 900 });
  const response = await page.goto(path);
  expect(response?.status(), label).toBe(200);
  for (const { scheme, width, axe } of runs) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width, height: 900 });
    await tab.snap(`${label}-${scheme}-${width}`);
    expect(
      await sidewaysOverflow(page),
      `${path} overflows sideways at ${width}px (${scheme})`,
    ).toEqual([]);
    if (axe) {
      expect(await seriousAxeViolations(page), `${path} at ${width}px (${scheme})`).toEqual([]);
    }
  }
  await page.emulateMedia({ colorScheme: null });
};
