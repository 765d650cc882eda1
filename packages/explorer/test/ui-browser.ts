/**
 * Debian's Chromium (/usr/bin/chromium, installed by scripts/install-system-packages.sh), headless,
 * driven by playwright-core: no browser download. Used by the UI test and the UI benchmark.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** Builds the web page when missing or stale (web/build.mjs); throws with vite's output on failure. */
export function buildWebPage(): void {
  const script = path.join(__dirname, '..', 'web', 'build.mjs');
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the web page failed: ${r.stderr || r.stdout}`);
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (scripts/install-system-packages.sh installs it)`);
  // --no-sandbox: the tests run as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** What went wrong in a page: console errors, uncaught exceptions, failed or refused requests. */
export interface PageProblems {
  problems: string[];
  /** Responses ≥ 400 whose URL contains one of these are expected (a test of an error message). */
  expect(urlPart: string): void;
  /** While the server is down on purpose: requests to it may fail; returns the end of that. */
  serverDown(origin: string): () => void;
}

export function watch(page: Page): PageProblems {
  const problems: string[] = [];
  const expected: string[] = [];
  const isExpected = (url: string) => expected.some((e) => url.includes(e));
  let down: string | null = null;
  const whileDown = (url: string) => down !== null && url.startsWith(down);
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (whileDown(m.location().url) && /net::ERR_CONNECTION_REFUSED|Failed to load resource/.test(m.text())) return;
    // Chromium logs each refused response as a console error too; the response check judges those.
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text()) && isExpected(m.location().url)) return;
    problems.push(`console error: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => {
    // A navigation cancels the requests of the page it leaves (the event stream): not a failure.
    if (r.failure()?.errorText === 'net::ERR_ABORTED' || whileDown(r.url())) return;
    problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !isExpected(r.url())) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return {
    problems,
    expect: (u) => void expected.push(u),
    serverDown(origin) {
      down = origin;
      return () => void (down = null);
    },
  };
}
