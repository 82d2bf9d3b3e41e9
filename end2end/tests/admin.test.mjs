// Staff sign-in, as a new support agent meets it: the operator runs the real
// `foyer admin create` against the test server's database, the agent opens the printed
// one-time link, chooses a password and sets up an authenticator app (reading the key
// off the page, as a phone app would from the QR code), signs in at /admin/login with
// password and code, sees their name and role, and signs out. Then an agent at work:
// search, a customer's 360 (masked), a reveal refused without a reason and then made,
// ticket access asked, approved by the customer from the mail, a profile fix under the
// banner, the customer seeing it in their activity and ending the access.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { TIMEOUT, browser, expectHidden, expectVisible, foyer, setupFoyerAndBrowser, url, waitForHydration, withPage } from '../support/browser.mjs';
import { PASSWORD, confirmedAccount, watchErrors } from '../support/accounts.mjs';
import { totp } from '../support/totp.mjs';
import { STAFF_PASSWORD, signInOnPage, staffFn } from '../support/staff.mjs';

setupFoyerAndBrowser();


test('a staff member enrols from the printed link, signs in at /admin/login and signs out', { timeout: 180_000 }, async () => {
  const email = `agent-${Date.now()}@example.com`;
  const created = await foyer.run(['--json', 'admin', 'create', '--email', email, '--name', 'Sam Support', '--role', 'support']);
  assert.equal(created.code, 0, `foyer admin create failed: ${created.stderr}`);
  const link = JSON.parse(created.stdout.trim().split('\n').pop()).enrolment_link;
  assert.ok(link.startsWith(url('/admin/enrol?token=')), `the link points at this server: ${link}`);

  await withPage(async (page) => {
    const errors = watchErrors(page);
    // Without a staff session, /admin is the sign-in page.
    await page.goto(url('/admin'));
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Staff sign-in' }), '/admin without a session');

    await page.goto(link);
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Set up your staff account' }), 'the enrolment page');
    await waitForHydration(page);
    await expectVisible(page.getByRole('img', { name: 'QR code for your authenticator app' }), 'the QR code');
    const secret = (await page.locator('code').filter({ hasText: /^[A-Z2-7]{32}$/ }).first().innerText()).trim();
    assert.match(secret, /^[A-Z2-7]{32}$/, 'a 160-bit base32 key is shown as text');
    await page.getByLabel('New password', { exact: true }).fill(STAFF_PASSWORD);
    await page.getByLabel('Code from the app', { exact: true }).fill(totp(secret, Date.now()));
    await page.getByRole('button', { name: 'Finish setup' }).click();
    await expectVisible(page.getByRole('status').filter({ hasText: 'Your account is ready' }), 'enrolment done');

    // The link is spent.
    await page.goto(link);
    await expectVisible(page.getByRole('alert').filter({ hasText: 'invalid, used or expired' }), 'a second use refused');

    await page.goto(url('/admin/login'));
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Staff sign-in' }), 'the staff sign-in page');
    // The code used at set-up was spent; the next time step is valid within the window.
    await signInOnPage(page, email, secret);
    const who = page.getByRole('region', { name: 'Signed in staff member' });
    await expectVisible(who.getByText('Sam Support'), 'the staff member\'s name');
    await expectVisible(who.getByText('support', { exact: true }), 'the role');
    await waitForHydration(page);
    await who.getByRole('button', { name: 'Sign out' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Staff sign-in' }), 'signed out: back to the sign-in page');

    // Signed out on the server: /admin is the sign-in page again.
    await page.goto(url('/admin'));
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Staff sign-in' }), '/admin after sign-out');
    assert.deepEqual(errors, [], `no console errors: ${errors.join('\n')}`);
  });
});

/** A support agent created with the CLI and enrolled; their email and TOTP secret. */
async function enrolledAgent() {
  const email = `agent-${Date.now()}@example.com`;
  const created = await foyer.run(['--json', 'admin', 'create', '--email', email, '--name', 'Sam Support', '--role', 'support']);
  assert.equal(created.code, 0, `foyer admin create failed: ${created.stderr}`);
  const token = new URL(JSON.parse(created.stdout.trim().split('\n').pop()).enrolment_link).searchParams.get('token');
  const { secret } = await staffFn('enrolment', { token });
  await staffFn('enrol', { token, password: STAFF_PASSWORD, code: totp(secret, Date.now()) });
  return { email, secret };
}

/** The link of the newest support-access mail to `email`, as a path. */
async function supportMailLink(email) {
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    assert.ok(Date.now() < deadline, `no support access mail for ${email} within ${TIMEOUT} ms`);
    const html = await (await fetch(url('/dev/mail'))).text();
    const at = html.indexOf(email);
    const near = at >= 0 ? html.slice(Math.max(0, at - 3000), at + 3000) : '';
    if (near.includes('Support asks to look at your account') && near.includes('/account/support-access')) return '/account/support-access';
    await sleep(300);
  }
}

test('support at work: search, a masked 360, a reveal, access approved from the mail, a fix under the banner, seen and ended by the customer', { timeout: 240_000 }, async () => {
  const customer = await confirmedAccount('reveal');
  const agent = await enrolledAgent();
  const agentContext = await browser.newContext();
  const customerContext = await browser.newContext();
  agentContext.setDefaultTimeout(TIMEOUT);
  customerContext.setDefaultTimeout(TIMEOUT);
  try {
    const page = await agentContext.newPage();
    const errors = watchErrors(page);
    const responses = [];
    page.on('response', (r) => responses.push(new URL(r.url()).pathname));
    await page.goto(url('/admin/login'));
    await signInOnPage(page, agent.email, agent.secret);
    const wasm = responses.filter((p) => p.endsWith('.wasm'));
    assert.ok(wasm.length > 0 && wasm.every((p) => /^\/pkg\/foyer-staff\./.test(p)), `the staff pages load the staff bundle only: ${wasm.join(', ')}`);

    // Search, and open the customer's page: masked.
    await page.getByRole('link', { name: 'Search customers' }).click();
    await waitForHydration(page);
    await page.getByLabel('Search by email, name, phone, customer id or loyalty number').fill(customer);
    await page.getByRole('button', { name: 'Search' }).click();
    const results = page.getByRole('table', { name: 'Customers found (masked)' });
    await expectVisible(results, 'the results');
    await results.getByRole('link', { name: 'Mira' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Mira' }), 'the customer 360');
    await waitForHydration(page);
    const contact = page.getByRole('region', { name: 'Contact details' });
    assert.ok(!(await contact.innerText()).includes(customer), 'the address is masked');

    // A reveal without a reason is refused at the field; with one, the address shows.
    await contact.getByLabel('Ticket', { exact: true }).fill('T-2001');
    await contact.getByRole('button', { name: 'Reveal' }).click();
    await expectVisible(contact.getByRole('alert').filter({ hasText: 'say why' }), 'a reveal needs a reason');
    assert.ok(!(await contact.innerText()).includes(customer), 'nothing revealed');
    await contact.getByLabel('Field', { exact: true }).selectOption({ label: 'Email' });
    await contact.getByLabel('Reason', { exact: true }).fill('caller cannot read their masked address');
    await contact.getByRole('button', { name: 'Reveal' }).click();
    await expectVisible(contact.getByText(customer), 'the address, revealed to this agent');
    await expectVisible(contact.getByText('revealed to you, for a minute'), 'marked as revealed');
    assert.ok(!page.url().includes(encodeURIComponent(customer)) && !page.url().includes(customer), 'never in the address bar');

    // Ask for access to the customer's portal.
    const access = page.getByRole('region', { name: 'Support access' });
    await access.getByLabel('Ticket', { exact: true }).fill('T-2001');
    await access.getByLabel('Reason', { exact: true }).fill('fix the family name the caller spelled out');
    await access.getByLabel('Correct the profile', { exact: true }).check();
    await access.getByRole('button', { name: 'Ask the customer' }).click();
    await expectVisible(access.getByRole('status').filter({ hasText: 'the customer has been mailed' }), 'asked');
    await expectVisible(access.getByRole('cell', { name: 'Waiting for the customer' }), 'the request, waiting');

    // The customer follows the mail, signs in, approves.
    const mine = await customerContext.newPage();
    const theirErrors = watchErrors(mine);
    await mine.goto(url(await supportMailLink(customer)));
    await expectVisible(mine.getByRole('heading', { level: 1, name: 'Sign in' }), 'signed out: the sign-in page first');
    await waitForHydration(mine);
    await mine.getByLabel('Email', { exact: true }).fill(customer);
    await mine.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await mine.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectVisible(mine.getByRole('heading', { level: 1, name: 'Support access' }), 'back on the request');
    const request = mine.getByRole('region', { name: /Sam Support asks for access for ticket T-2001/ });
    await expectVisible(request.getByText('fix the family name the caller spelled out'), 'the reason');
    assert.ok(await request.getByLabel('correct your profile', { exact: true }).isChecked(), 'what was asked is ticked');
    await request.getByLabel('15 minutes', { exact: true }).check();
    await request.getByRole('button', { name: 'Approve' }).click();
    await expectVisible(mine.getByRole('status').filter({ hasText: 'Access approved.' }), 'approved');
    await expectVisible(mine.getByText(/Sam Support can act in your account for ticket T-2001 until/), 'the live access');

    // The agent opens the portal and fixes the family name under the banner.
    await page.reload();
    await waitForHydration(page);
    await page.getByRole('region', { name: 'Support access' }).getByRole('button', { name: "Open the customer's portal" }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Your profile' }), "the customer's profile");
    const banner = page.getByRole('region', { name: 'Support access' });
    await expectVisible(banner.getByText(/Support agent Sam Support for ticket T-2001, until/), 'the banner');
    await waitForHydration(page);
    // The account navigation offers only what the approval opens: the profile.
    const links = await page.getByRole('navigation', { name: 'Account' }).getByRole('link').allTextContents();
    assert.deepEqual(links.map((l) => l.trim()), ['Profile'], 'no page that would refuse the agent');
    await page.getByLabel('Family name', { exact: true }).fill('Lovelace');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await expectVisible(page.getByRole('status').filter({ hasText: 'Profile saved.' }), 'saved');

    // The customer sees it, with the ticket, and ends the access.
    await mine.goto(url('/account/activity'));
    await expectVisible(mine.getByText(/by support, ticket T-2001/).first(), 'the change in their activity');
    await mine.goto(url('/account/support-access'));
    await waitForHydration(mine);
    await mine.getByRole('button', { name: 'End access now' }).click();
    await expectVisible(mine.getByRole('status').filter({ hasText: 'Access ended.' }), 'ended');

    // The agent's next page is no longer the customer's.
    await page.goto(url('/account'));
    await expectHidden(page.getByText(/Support agent Sam Support for ticket T-2001/), 'the banner is gone');
    // The signed-out page sends the browser on to the sign-in page once hydrated: read the
    // page after that navigation, not during it.
    await page.waitForURL(/\/login/, { timeout: 10_000 }).catch(() => {});
    await page.waitForLoadState('load');
    assert.ok(!(await page.content()).includes('Lovelace'), 'the profile is out of reach');
    assert.deepEqual(errors.filter((e) => !/403|Forbidden/.test(e)), [], `no console errors (agent): ${errors.join('\n')}`);
    assert.deepEqual(theirErrors, [], `no console errors (customer): ${theirErrors.join('\n')}`);
  } finally {
    await agentContext.close();
    await customerContext.close();
  }
});
