// Accessibility of every page, as axe-core (the engine behind Lighthouse and the axe
// browser extension) judges it, in the light AND the dark colour scheme: any violation
// fails, with the rule, the elements and axe's explanation.
//
// Pages: home (signed out and in), sign-in, sign-up, the second step, code sign-in,
// forgot and reset password, verify, help, 404, the account pages, a brand's themed
// sign-in, and the consent page (through a demo brand site: `foyer demo`).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import {
  TIMEOUT,
  browser,
  describePage,
  expectVisible,
  foyer,
  setupFoyerAndBrowser,
  url,
  waitForHydration,
} from '../support/browser.mjs';
import { PASSWORD, confirmedAccount, withTwoStep } from '../support/accounts.mjs';
import { site } from '../support/demo.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core');

setupFoyerAndBrowser({ server: { demo: true } });

/** A page in a fresh context that lets axe's script in (the pages' CSP would not). */
async function withContext(fn, { cookies = [] } = {}) {
  const context = await browser.newContext({ bypassCSP: true, locale: 'en-US' });
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT);
  if (cookies.length) await context.addCookies(cookies);
  const page = await context.newPage();
  try {
    return await fn(page);
  } finally {
    await context.close();
  }
}

/** Runs axe in both colour schemes on the page as it is; fails on any violation. */
async function expectAccessible(page, what) {
  await waitForHydration(page);
  await page.waitForLoadState('networkidle', { timeout: TIMEOUT }).catch(() => {});
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.addScriptTag({ path: AXE });
  }
  const problems = [];
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    const { passes, violations } = await page.evaluate(async () => {
      const result = await window.axe.run(document, { resultTypes: ['violations'] });
      const violations = result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(0, 3).join(' ')}`),
      }));
      return { passes: result.passes.length, violations };
    });
    assert.ok(passes > 10, `axe ran its rules on ${what} (${passes} passed)`);
    for (const v of violations) {
      problems.push(`[${colorScheme}] ${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.join('\n    ')}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  assert.deepEqual(problems, [], `axe found violations on ${what} (${page.url()}):\n${problems.join('\n')}`);
}


/** The browser cookies for a jar of this server's cookies. */
function browserCookies(jar) {
  return [...jar].map(([name, value]) => ({ name, value, url: foyer.baseUrl }));
}

for (const [path, what] of [
  ['/', 'the home page'],
  ['/login', 'the sign-in page'],
  ['/register', 'the sign-up page'],
  ['/login/code', 'the code sign-in page'],
  ['/forgot-password', 'the forgotten-password page'],
  ['/reset-password?token=not-a-real-token', 'the reset-password page'],
  ['/verify?token=not-a-real-token', 'the email-confirmation page'],
  ['/help', 'the help page'],
  ['/no/such/page', 'the 404 page'],
]) {
  test(`${what} has no axe violations in light and dark`, async () => {
    await withContext(async (page) => {
      await page.goto(url(path));
      await expectAccessible(page, what);
    });
  });
}

test('a failed sign-in (the error summary) has no axe violations', async () => {
  await withContext(async (page) => {
    await page.goto(url('/login'));
    await waitForHydration(page);
    await page.getByLabel('Email', { exact: true }).fill('nobody@example.com');
    await page.getByLabel('Password', { exact: true }).fill('wrong password 123');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectVisible(page.getByRole('alert'), 'the error after a wrong password');
    await expectAccessible(page, 'the sign-in page with its error');
  });
});

test('the account pages, signed in, and the second step have no axe violations', { timeout: 180_000 }, async () => {
  const email = await confirmedAccount('a11y');
  const jar = new Map();
  await withTwoStep(email, jar);

  await withContext(
    async (page) => {
      for (const [path, what] of [
        ['/', 'the home page, signed in'],
        ['/account', 'the profile page'],
        ['/account/security', 'the security page'],
        ['/account/devices', 'the devices page'],
        ['/account/activity', 'the activity page'],
        ['/account/brands', 'the connected-brands page'],
        ['/account/privacy', 'the privacy page'],
        ['/account/privacy/preferences', 'the preferences page'],
        ['/account/loyalty', 'the loyalty page'],
      ]) {
        await page.goto(url(path));
        await expectAccessible(page, what);
      }
    },
    { cookies: browserCookies(jar) },
  );

  await withContext(async (page) => {
    await page.goto(url('/login'));
    await waitForHydration(page);
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/login/second-factor', { timeout: TIMEOUT }).catch(async () => {
      assert.fail(`the password should lead to the second step, but the page is at ${page.url()}\n${await describePage(page)}`);
    });
    await expectAccessible(page, 'the second-step page');
  });
});

test("a brand's themed sign-in and the consent page have no axe violations", { timeout: 180_000 }, async () => {
  const email = await confirmedAccount('a11y-consent');
  const foyerOrigin = new URL(foyer.baseUrl).origin;
  await withContext(async (page) => {
    await page.goto(`${site('air')}/`);
    await page.getByRole('button', { name: 'Sign in with Northwind ID', exact: true }).click();
    await page.waitForURL((u) => u.origin === foyerOrigin && u.pathname === '/login', { timeout: TIMEOUT });
    await expectVisible(page.getByRole('banner').getByRole('img', { name: 'Northwind Air' }), "the brand's logo in the header");
    await expectAccessible(page, "Northwind Air's sign-in page");

    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => u.origin === foyerOrigin && u.pathname === '/oauth2/consent', { timeout: TIMEOUT }).catch(async () => {
      assert.fail(`signing in for Northwind Air should reach the consent page, but the page is at ${page.url()}\n${await describePage(page)}`);
    });
    await expectVisible(page.getByRole('button', { name: 'Allow', exact: true }), 'the button "Allow"');
    await expectAccessible(page, 'the consent page');

    // Northwind Air then asks for its seat preference (progressive profiling).
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    await page.waitForURL((u) => u.origin === foyerOrigin && u.pathname === '/oauth2/profile', { timeout: TIMEOUT });
    await expectAccessible(page, "Northwind Air's profile form");
    await page.goto(url('/account/privacy/preferences'));
    await expectVisible(page.getByRole('region', { name: 'Northwind Air' }), "Northwind Air's section on the preferences page");
    await expectAccessible(page, 'the preferences page with a brand');
  });
});
