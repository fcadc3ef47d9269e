import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type LaunchOptions,
  type Page,
  type Response,
} from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { useLocalStack } from '../../support/local-stack';

export const OWNER = { email: 'owner@browser.test', password: 'browser owner passphrase' };

const SCREENSHOTS = fileURLToPath(new URL('../screenshots/', import.meta.url));

/** Debian's chromium (never a downloaded browser), headless, quiet and offline. */
const LAUNCH: LaunchOptions = {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-default-apps',
  ],
};

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);

/** One test's browser: a fresh context (no cookies), one page, and what it went through. */
export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Every URL the browser requested (each redirect hop too) or showed, in order. */
  urls: string[];
  /** A full-page screenshot of what the page shows now: screenshots/<test>-<nn>-<step>.png. */
  snap(step: string): Promise<void>;
  /** Opens a path of the service (or an absolute URL) and screenshots it. */
  visit(path: string, step: string): Promise<Response>;
  /** Signs in as the owner through the hosted sign-in page and waits for the console. */
  signInAsOwner(): Promise<void>;
}

/**
 * The local stack (its own DynamoDB Local, SES emulator and server) and chromium, once per
 * file; a fresh browser context per test. Each test fails if a page threw or broke its CSP.
 */
export const useBrowser = (
  env: Record<string, string> = {},
  /** Each test's context options beside the base URL (a `timezoneId`, a `locale`). */
  contextOptions: BrowserContextOptions = {},
) => {
  const local = useLocalStack({
    DEFAULT_OWNER_EMAIL: OWNER.email,
    DEFAULT_OWNER_PASSWORD: OWNER.password,
    SIGN_UP_ENABLED: '1',
    REQUIRE_EMAIL_VERIFICATION: '0',
    REVOCATION_CACHE_SECONDS: '0',
    ...env,
  });
  let browser: Browser | undefined;
  let tab: Tab | undefined;
  let problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch(LAUNCH);
  });
  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async ({ task }) => {
    if (!browser) throw new Error('chromium has not started.');
    const base = local.stack().url;
    const context = await browser.newContext({
      ...contextOptions,
      baseURL: base,
      serviceWorkers: 'block',
    });
    const page = await context.newPage();
    const urls: string[] = [];
    problems = [];
    context.on('request', (request) => urls.push(request.url()));
    page.on('framenavigated', (frame) => urls.push(frame.url()));
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content.Security.Policy/i.test(message.text())) {
        problems.push(`CSP: ${message.text()}`);
      }
    });
    const name = `${basename(task.file.name, '.test.ts')}-${slug(task.name)}`;
    let step = 0;
    const snap = async (what: string) => {
      await page.waitForLoadState('load');
      const file = `${name}-${String(++step).padStart(2, '0')}-${slug(what)}.png`;
      await page.screenshot({ path: join(SCREENSHOTS, file), fullPage: true });
    };
    const visit = async (path: string, what: string) => {
      const response = await page.goto(path);
      if (!response) throw new Error(`${path}: no response`);
      await snap(what);
      return response;
    };
    const signInAsOwner = async () => {
      await visit('/sign-in', 'sign-in');
      await page.getByLabel('Email or username').fill(OWNER.email);
      await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL(`${base}/console`);
      await snap('signed-in');
    };
    tab = { context, page, urls, snap, visit, signInAsOwner };
  });

  afterEach(async () => {
    await tab?.context.close();
    tab = undefined;
    expect(problems).toEqual([]);
  });

  const current = (): Tab => {
    if (!tab) throw new Error('No browser tab: call tab() inside a test.');
    return tab;
  };
  return { ...local, tab: current };
};
