// The browser bundle's last steps, run by ../dev.sh (node only, no extra package):
//
//   node tools/site.mjs finish SITE_DIR debug|release
//     names foyer.{js,wasm,css} in SITE_DIR/pkg after their content, as cargo-leptos
//     does (`foyer.<md5, base64url>.<ext>`, the hashes in SITE_DIR/hash.txt as
//     `js: …`, `wasm: …`, `css: …` lines, which Leptos reads to link them), keeps an
//     unhashed foyer.css for the pages rendered outside Leptos, and writes brotli (.br)
//     and gzip (.gz) siblings that the server sends by content negotiation. Release
//     compresses hardest; debug compresses fast (the tests load it, nobody downloads it).
//     The sign-in, data and staff bundles, foyer-<bundle>.{js,wasm} (app/src/bundle.rs),
//     the same way, their hashes in SITE_DIR/hash.<bundle>.txt (they share foyer's
//     stylesheet).
//   node tools/site.mjs sizes SITE_DIR
//     prints the raw, gzip and brotli sizes of the bundles.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

// Each bundle: its output name, its hash list, its files (as in app/src/bundle.rs).
const BUNDLES = [
  { name: 'foyer', hashFile: 'hash.txt', kinds: ['js', 'wasm', 'css'] },
  { name: 'foyer-sign-in', hashFile: 'hash.sign-in.txt', kinds: ['js', 'wasm'] },
  { name: 'foyer-data', hashFile: 'hash.data.txt', kinds: ['js', 'wasm'] },
  { name: 'foyer-staff', hashFile: 'hash.staff.txt', kinds: ['js', 'wasm'] },
];
const [command, site, mode] = process.argv.slice(2);
if (!site) {
  console.error('usage: node tools/site.mjs finish SITE_DIR debug|release | sizes SITE_DIR');
  process.exit(2);
}
const pkg = join(site, 'pkg');

function readHashes(hashFile) {
  if (!existsSync(hashFile)) return null;
  const hashes = {};
  for (const line of readFileSync(hashFile, 'utf8').split('\n')) {
    const [kind, hash] = line.split(':').map((s) => s?.trim());
    if (kind && hash) hashes[kind] = hash;
  }
  return hashes;
}

function compress(path, release) {
  const data = readFileSync(path);
  const br = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: release ? constants.BROTLI_MAX_QUALITY : 5,
      [constants.BROTLI_PARAM_LGWIN]: release ? constants.BROTLI_MAX_WINDOW_BITS : 22,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
  writeFileSync(`${path}.br`, br);
  writeFileSync(`${path}.gz`, gzipSync(data, { level: release ? 9 : 4 }));
}

function finish(release) {
  // Earlier builds' hashed files would pile up: one build at a time.
  const hashed = /^foyer(-sign-in|-data|-staff)?\.[A-Za-z0-9_-]{22}\.(js|wasm|css)(\.br|\.gz)?$/;
  for (const file of readdirSync(pkg)) {
    if (hashed.test(file) || /\.(br|gz)$/.test(file)) rmSync(join(pkg, file));
  }
  for (const { name, hashFile, kinds } of BUNDLES) {
    const list = join(site, hashFile);
    rmSync(list, { force: true });
    // A site built without this bundle links the full one everywhere.
    if (!existsSync(join(pkg, `${name}.wasm`))) continue;
    const lines = [];
    for (const kind of kinds) {
      const plain = join(pkg, `${name}.${kind}`);
      const hash = createHash('md5').update(readFileSync(plain)).digest('base64url');
      const target = join(pkg, `${name}.${hash}.${kind}`);
      // foyer.css stays too: the error pages the server writes by hand link it.
      if (kind === 'css') copyFileSync(plain, target);
      else renameSync(plain, target);
      compress(target, release);
      lines.push(`${kind}: ${hash}`);
    }
    if (kinds.includes('css')) compress(join(pkg, `${name}.css`), release);
    writeFileSync(list, `${lines.join('\n')}\n`);
  }
}

function sizes() {
  const rows = [];
  for (const { name, hashFile, kinds } of BUNDLES) {
    const hashes = readHashes(join(site, hashFile));
    for (const kind of kinds) {
      const file = hashes?.[kind] ? `${name}.${hashes[kind]}.${kind}` : `${name}.${kind}`;
      const path = join(pkg, file);
      if (!existsSync(path)) continue;
      const size = (p) => (existsSync(p) ? readFileSync(p).length : null);
      rows.push([file, size(path), size(`${path}.gz`), size(`${path}.br`)]);
    }
  }
  const kb = (n) => (n === null ? '-' : `${(n / 1024).toFixed(1)} KiB`);
  const width = Math.max(...rows.map((r) => r[0].length), 4);
  console.log(`${'file'.padEnd(width)}  ${'raw'.padStart(12)}  ${'gzip'.padStart(12)}  ${'brotli'.padStart(12)}`);
  for (const [file, ...n] of rows) {
    console.log(`${file.padEnd(width)}  ${n.map((v) => kb(v).padStart(12)).join('  ')}`);
  }
  console.log('(a first visit to /login downloads foyer-sign-in.*.js and .wasm and foyer.*.css; the data pages foyer-data.*, the staff pages foyer-staff.*; any other page foyer.*)');
}

if (command === 'finish') finish(mode === 'release');
else if (command === 'sizes') sizes();
else {
  console.error(`unknown command ${command}`);
  process.exit(2);
}
