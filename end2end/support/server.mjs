// Starts a real Foyer server for end-to-end tests, and a headless Chromium to drive it.
//
// Each server gets its own temporary data directory, its own SQLite database and
// its own free port, so test files never share state. Nothing is downloaded: the
// server is the binary built by cargo (or FOYER_BIN) and the browser is Debian's
// Chromium (or CHROMIUM_PATH).

import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';

/** The repository root: the parent of end2end/. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const DEFAULT_BIN = join(REPO_ROOT, 'target', 'debug', 'foyer');
const DEFAULT_SITE_ROOT = join(REPO_ROOT, 'target', 'site');

const READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 200;
const STOP_TIMEOUT_MS = 10_000;
const RUN_TIMEOUT_MS = 60_000;
const MAX_CAPTURE_CHARS = 64 * 1024;

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

// Servers still running when this process ends (a crashed test, Ctrl-C) are killed
// so that no orphan keeps a port or a temp dir busy.
const live = new Set();
process.once('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Asks the kernel for a free TCP port on the loopback interface. */
async function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close((err) => (err ? reject(err) : resolvePort(port)));
    });
  });
}

/** Keeps the last MAX_CAPTURE_CHARS characters written to a stream. */
function capture(stream) {
  const box = { text: '' };
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    box.text += chunk;
    if (box.text.length > MAX_CAPTURE_CHARS) {
      box.text = box.text.slice(-MAX_CAPTURE_CHARS);
    }
  });
  return box;
}

/** Resolves with { code, signal } once the child has exited (immediately if it already has). */
function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
  });
}

/** Runs a program and resolves with { stdout, stderr, code, signal } whatever its exit code. */
function execFileResult(file, args, options) {
  return new Promise((resolveRun, reject) => {
    execFile(file, args, options, (error, stdout, stderr) => {
      if (!error) {
        resolveRun({ stdout, stderr, code: 0, signal: null });
      } else if (typeof error.code === 'number' || error.signal) {
        // Exited non-zero, or was killed (timeout): the caller asserts on the code.
        resolveRun({
          stdout,
          stderr,
          code: typeof error.code === 'number' ? error.code : null,
          signal: error.signal ?? null,
        });
      } else {
        // Could not be started at all (ENOENT, EACCES, ...).
        reject(error);
      }
    });
  });
}

/** Demo sites on ports the kernel picks (`foyer demo` binds them and prints the URLs). */
const DEMO_SITES_ANY_PORT = 'air=127.0.0.1:0,hotels=127.0.0.1:0';

/** The keys of FOYER_DEMO_SITES, by the site name `foyer demo` prints. */
const DEMO_SITE_KEYS = { 'Northwind Air': 'air', 'Northwind Hotels': 'hotels' };

/**
 * Reads what `foyer --json demo` printed: one JSON object a line (`foyer`, `demo_site`).
 * Lines that are not JSON (none expected) are skipped.
 */
function demoAnnouncements(text) {
  const sites = {};
  for (const line of text.split('\n')) {
    let value;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (value?.demo_site?.name && value.demo_site.url) {
      sites[DEMO_SITE_KEYS[value.demo_site.name] || value.demo_site.name] = {
        name: value.demo_site.name,
        url: value.demo_site.url,
      };
    }
  }
  return { sites };
}

/**
 * Starts `foyer serve --dev` on a free port with a fresh data directory and waits
 * until GET /healthz answers 200.
 *
 * With `demo: true` it starts `foyer --json demo` instead: Foyer in development mode
 * with the two demo brands and the demo brand sites (real OpenID
 * Connect relying parties). The sites listen on loopback ports the kernel picks (unless
 * `env` sets FOYER_DEMO_SITES); the server is ready once /healthz answers 200, the
 * sites' addresses have been printed and each site's home page answers 200. Foyer is
 * at `http://localhost:PORT` and the sites at `http://127.0.0.1:PORT`, so Foyer's
 * cookies and the sites' are on different hosts, as they would be in production.
 *
 * @param {{ env?: Record<string, string>, demo?: boolean }} [options] `env`: extra
 *   environment, applied last; `demo`: start `foyer demo`.
 * @returns {Promise<{
 *   baseUrl: string,
 *   dataDir: string,
 *   databaseUrl: string,
 *   run: (args: string[]) => Promise<{ stdout: string, stderr: string, code: number | null, signal: string | null }>,
 *   stop: () => Promise<void>,
 *   output: () => { stdout: string, stderr: string },
 *   demo: null | {
 *     sites: Record<string, { name: string, url: string }>,
 *   },
 * }>}
 */
export async function startFoyer({ env = {}, demo = false } = {}) {
  const bin = process.env.FOYER_BIN || DEFAULT_BIN;
  if (!existsSync(bin)) {
    throw new Error(
      `Foyer server binary not found at ${bin}. Build it first (cargo leptos build), ` +
        'or point FOYER_BIN at it.',
    );
  }

  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'foyer-e2e-'));
  const databaseUrl = `sqlite://${dataDir}/foyer.db`;
  const addr = `127.0.0.1:${port}`;
  const baseUrl = `http://localhost:${port}`;

  const command = demo ? ['--json', 'demo'] : ['serve', '--dev'];
  const what = `foyer ${command.join(' ')}`;
  const childEnv = {
    ...process.env,
    // Leptos' own settings, in case the binary reads its configuration from the
    // environment (it does when not started by cargo-leptos). Overridable.
    LEPTOS_OUTPUT_NAME: process.env.LEPTOS_OUTPUT_NAME || 'foyer',
    LEPTOS_SITE_PKG_DIR: process.env.LEPTOS_SITE_PKG_DIR || 'pkg',
    LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT || DEFAULT_SITE_ROOT,
    LEPTOS_SITE_ADDR: addr,
    LEPTOS_ENV: process.env.LEPTOS_ENV || 'DEV',
    FOYER_DATABASE_URL: databaseUrl,
    FOYER_DATA_DIR: dataDir,
    FOYER_ADDR: addr,
    FOYER_PUBLIC_URL: baseUrl,
    RUST_LOG: 'warn',
    ...(demo ? { FOYER_DEMO_SITES: DEMO_SITES_ANY_PORT } : {}),
    ...env,
  };

  const child = spawn(bin, command, {
    cwd: dataDir,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const stdout = capture(child.stdout);
  const stderr = capture(child.stderr);
  let spawnError = null;
  child.once('error', (err) => {
    spawnError = err;
  });
  const exit = exited(child).then((result) => {
    live.delete(child);
    return result;
  });

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null && !spawnError) {
      child.kill('SIGTERM');
      const timedOut = await Promise.race([
        exit.then(() => false),
        sleep(STOP_TIMEOUT_MS).then(() => true),
      ]);
      if (timedOut) {
        child.kill('SIGKILL');
        await exit;
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  }

  async function run(args) {
    return execFileResult(bin, args, {
      cwd: dataDir,
      env: childEnv,
      timeout: RUN_TIMEOUT_MS,
      killSignal: 'SIGKILL',
      maxBuffer: 16 * 1024 * 1024,
      encoding: 'utf8',
    });
  }

  // Wait for /healthz, failing fast if the server dies.
  const healthUrl = `http://127.0.0.1:${port}/healthz`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastProblem = 'no answer yet';
  let exitedEarly = null;
  exit.then((result) => {
    exitedEarly = result;
  });
  let demoInfo = null;
  const wantedSites = demo ? sitesPlanned(childEnv.FOYER_DEMO_SITES) : [];
  try {
    for (;;) {
      if (spawnError) {
        throw new Error(`Could not start ${bin}: ${spawnError.message}`);
      }
      if (exitedEarly) {
        const how =
          exitedEarly.code !== null ? `exit code ${exitedEarly.code}` : `signal ${exitedEarly.signal}`;
        throw new Error(
          `${what} exited (${how}) before it was ready.\n` +
            `--- stderr ---\n${stderr.text}\n--- stdout ---\n${stdout.text}`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${what} was not ready within ${READY_TIMEOUT_MS / 1000} s ` +
            `(last: ${lastProblem}).\n--- stderr ---\n${stderr.text}\n--- stdout ---\n${stdout.text}`,
        );
      }
      try {
        const health = await statusOf(healthUrl);
        if (health === 200) {
          if (!demo) break;
          demoInfo = demoAnnouncements(stdout.text);
          const missing = wantedSites.filter((key) => !demoInfo.sites[key]);
          if (missing.length > 0) {
            lastProblem = `the address of demo site(s) ${missing.join(', ')} not printed yet`;
          } else {
            const waiting = [];
            for (const key of wantedSites) {
              const status = await statusOf(`${demoInfo.sites[key].url}/`);
              if (status !== 200) waiting.push(`${key} (status ${status})`);
            }
            if (waiting.length === 0) break;
            lastProblem = `demo site(s) ${waiting.join(', ')} not answering 200 yet`;
          }
        } else {
          lastProblem = `status ${health}`;
        }
      } catch (err) {
        lastProblem = err.cause?.code || err.message;
      }
      await sleep(READY_POLL_MS);
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    baseUrl,
    dataDir,
    databaseUrl,
    run,
    stop,
    /** What the server has printed so far (the last 64 KiB of each stream), for failure messages. */
    output: () => ({ stdout: stdout.text, stderr: stderr.text }),
    /** With `demo: true`: the demo sites by key (`air`, `hotels`). */
    demo: demoInfo,
  };
}

/** The status GET `address` answers with (throws when nothing answers). */
async function statusOf(address) {
  const res = await fetch(address, { signal: AbortSignal.timeout(2_000), redirect: 'manual' });
  await res.arrayBuffer();
  return res.status;
}

/** The site keys a FOYER_DEMO_SITES value asks for (unset or empty: both; `off`: none). */
function sitesPlanned(value) {
  const text = (value || '').trim();
  if (text === '') return ['air', 'hotels'];
  if (text.toLowerCase() === 'off') return [];
  return text
    .split(',')
    .map((item) => item.split('=')[0].trim())
    .filter(Boolean);
}

/** Launches Debian's headless Chromium through playwright-core. */
export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}. Install Debian's package (apt-get install chromium), ` +
        'or point CHROMIUM_PATH at a Chromium binary.',
    );
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}
