// How long a customer on a slow phone waits for /login to work: a real Foyer (FOYER_BIN,
// LEPTOS_SITE_ROOT; `./dev.sh bench-load` builds and points at the release ones) in
// Debian's Chromium with Chrome DevTools' "Fast 3G" profile (1.6 Mbit/s down, 750 kbit/s
// up, 562.5 ms round trip) and the CPU slowed 4×. Prints figures, never passes or fails.
//
// Each run has an empty cache (a first visit); "repeat" reloads with the cache kept (the
// hashed bundle is immutable, so nothing but the page is fetched again).
// Interactive = the app marked <html data-hydrated="true"> (its first effect ran: every
// button and link works from then on). "Signed in before the wasm" is the other way a
// customer experiences it: the form is filled and sent as soon as it is painted (the
// page works without the wasm, docs/design/platform.md "Forms before the wasm"), and the
// clock stops when their account page has loaded.
import { startFoyer, launchBrowser } from '../support/server.mjs';
import { PASSWORD, confirmedAccount } from '../support/accounts.mjs';

const RUNS = Number(process.env.FOYER_BENCH_RUNS || 3);
const FAST_3G = {
  offline: false,
  latency: 562.5,
  downloadThroughput: (1.6 * 1024 * 1024) / 8 * 0.9,
  uploadThroughput: (750 * 1024) / 8 * 0.9,
};
const CPU_SLOWDOWN = 4;

async function measure(browser, url, { repeat }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  let bytes = 0;
  const urls = new Map();
  let parts = {};
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.loadingFinished', (e) => {
    bytes += e.encodedDataLength;
    const kind = part(urls.get(e.requestId) ?? '');
    parts[kind] = (parts[kind] ?? 0) + e.encodedDataLength;
  });
  if (repeat) await page.goto(url, { waitUntil: 'load' }); // warm the cache, unthrottled
  await cdp.send('Network.emulateNetworkConditions', FAST_3G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  bytes = 0;
  parts = {};
  const start = Date.now();
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => document.documentElement.dataset.hydrated === 'true', null, {
    timeout: 120_000,
    polling: 50,
  });
  const interactive = Date.now() - start;
  const timing = await page.evaluate(() => {
    const [nav] = performance.getEntriesByType('navigation');
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    return { fcp: paint ? paint.startTime : null, dom: nav ? nav.domContentLoadedEventEnd : null };
  });
  await context.close();
  return { interactive, bytes, parts, ...timing };
}

/** What a request was, for the breakdown of the bytes transferred. */
function part(url) {
  const path = new URL(url, 'http://x').pathname;
  if (path.startsWith('/pkg/')) return path.split('.').pop();
  if (path.startsWith('/i18n/')) return 'messages';
  if (path === '/login') return 'page';
  return path;
}

/** First visit to /login, the form sent the moment it is painted, until /account loaded. */
async function signInBeforeWasm(browser, base, email) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', FAST_3G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  const start = Date.now();
  await page.goto(`${base}/login`, { waitUntil: 'commit' });
  const emailField = page.locator('input[name="email"]');
  await emailField.waitFor({ state: 'visible', timeout: 120_000 });
  const usable = Date.now() - start;
  const hydratedFirst = await page.evaluate(() => document.documentElement.dataset.hydrated === 'true');
  await emailField.fill(email);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.locator('input[name="password"]').press('Enter');
  await page.waitForURL((u) => u.pathname.startsWith('/account'), { timeout: 120_000, waitUntil: 'domcontentloaded' });
  const signedIn = Date.now() - start;
  await context.close();
  return { usable, signedIn, hydratedFirst };
}

const foyer = await startFoyer();
const browser = await launchBrowser();
try {
  const url = `${foyer.baseUrl}/login`;
  console.log(`GET /login on "Fast 3G" (1.6 Mbit/s, 562 ms RTT) with the CPU ${CPU_SLOWDOWN}x slower, ${RUNS} runs each`);
  for (const repeat of [false, true]) {
    const results = [];
    for (let i = 0; i < RUNS; i += 1) results.push(await measure(browser, url, { repeat }));
    const median = (key) => {
      const sorted = results.map((r) => r[key]).sort((a, b) => a - b);
      return sorted[Math.floor(sorted.length / 2)];
    };
    const label = repeat ? 'repeat visit (cached bundle)' : 'first visit (empty cache)  ';
    console.log(
      `${label}  interactive ${(median('interactive') / 1000).toFixed(2)} s (median; runs ${results
        .map((r) => (r.interactive / 1000).toFixed(2))
        .join(', ')})  first paint ${(median('fcp') / 1000).toFixed(2)} s  transferred ${(median('bytes') / 1024).toFixed(0)} KiB`,
    );
    const middle = [...results].sort((a, b) => a.interactive - b.interactive)[Math.floor(results.length / 2)];
    const kib = Object.entries(middle.parts).map(([kind, n]) => `${kind} ${(n / 1024).toFixed(1)}`);
    console.log(`  transferred in the median run, KiB: ${kib.join(', ')}`);
  }
  const runs = [];
  for (let i = 0; i < RUNS; i += 1) runs.push(await signInBeforeWasm(browser, foyer.baseUrl, await confirmedAccount('bench', foyer.baseUrl)));
  const mid = (key) => runs.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  console.log(
    `signed in before the wasm         form usable ${(mid('usable') / 1000).toFixed(2)} s, account page ${(mid('signedIn') / 1000).toFixed(2)} s (median; runs ${runs
      .map((r) => (r.signedIn / 1000).toFixed(2))
      .join(', ')}; sent before hydration in ${runs.filter((r) => !r.hydratedFirst).length} of ${runs.length})`,
  );
} finally {
  await browser.close();
  await foyer.stop();
}
