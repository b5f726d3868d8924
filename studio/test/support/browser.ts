import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from '@jest/globals';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM } from '../../../scripts/chromium.mjs';
import { REPO_ROOT } from './studio-page.js';

/** Whether Chromium is here to drive (`npm run setup` installs Debian's where it can). */
export const browserAvailable = existsSync(CHROMIUM);

/**
 * `describe` for tests that need the browser. Without one they are reported as skipped (not run, never passed),
 * and the reason is printed.
 */
export function describeInBrowser(name: string, body: () => void): void {
  if (browserAvailable) {
    describe(name, body);
    return;
  }
  process.stderr.write(
    `NOT RUN: "${name}" needs Chromium at ${CHROMIUM} (SLIPWAY_CHROMIUM names another); ` +
      'install it with `sudo apt-get install -y chromium`.\n',
  );
  describe.skip(name, body);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

/** Screenshots are test artefacts, kept in the ignored .cache/ (never committed). */
export const SCREENSHOT_DIR = join(REPO_ROOT, '.cache', 'test', 'studio-screenshots');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Collects the page's script errors and failed requests, so a test can say the page ran clean. */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  return problems;
}
