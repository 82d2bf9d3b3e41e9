// Helpers that the browser tests share: one Foyer server and one headless Chromium per
// test file, a fresh page per check, and waits that fail with a message a person can act on.
//
// Call setupFoyerAndBrowser() once, at the top level of a test file. It registers the
// before/after hooks that start and stop the server and the browser; `foyer` and `browser`
// below are live bindings that hold them while the file's tests run. `node --test` runs
// each test file in its own process, so files never share them.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFoyer, launchBrowser } from './server.mjs';

/** How long a page, a navigation or a wait may take, in milliseconds. */
export const TIMEOUT = 15_000;

/** @type {Awaited<ReturnType<typeof startFoyer>>} */
export let foyer;
/** @type {import('playwright-core').Browser} */
export let browser;

/** Whether failure messages also show the tail of the server's stderr. */
let serverLogOnFailure = true;
let setUp = false;

/**
 * Registers the hooks that start the server and the browser before the file's tests and
 * stop them after.
 *
 * @param {{ serverLogOnFailure?: boolean, server?: Parameters<typeof startFoyer>[0] }} [options]
 *   `serverLogOnFailure: false` leaves the server's stderr out of the page description that
 *   expectVisible fails with; `server` is passed to startFoyer (e.g. `{ demo: true }`)
 */
export function setupFoyerAndBrowser(options = {}) {
  if (setUp) {
    throw new Error('setupFoyerAndBrowser() was already called in this test file');
  }
  setUp = true;
  serverLogOnFailure = options.serverLogOnFailure ?? true;

  before(
    async () => {
      foyer = await startFoyer(options.server ?? {});
      browser = await launchBrowser();
    },
    { timeout: 120_000 },
  );

  after(
    async () => {
      await browser?.close();
      await foyer?.stop();
    },
    { timeout: 30_000 },
  );
}

/** Runs `fn` with a fresh page in a fresh browser context, closing both afterwards. */
export async function withPage(fn) {
  const context = await browser.newContext();
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT);
  const page = await context.newPage();
  try {
    return await fn(page);
  } finally {
    await context.close();
  }
}

/** The absolute URL of `path` on the running server. */
export function url(path) {
  return new URL(path, foyer.baseUrl).toString();
}

/** The first 2,000 characters of the page's visible text, or '' when it cannot be read. */
async function visibleText(page) {
  let body = '';
  try {
    body = (await page.locator('body').innerText({ timeout: 1_000 })).slice(0, 2_000);
  } catch {
    // page gone or not rendered: the URL is all we have
  }
  return body;
}

/** The visible text of the page and the tail of the server's stderr, for failure messages. */
export async function describePage(page) {
  const body = await visibleText(page);
  const { stderr } = foyer.output();
  return `Visible text of the page:\n${body}\nServer stderr (tail):\n${stderr.slice(-2_000)}`;
}

/** Waits until `locator` is visible, failing with a message a person can act on. */
export async function expectVisible(locator, what, timeout = TIMEOUT) {
  try {
    await locator.filter({ visible: true }).first().waitFor({ state: 'visible', timeout });
  } catch (err) {
    const page = locator.page();
    const description = serverLogOnFailure
      ? await describePage(page)
      : `Visible text of the page:\n${await visibleText(page)}`;
    assert.fail(
      `Expected ${what} to be visible on ${page.url()} within ${timeout} ms, but it was not ` +
        `(${err.message.split('\n')[0]}).\n${description}`,
    );
  }
}

/** Waits until no element matched by `locator` is visible. */
export async function expectHidden(locator, what, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  for (;;) {
    let visible = 0;
    try {
      visible = await locator.filter({ visible: true }).count();
    } catch {
      // navigating: try again
      visible = 1;
    }
    if (visible === 0) return;
    if (Date.now() > deadline) {
      const page = locator.page();
      assert.fail(
        `Expected ${what} to be gone from ${page.url()} within ${timeout} ms, but it is still visible.\n` +
          (await describePage(page)),
      );
    }
    await sleep(100);
  }
}

/** Waits until the app marks <html data-hydrated="true">. */
export async function waitForHydration(page) {
  try {
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === 'true', null, {
      timeout: TIMEOUT,
    });
  } catch (err) {
    assert.fail(
      `The page ${page.url()} never hydrated: <html> did not get data-hydrated="true" within ` +
        `${TIMEOUT} ms (${err.message.split('\n')[0]}). Is the wasm bundle in target/site/pkg?`,
    );
  }
}
