// Customer accounts, seen as a person sees them: register, confirm the address from
// the development mailbox, sign in, edit the profile, see the device and the activity,
// sign out; and a failed sign-in that does not tell who has an account.
//
// Elements are found by role, label or text, never by CSS class.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  TIMEOUT,
  foyer,
  setupFoyerAndBrowser,
  withPage,
  url,
  describePage,
  expectHidden,
  expectVisible,
  waitForHydration,
} from '../support/browser.mjs';

const POLL_MS = 100;

const PASSWORD = 'correct horse battery staple 42';
const GIVEN_NAME = 'Erin';
const PHONE_INVALID = '12345';
const PHONE_VALID = '+44 20 7946 0958';
const PHONE_NORMALISED = '+442079460958';
const PHONE_ERROR = 'Phone is not valid: use the international format, like +44 20 7946 0958';
const DISPLAY_NAME = 'Erin E2E';
const COUNTRY = 'GB';
const SIGN_IN_FAILED = 'Email or password is incorrect, or the account cannot sign in right now.';

/**
 * The account the first test registered and confirmed; the second test signs in to it.
 * @type {{ email: string, password: string } | null}
 */
let account = null;

setupFoyerAndBrowser();

/**
 * Polls `read()` until `check(value)` is true. Fails with `what` and the last value seen.
 * `read` may throw while the page is changing; that counts as "not yet".
 */
async function eventually(page, read, check, what, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  let last;
  let lastError = null;
  for (;;) {
    try {
      last = await read();
      lastError = null;
      if (check(last)) return last;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const seen = lastError ? `error: ${lastError.message.split('\n')[0]}` : JSON.stringify(last);
      assert.fail(
        `Expected ${what} on ${page.url()} within ${timeout} ms; last seen: ${seen}.\n` +
          (await describePage(page)),
      );
    }
    await sleep(POLL_MS);
  }
}

/** Waits until the form control `locator` holds `expected`. */
async function expectValue(locator, expected, what) {
  await eventually(
    locator.page(),
    () => locator.inputValue({ timeout: 1_000 }),
    (value) => value === expected,
    `${what} to hold ${JSON.stringify(expected)}`,
  );
}

/** Waits until the attribute `name` of `locator` satisfies `check`. */
async function expectAttribute(locator, name, check, what) {
  await eventually(locator.page(), () => locator.getAttribute(name, { timeout: 1_000 }), check, what);
}

/** Waits until the browser is at `pathname` (after a full or a client-side navigation). */
async function waitForPath(page, pathname, why) {
  try {
    await page.waitForURL((u) => u.pathname === pathname, { timeout: TIMEOUT });
  } catch {
    assert.fail(`${why} should go to ${pathname}, but the page is at ${page.url()}.\n${await describePage(page)}`);
  }
}

/**
 * Collects console errors and uncaught exceptions of `page`.
 *
 * `visit` navigates like page.goto and then waits for hydration. When the document itself
 * answers 4xx/5xx on purpose (a page for signed-out visitors may answer 401), Chromium logs
 * "Failed to load resource" for that document; that one line is the server's choice of
 * status, not a client error, so `unexpected()` leaves it out. Everything else counts.
 */
function watchPage(page) {
  const errors = [];
  const documentStatuses = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      errors.push({ text: msg.text(), at: msg.location()?.url || '' });
    }
  });
  page.on('pageerror', (err) => {
    errors.push({ text: `uncaught: ${err.stack || err.message}`, at: '' });
  });

  async function visit(path) {
    const target = url(path);
    const response = await page.goto(target);
    assert.ok(response, `the browser got no response for ${target}`);
    if (response.status() >= 400) {
      documentStatuses.push({ url: response.url(), status: response.status() });
    }
    await waitForHydration(page);
    return response;
  }

  function unexpected() {
    return errors
      .filter(
        ({ text, at }) =>
          !documentStatuses.some(
            (d) =>
              d.url === at &&
              text.startsWith(`Failed to load resource: the server responded with a status of ${d.status}`),
          ),
      )
      .map(({ text, at }) => `console.error: ${text}${at ? ` (at ${at})` : ''}`);
  }

  return { visit, unexpected };
}

/** The page's main region, where each route renders (the header is outside it). */
function main(page) {
  return page.getByRole('main');
}

/** The site header. */
function header(page) {
  return page.getByRole('banner');
}

/**
 * The account area's own navigation. The site header's session area is also a
 * navigation named "Account", so this one is told apart by its "Your devices" link.
 */
function accountNav(page) {
  return page
    .getByRole('navigation', { name: 'Account' })
    .filter({ has: page.getByRole('link', { name: 'Your devices', exact: true }) });
}

/** Fills a text input, or selects an option when the control is a <select>. */
async function setField(locator, value) {
  const tag = await locator.evaluate((el) => el.tagName.toLowerCase());
  if (tag === 'select') {
    await locator.selectOption(value);
  } else {
    await locator.fill(value);
  }
}

/** Reloads /dev/mail every 500 ms until a message to `to` titled `subject` shows; returns its text. */
async function waitForMail(page, visit, to, subject) {
  await visit('/dev/mail');
  await expectVisible(
    page.getByRole('heading', { level: 1, name: 'Development mailbox' }),
    'the level-1 heading "Development mailbox"',
  );
  const message = page
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { level: 2, name: subject, exact: true }) })
    .filter({ hasText: to });
  const deadline = Date.now() + TIMEOUT;
  while ((await message.count()) === 0) {
    if (Date.now() > deadline) {
      assert.fail(
        `No mail to ${to} with the subject "${subject}" appeared in /dev/mail within ${TIMEOUT} ms.\n` +
          (await describePage(page)),
      );
    }
    await sleep(500);
    await page.reload();
  }
  // Newest first: the first match is the latest message.
  return message.first().innerText();
}

test(
  'a new customer registers, verifies, signs in, edits the profile, sees the device and signs out',
  { timeout: 180_000 },
  async () => {
    const email = `e2e-${randomBytes(6).toString('hex')}@example.com`;

    await withPage(async (page) => {
      const { visit, unexpected } = watchPage(page);

      // --- Register -------------------------------------------------------------------
      await visit('/register');
      const emailField = page.getByLabel('Email', { exact: true });
      const passwordField = page.getByLabel('Password', { exact: true });
      await expectVisible(emailField, 'the field "Email" on /register');
      await emailField.fill(email);

      // The strength meter follows the typing (hydrated): first a weak password, key by key.
      const strength = page.getByText(/^\s*Password strength:/);
      await passwordField.pressSequentially('password', { delay: 100 });
      await eventually(
        page,
        () => strength.first().innerText({ timeout: 1_000 }),
        (text) => /\bweak\b/i.test(text),
        'the text "Password strength: …" to say weak after typing "password"',
      );
      await passwordField.fill('');
      await passwordField.pressSequentially(PASSWORD, { delay: 20 });
      await eventually(
        page,
        () => strength.first().innerText({ timeout: 1_000 }),
        (text) => /Password strength:\s*\S/i.test(text) && !/\bweak\b/i.test(text),
        `the text "Password strength: …" to no longer say weak after typing "${PASSWORD}"`,
      );
      await expectValue(passwordField, PASSWORD, 'the field "Password"');

      await page.getByLabel('Given name', { exact: true }).fill(GIVEN_NAME);
      await page.getByRole('checkbox', { name: 'I accept the terms of use', exact: true }).check();
      await page.getByRole('button', { name: 'Create account', exact: true }).click();
      await expectVisible(
        page.getByRole('heading', { level: 1, name: 'Check your email', exact: true }),
        'the level-1 heading "Check your email" after "Create account"',
      );

      // --- Confirm the address from the development mailbox --------------------------
      const mail = await waitForMail(page, visit, email, 'Confirm your email address');
      const linkMatch = mail.match(/Confirm my email:\s*(\S+)/);
      assert.ok(linkMatch, `the verification mail should contain "Confirm my email: <link>", got:\n${mail}`);
      const link = linkMatch[1].replace(/[.,;:)>\]]+$/, '');
      assert.match(link, /\/verify\?token=[^&\s]+/, `the verification link should be /verify?token=…, got ${link}`);
      assert.equal(
        new URL(link).origin,
        new URL(foyer.baseUrl).origin,
        `the verification link should be absolute on ${foyer.baseUrl}, got ${link}`,
      );
      assert.match(
        mail,
        /Or enter this code: \d{6}\./,
        `the verification mail should contain "Or enter this code: <6 digits>.", got:\n${mail}`,
      );

      const verifyResponse = await page.goto(link);
      assert.equal(verifyResponse?.status(), 200, `the browser should get 200 for ${link}`);
      await waitForHydration(page);
      await expectVisible(
        page.getByRole('heading', { name: 'Confirm your email', exact: true }),
        'the heading "Confirm your email" on /verify',
      );
      await page.getByRole('button', { name: 'Confirm my email', exact: true }).click();
      await expectVisible(
        page.getByRole('status').filter({ hasText: 'Your email address is confirmed.' }),
        'a status region saying "Your email address is confirmed."',
      );
      account = { email, password: PASSWORD };

      // --- Sign in, submitting with the keyboard ----------------------------------------
      const signInLink = main(page).getByRole('link', { name: 'Sign in', exact: true });
      await expectVisible(signInLink, 'the link "Sign in" after confirming the address');
      await signInLink.click();
      await waitForPath(page, '/login', 'Following "Sign in"');
      await waitForHydration(page);

      await expectVisible(page.getByLabel('Email', { exact: true }), 'the field "Email" on /login');
      await page.getByLabel('Email', { exact: true }).fill(email);
      const loginPassword = page.getByLabel('Password', { exact: true });
      await loginPassword.fill(PASSWORD);
      await loginPassword.focus();
      await page.keyboard.press('Enter');
      await waitForPath(page, '/account', 'Signing in with Enter in "Password"');
      await waitForHydration(page);
      await expectVisible(
        page.getByRole('heading', { level: 1, name: 'Your profile', exact: true }),
        'the level-1 heading "Your profile" after signing in',
      );
      await expectVisible(
        header(page).getByRole('link', { name: 'Your account', exact: true }),
        'the header link "Your account" while signed in',
      );
      await expectVisible(
        header(page).getByRole('button', { name: 'Sign out', exact: true }),
        'the header button "Sign out" while signed in',
      );
      const nav = accountNav(page);
      for (const name of ['Profile', 'Security', 'Your devices', 'Activity']) {
        await expectVisible(nav.getByRole('link', { name, exact: true }), `the link "${name}" in the "Account" navigation`);
      }
      for (const label of [
        'Given name',
        'Family name',
        'Display name',
        'Language',
        'Time zone',
        'Phone',
        'Birth date',
        'Street address',
        'City',
        'Region',
        'Postal code',
        'Country',
      ]) {
        await expectVisible(page.getByLabel(label, { exact: true }), `the field "${label}" on /account`);
      }

      // --- Edit the profile: inline validation on leaving Phone, then save ---------------
      const phone = page.getByLabel('Phone', { exact: true });
      const phoneError = page.getByText(PHONE_ERROR, { exact: false });
      await phone.fill(PHONE_INVALID);
      await phone.press('Tab');
      await expectVisible(phoneError, `the message "${PHONE_ERROR}" after leaving Phone with "${PHONE_INVALID}"`);
      await expectAttribute(
        phone,
        'aria-invalid',
        (value) => value === 'true',
        `the field "Phone" to have aria-invalid="true" after leaving it with "${PHONE_INVALID}"`,
      );

      await phone.fill(PHONE_VALID);
      await phone.press('Tab');
      await expectHidden(phoneError, `the message "${PHONE_ERROR}" after fixing Phone to "${PHONE_VALID}"`);
      await expectAttribute(
        phone,
        'aria-invalid',
        (value) => value !== 'true',
        `the field "Phone" to lose aria-invalid="true" after fixing it to "${PHONE_VALID}"`,
      );

      await setField(page.getByLabel('Display name', { exact: true }), DISPLAY_NAME);
      await setField(page.getByLabel('Country', { exact: true }), COUNTRY);
      await page.getByRole('button', { name: 'Save profile', exact: true }).click();
      await expectVisible(
        page.getByRole('status').filter({ hasText: 'Profile saved.' }),
        'a status region saying "Profile saved." after "Save profile"',
      );

      // --- The values persist across a reload ------------------------------------------
      await page.reload();
      await waitForHydration(page);
      await expectVisible(
        page.getByRole('heading', { level: 1, name: 'Your profile', exact: true }),
        'the level-1 heading "Your profile" after reloading',
      );
      await expectValue(page.getByLabel('Given name', { exact: true }), GIVEN_NAME, 'the field "Given name" after reloading');
      await expectValue(page.getByLabel('Display name', { exact: true }), DISPLAY_NAME, 'the field "Display name" after reloading');
      await expectValue(page.getByLabel('Phone', { exact: true }), PHONE_NORMALISED, 'the field "Phone" after reloading');
      await expectValue(page.getByLabel('Country', { exact: true }), COUNTRY, 'the field "Country" after reloading');

      // --- Your devices -------------------------------------------------------------------
      await accountNav(page).getByRole('link', { name: 'Your devices', exact: true }).click();
      await waitForPath(page, '/account/devices', 'The navigation link "Your devices"');
      await waitForHydration(page);
      await expectVisible(
        page.getByRole('heading', { level: 1, name: 'Your devices', exact: true }),
        'the level-1 heading "Your devices"',
      );
      await expectVisible(
        main(page).getByRole('listitem').filter({ hasText: 'This device' }),
        'a list item marked "This device"',
      );
      await expectVisible(
        page.getByRole('button', { name: 'Sign out all other devices', exact: true }),
        'the button "Sign out all other devices"',
      );

      // --- Activity -----------------------------------------------------------------------
      await accountNav(page).getByRole('link', { name: 'Activity', exact: true }).click();
      await waitForPath(page, '/account/activity', 'The navigation link "Activity"');
      await waitForHydration(page);
      await expectVisible(
        page.getByRole('heading', { name: 'Account activity', exact: true }),
        'the heading "Account activity"',
      );
      await expectVisible(
        main(page).getByRole('listitem').filter({ hasText: 'Signed in' }),
        'an activity item containing "Signed in"',
      );

      // --- Sign out -----------------------------------------------------------------------
      await header(page).getByRole('button', { name: 'Sign out', exact: true }).click();
      await expectVisible(
        header(page).getByRole('link', { name: 'Sign in', exact: true }),
        'the header link "Sign in" after signing out',
      );
      await waitForHydration(page);
      await expectVisible(
        header(page).getByRole('link', { name: 'Create account', exact: true }),
        'the header link "Create account" after signing out',
      );
      await expectHidden(
        header(page).getByRole('link', { name: 'Your account', exact: true }),
        'the header link "Your account" after signing out',
      );

      // Signed out, the account area sends to the sign-in page, which would come back.
      await visit('/account');
      await waitForPath(page, '/login', 'Visiting /account after signing out');
      assert.equal(new URL(page.url()).searchParams.get('return_to'), '/account', `the way back from ${page.url()}`);
      const bodyText = await page.locator('body').innerText();
      assert.ok(
        !bodyText.includes(PHONE_NORMALISED) && !bodyText.includes(DISPLAY_NAME),
        `after signing out, /account must not show the profile, but the page reads:\n${bodyText.slice(0, 2_000)}`,
      );

      // Let late work finish and report, then check the console.
      await page.waitForLoadState('networkidle', { timeout: TIMEOUT }).catch(() => {});
      await sleep(250);
      const errors = unexpected();
      assert.deepEqual(errors, [], `the pages logged errors during the journey:\n${errors.join('\n')}`);
    });
  },
);

test('a wrong password shows one neutral message', { timeout: 120_000 }, async (t) => {
  if (!account) {
    t.skip('needs the account registered and confirmed by the previous test, which did not get that far');
    return;
  }

  /** Submits /login with `email` and `password` and returns the alert's text. */
  async function failedSignIn(page, email, password) {
    const response = await page.goto(url('/login'));
    assert.equal(response?.status(), 200, 'the browser should get 200 for /login');
    await waitForHydration(page);
    const emailField = page.getByLabel('Email', { exact: true });
    await expectVisible(emailField, 'the field "Email" on /login');
    await emailField.fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    const alert = page.getByRole('alert').filter({ hasText: /\S/ });
    await expectVisible(alert, `an alert after signing in as ${email} with a wrong password`);
    assert.equal(new URL(page.url()).pathname, '/login', `a failed sign-in should stay on /login, not ${page.url()}`);
    await expectHidden(
      header(page).getByRole('button', { name: 'Sign out', exact: true }),
      'the header button "Sign out" after a failed sign-in',
      1_000,
    );
    // The error summary: its heading, then the problem as a list item.
    return (await alert.first().getByRole('listitem').first().innerText()).trim();
  }

  await withPage(async (page) => {
    const wrongPassword = await failedSignIn(page, account.email, `${account.password} but wrong`);
    assert.equal(
      wrongPassword,
      SIGN_IN_FAILED,
      `a wrong password for an existing account should show exactly "${SIGN_IN_FAILED}"`,
    );

    const unknownEmail = `e2e-unknown-${randomBytes(6).toString('hex')}@example.com`;
    const unknown = await failedSignIn(page, unknownEmail, account.password);
    assert.equal(
      unknown,
      wrongPassword,
      'an unknown email should show the very same message as a wrong password, so that the page ' +
        'does not tell who has an account',
    );
  });
});
