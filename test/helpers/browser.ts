/**
 * Debian's Chromium driven by playwright-core (nothing downloaded). UI suites use
 * {@link describeInBrowser}: without Chromium they are skipped with a message, except in
 * CI (`CI=true`), where a missing browser must fail the run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { describe } from 'vitest';

export const CHROMIUM = process.env.HOOKYARD_CHROMIUM ?? '/usr/bin/chromium';

/** `describe`, or a skipped suite saying why when there is no Chromium outside CI. */
export function describeInBrowser(title: string, suite: () => void): void {
  if (!fs.existsSync(CHROMIUM) && process.env.CI !== 'true') {
    console.warn(`[ui tests] skipped "${title}": no Chromium at ${CHROMIUM} (apt-get install chromium, or set HOOKYARD_CHROMIUM)`);
    describe.skip(`${title} (no Chromium at ${CHROMIUM})`, suite);
    return;
  }
  describe(title, suite);
}

export interface TestBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** A headless Chromium with a fresh profile, at `viewport`. */
export async function launchBrowser(viewport = { width: 1280, height: 800 }): Promise<TestBrowser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
