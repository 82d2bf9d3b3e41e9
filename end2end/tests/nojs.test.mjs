// The sign-up, sign-in and recovery forms before the wasm arrives: the browser runs no
// JavaScript at all (a phone on a slow line submits before hydration), and every form
// still ends on a proper page: the same page with its error summary and what was typed,
// or the next step.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { TIMEOUT, browser, expectVisible, foyer, setupFoyerAndBrowser, url } from '../support/browser.mjs';
import { PASSWORD, confirmedAccount, withTwoStep } from '../support/accounts.mjs';
import { totp } from '../support/totp.mjs';

setupFoyerAndBrowser();

/** Runs `fn` with a page whose context has JavaScript disabled. */
async function withPlainPage(fn) {
  const context = await browser.newContext({ javaScriptEnabled: false });
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT);
  const page = await context.newPage();
  try {
    return await fn(page);
  } finally {
    await context.close();
  }
}


/** The first match of `pattern` in the newest development-mailbox message to `to` that has one. */
async function fromMail(to, pattern) {
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    const html = await (await fetch(`${foyer.baseUrl}/dev/mail`)).text();
    // Each message alone (the page's hydration data after the list holds every message).
    for (const item of html.split('<li').slice(1).map((chunk) => chunk.split('</li>')[0])) {
      const match = item.includes(to) ? item.replace(/&amp;/g, '&').match(pattern) : null;
      if (match) return match[1];
    }
    assert.ok(Date.now() < deadline, `no mail to ${to} matching ${pattern} within ${TIMEOUT} ms`);
    await sleep(300);
  }
}

const summary = (page) => page.getByRole('alert').filter({ has: page.getByRole('heading', { name: 'There is a problem' }) });

test('without JavaScript: register with a field error first, then confirm with the mailed code', { timeout: 120_000 }, async () => {
  const email = `nojs-${randomBytes(6).toString('hex')}@example.com`;
  await withPlainPage(async (page) => {
    await page.goto(url('/register'));
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByLabel('Given name').fill('Mira');
    await page.getByLabel('I accept the terms of use').check();
    await page.getByRole('button', { name: 'Create account', exact: true }).click();

    await expectVisible(summary(page), 'the error summary after a too-short password');
    assert.ok(await summary(page).getByRole('link').count() >= 1, 'the summary links the field in error');
    assert.equal(await page.getByLabel('Email', { exact: true }).inputValue(), email, 'the typed email came back');
    assert.equal(await page.getByLabel('Given name').inputValue(), 'Mira', 'the typed name came back');
    assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '', 'the password never comes back');
    assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.ok(!page.url().includes(encodeURIComponent(email)) && !page.url().includes(email), 'the address is not in the URL');

    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    if (!(await page.getByLabel('I accept the terms of use').isChecked())) await page.getByLabel('I accept the terms of use').check();
    await page.getByRole('button', { name: 'Create account', exact: true }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Check your email' }), 'the "check your email" state');

    const code = await fromMail(email, /Or enter this code: (\d{6})/);
    const codeField = page.getByLabel('Code', { exact: true });
    assert.equal(await codeField.getAttribute('inputmode'), 'numeric');
    assert.equal(await codeField.getAttribute('autocomplete'), 'one-time-code');
    await codeField.fill(code);
    await page.getByRole('button', { name: 'Confirm email', exact: true }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Your email address is confirmed' }), 'the confirmed heading');
    await expectVisible(page.getByRole('link', { name: 'Sign in', exact: true }).last(), 'the offer to sign in');
  });
});

test('without JavaScript: a wrong password shows the summary, the right one signs in', { timeout: 120_000 }, async () => {
  const email = await confirmedAccount('nojs');
  await withPlainPage(async (page) => {
    await page.goto(url('/login'));
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectVisible(summary(page), 'the error summary after a wrong password');
    await expectVisible(summary(page).getByText('Email or password is incorrect'), 'the uniform first-step message');
    assert.match(new URL(page.url()).pathname, /^\/login$/, 'still the sign-in page, not JSON at /api/login');
    assert.equal(await page.getByLabel('Email', { exact: true }).inputValue(), email, 'the typed email came back');

    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Your profile' }), 'the account after the right password');
  });
});

test('without JavaScript: password, then a wrong code says so, then the right code signs in', { timeout: 120_000 }, async () => {
  const email = await confirmedAccount('nojs2fa');
  const secret = await withTwoStep(email, new Map());
  await withPlainPage(async (page) => {
    await page.goto(url('/login'));
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Two-step verification' }), 'the second step after the password');

    const codeField = page.getByLabel('Authentication code', { exact: true });
    assert.equal(await codeField.getAttribute('inputmode'), 'numeric');
    assert.equal(await codeField.getAttribute('autocomplete'), 'one-time-code');
    await codeField.fill('999999');
    await page.getByRole('button', { name: 'Verify', exact: true }).first().click();
    await expectVisible(summary(page).getByText('That code is not right.'), 'the specific second-step message');
    // A recovery code (letters) has its own field, behind a native disclosure.
    await page.getByText('Use a recovery code instead').click();
    await page.getByLabel('Recovery code', { exact: true }).fill('aaaaa-bbbbb');
    await page.getByRole('button', { name: 'Verify', exact: true }).last().click();
    await expectVisible(summary(page).getByText('That code is not right.'), 'the specific message for a made-up recovery code');
    assert.equal(await summary(page).getByText('Email or password is incorrect').count(), 0, 'not the first step\'s message');

    await page.getByLabel('Authentication code', { exact: true }).fill(totp(secret, Date.now() + 30_000));
    await page.getByRole('button', { name: 'Verify', exact: true }).first().click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Your profile' }), 'the account after the right code');
  });
});

test('without JavaScript: forgot password, then a new password from the mailed link', { timeout: 120_000 }, async () => {
  const email = await confirmedAccount('nojsreset');
  const fresh = 'a brand new passphrase for nojs';
  await withPlainPage(async (page) => {
    await page.goto(url('/login'));
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByRole('button', { name: 'Send reset link', exact: true }).click();
    await expectVisible(page.getByRole('status').getByText('a reset link is on its way', { exact: false }), 'the "sent" state');
    await expectVisible(page.getByRole('link', { name: 'Back to sign-in' }), 'a way back');

    const token = await fromMail(email, /\/reset-password\?token=([A-Za-z0-9_-]{20,})/);
    await page.goto(url(`/reset-password?token=${token}`));
    await page.getByLabel('New password', { exact: true }).fill(fresh);
    await page.getByRole('button', { name: 'Set new password', exact: true }).click();
    await expectVisible(page.getByText('Your password is changed'), 'the success state');

    await page.goto(url('/login'));
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(fresh);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Your profile' }), 'the account with the new password');
  });
});

test('without JavaScript: sign in with a mailed code, in two stages, the address never in the URL', { timeout: 120_000 }, async () => {
  const email = await confirmedAccount('nojscode');
  await withPlainPage(async (page) => {
    await page.goto(url('/login?return_to=%2Faccount'));
    await page.getByRole('link', { name: 'Email me a sign-in code instead' }).click();
    assert.equal(new URL(page.url()).searchParams.get('return_to'), '/account', 'the link keeps return_to');
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByRole('button', { name: 'Email me a code', exact: true }).click();
    const field = page.getByLabel('Sign-in code', { exact: true });
    await expectVisible(field, 'the code form after the first post');
    assert.ok(!page.url().includes(email) && !page.url().includes(encodeURIComponent(email)), 'the address is not in the URL');
    assert.equal(await field.getAttribute('inputmode'), 'numeric');

    const code = await fromMail(email, /Enter this code to sign in to [^:]+: (\d{6})/);
    await field.fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectVisible(summary(page), 'the summary after a wrong code');
    await expectVisible(page.getByLabel('Sign-in code', { exact: true }), 'still the code stage');

    await page.getByLabel('Sign-in code', { exact: true }).fill(code);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Your profile' }), 'the account after the mailed code');
  });
});

test('without JavaScript, in German: the sign-in page and its refusal speak German', { timeout: 60_000 }, async () => {
  const context = await browser.newContext({ javaScriptEnabled: false, locale: 'de-DE', extraHTTPHeaders: { 'Accept-Language': 'de-DE,de;q=0.9' } });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  try {
    await page.goto(url('/login'));
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Anmelden' }), 'the German heading');
    await page.getByLabel('E-Mail-Adresse', { exact: true }).fill(`niemand-${randomBytes(4).toString('hex')}@example.com`);
    await page.getByLabel('Passwort', { exact: true }).fill('ganz sicher falsch');
    await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
    const problem = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: 'Es gibt ein Problem' }) });
    await expectVisible(problem.getByText('E-Mail-Adresse oder Passwort ist falsch', { exact: false }), 'the German refusal');
    await expectVisible(page.getByRole('link', { name: 'Passwort vergessen?' }), 'the German links');
  } finally {
    await context.close();
  }
});

test('without JavaScript: after the password, a code by mail as the second step, remembering the device', { timeout: 120_000 }, async () => {
  const email = await confirmedAccount('nojsmail2');
  const secret = await withTwoStep(email, new Map());
  await withPlainPage(async (page) => {
    await page.goto(url('/login'));
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Two-step verification' }), 'the second step');
    await page.getByRole('button', { name: 'Email me a code', exact: true }).click();
    await expectVisible(page.getByRole('status').getByText('We sent a code to your email'), 'the "sent" state');

    const code = await fromMail(email, /Enter this code to sign in to [^:]+: (\d{6})/);
    await page.getByLabel('Remember this device for 30 days').check();
    await page.getByLabel('Authentication code', { exact: true }).fill(code);
    await page.getByRole('button', { name: 'Verify', exact: true }).first().click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Your profile' }), 'the account after the mailed code');
    const cookies = await page.context().cookies();
    assert.ok(cookies.some((c) => /foyer-remember/.test(c.name)), 'the device is remembered');
  });
});
