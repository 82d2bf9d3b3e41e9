// Loyalty memberships (/account/loyalty) with `foyer demo`'s programmes and cards
// (`server/src/demo/loyalty.rs`): Charles links his Skyward Miles card by the code mailed
// to the address Northwind Air has on file, sees it verified with its tier, finds it in
// the `loyalty` claim on Northwind Air's profile page, unlinks it, and it is gone there
// too; Ada, acting for her managed child Byron, links Byron's card; and the page works
// with JavaScript off, in German. Elements are found by role and label.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TIMEOUT, browser, expectHidden, expectVisible, foyer, setupFoyerAndBrowser, url, waitForHydration, withPage } from '../support/browser.mjs';
import { CLAIMS_TABLE, DEMO_PASSWORD, claim, site, waitForPlace } from '../support/demo.mjs';
import { signInWithPassword } from '../support/accounts.mjs';

setupFoyerAndBrowser({ server: { demo: true } });

// `server/src/demo/household.rs` and `loyalty.rs`: printed by `foyer demo` at every start.
const ADA = 'ada@demo.example';
const CHARLES = 'charles@demo.example';
const SKYWARD = 'Skyward Miles (Northwind Air)';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Codes already read, so a later step never takes an earlier mail's code. */
const used = new Set();

/** The code in the newest loyalty code mail to `email` (the development mailbox, newest first). */
async function loyaltyCode(email) {
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    assert.ok(Date.now() < deadline, `no new loyalty code mail for ${email} within ${TIMEOUT} ms`);
    const html = await (await fetch(url('/dev/mail'))).text();
    for (const mail of html.split('<li class="card">').slice(1).filter((m) => m.includes(email))) {
      const match = mail.match(/(?:enter this code|diesen Code ein): (\d{6})/);
      if (match && !used.has(match[1])) {
        used.add(match[1]);
        return match[1];
      }
    }
    await sleep(300);
  }
}

/** Signs in as a member of the demo household (lands on the profile page). */
async function signIn(page, email) {
  await signInWithPassword(page, email, 'Your profile', DEMO_PASSWORD);
}

/** Signs in at Northwind Air (approving it the first time); back on Air's profile page. */
async function signInAtAir(page) {
  await page.context().clearCookies({ domain: '127.0.0.1' });
  await page.goto(`${site('air')}/`);
  await page.getByRole('button', { name: 'Sign in with Northwind ID', exact: true }).click();
  const air = new URL(site('air')).origin;
  const steps = { '/oauth2/consent': 'Allow', '/oauth2/profile': 'Skip for now' };
  for (let step = 0; step < 4; step += 1) {
    await page.waitForURL((u) => u.origin === air || u.pathname in steps, { timeout: TIMEOUT });
    const here = new URL(page.url());
    if (here.origin === air) break;
    await waitForHydration(page);
    await page.getByRole('button', { name: steps[here.pathname], exact: true }).click();
    await page.waitForURL((u) => u.origin === air || u.pathname !== here.pathname, { timeout: TIMEOUT });
  }
  await waitForPlace(page, air, '/', 'back at Northwind Air');
  await expectVisible(page.getByRole('table', { name: CLAIMS_TABLE }), 'Air\'s profile page');
}

async function openLoyalty(page) {
  await page.goto(url('/account'));
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Loyalty' }).click();
  await expectVisible(page.getByRole('heading', { level: 1, name: 'Loyalty memberships' }), 'the loyalty page');
  await waitForHydration(page);
}

test('link a card by the mailed code, see it at Northwind Air, unlink', { timeout: 240_000 }, async () => {
  await withPage(async (page) => {
    await signIn(page, CHARLES);
    await openLoyalty(page);
    const form = page.getByRole('region', { name: 'Link a membership' });
    await form.getByLabel('Programme').selectOption({ label: SKYWARD });
    // Skyward Miles proves cards by mail: no card-code field once the page is interactive.
    await expectHidden(form.getByLabel('Code on the card'), 'the card-code field for a mailed-code programme');
    await form.getByLabel('Member number').fill('2000 0000 06');
    await form.getByRole('button', { name: 'Link membership' }).click();
    await expectVisible(page.getByText('We sent a code to the address the programme has on file'), 'the code sent');

    const list = page.getByRole('region', { name: 'Your memberships' });
    await expectVisible(list.getByText('Pending'), 'pending until the code');
    const code = await loyaltyCode(CHARLES);
    await list.getByLabel('Code from the email').fill(code);
    await list.getByRole('button', { name: 'Confirm membership' }).click();
    await expectVisible(page.getByText('Verified: the membership is linked.'), 'verified');
    await expectVisible(list.getByText('Tier: Silver'), 'the tier as reported');
    await expectVisible(list.getByText('Balance: 12000 points'), 'the balance as reported');
    await expectVisible(list.getByText('••••0006'), 'the masked number');

    // Northwind Air receives the membership in the loyalty claim and shows it.
    await signInAtAir(page);
    const memberships = JSON.parse(await claim(page, 'loyalty'));
    assert.equal(memberships.length, 1, JSON.stringify(memberships));
    assert.equal(memberships[0].programme, 'skyward');
    assert.equal(memberships[0].number, '2000000006');
    assert.equal(memberships[0].tier, 'Silver');
    await expectVisible(page.getByRole('region', { name: 'Your loyalty memberships' }).getByText('Skyward Miles', { exact: false }), 'the readable list');

    // Unlink: one click, and Air no longer receives it.
    await openLoyalty(page);
    await page.getByRole('button', { name: 'Unlink Skyward Miles' }).click();
    await expectVisible(page.getByText('Unlinked.'), 'unlinked');
    await expectVisible(page.getByText('No membership is linked yet.'), 'the list is empty');
    await signInAtAir(page);
    const table = page.getByRole('table', { name: CLAIMS_TABLE });
    assert.equal(await table.getByRole('rowheader', { name: 'loyalty', exact: true }).count(), 0, 'no loyalty claim once unlinked');
  });
});

test('a guardian links a card for the managed member', { timeout: 180_000 }, async () => {
  await withPage(async (page) => {
    await signIn(page, ADA);
    await page.goto(url('/account/household'));
    await waitForHydration(page);
    await page.getByRole('button', { name: 'Act for Byron' }).click();
    await expectVisible(page.getByText('You are acting for Byron'), 'the banner');
    await openLoyalty(page);
    const form = page.getByRole('region', { name: 'Link a membership' });
    await form.getByLabel('Programme').selectOption({ label: SKYWARD });
    await form.getByLabel('Member number').fill('3000000004');
    await form.getByRole('button', { name: 'Link membership' }).click();
    const list = page.getByRole('region', { name: 'Your memberships' });
    await expectVisible(list.getByText('••••0004'), 'Byron\'s pending link');
    // Byron's card has Ada's address on file at the airline.
    await list.getByLabel('Code from the email').fill(await loyaltyCode(ADA));
    await list.getByRole('button', { name: 'Confirm membership' }).click();
    await expectVisible(list.getByText('Tier: Blue'), 'Byron\'s card verified with its tier');

    // Back to her own account: Ada's own page does not list Byron's card.
    // The button's answer navigates to the household page: wait for it before our own.
    await page.getByRole('button', { name: 'Back to my account' }).click();
    await page.waitForURL(/\/account\/household/);
    await openLoyalty(page);
    await expectVisible(page.getByText('No membership is linked yet.'), 'Ada\'s own list');
  });
});

test('without JavaScript, in German: link by code and unlink as plain posts', { timeout: 180_000 }, async () => {
  const context = await browser.newContext({ javaScriptEnabled: false, locale: 'de-DE' });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  try {
    await page.goto(url('/login'));
    await page.getByLabel('E-Mail-Adresse', { exact: true }).fill(ADA);
    await page.getByLabel('Passwort', { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Ihr Profil' }), 'signed in without JavaScript');
    await page.goto(url('/account/loyalty'));
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Treue-Mitgliedschaften' }), 'the page in German');

    const form = page.getByRole('region', { name: 'Mitgliedschaft verknüpfen' });
    await form.getByLabel('Programm', { exact: true }).selectOption({ label: SKYWARD });
    // Without the wasm the card-code field is always there, with its hint.
    await expectVisible(form.getByLabel('Code auf der Karte'), 'the card-code field');
    await form.getByLabel('Mitgliedsnummer').fill('1234567897');
    await form.getByRole('button', { name: 'Mitgliedschaft verknüpfen' }).click();
    await expectVisible(page.getByText('Wir haben einen Code an die Adresse geschickt'), 'the code sent');

    const list = page.getByRole('region', { name: 'Ihre Mitgliedschaften' });
    await list.getByLabel('Code aus der E-Mail').fill('000000');
    await list.getByRole('button', { name: 'Mitgliedschaft bestätigen' }).click();
    await expectVisible(page.getByRole('alert').first(), 'the wrong code refused');

    const code = await loyaltyCode(ADA);
    await page.getByRole('region', { name: 'Ihre Mitgliedschaften' }).getByLabel('Code aus der E-Mail').fill(code);
    await page.getByRole('region', { name: 'Ihre Mitgliedschaften' }).getByRole('button', { name: 'Mitgliedschaft bestätigen' }).click();
    await expectVisible(page.getByText('Bestätigt: Die Mitgliedschaft ist verknüpft.'), 'verified without JavaScript');
    await expectVisible(page.getByText('Stufe: Gold'), 'the tier');

    await page.getByRole('button', { name: 'Skyward Miles lösen' }).click();
    await expectVisible(page.getByText('Gelöst.'), 'unlinked without JavaScript');
    await expectVisible(page.getByText('Noch keine Mitgliedschaft verknüpft.'), 'the list is empty');
  } finally {
    await context.close();
  }
});
