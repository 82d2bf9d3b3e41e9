#!/usr/bin/env bash
# Foyer's one build entry point (no cargo-leptos needed):
#   ./dev.sh serve   build the release site + server, then run `foyer demo` on :3000
#   ./dev.sh test    build the debug site + server, run every test (unit, integration
#                    on SQLite and PostgreSQL, end-to-end in Chromium)
#   ./dev.sh build [--release]   only build (site under $TARGET/site, server binary)
#   ./dev.sh site [--release]    only build the site (the browser bundles, CSS, public/)
#   ./dev.sh bench [--peer]   measure the OIDC provider's hot paths (release build) and print
#                    figures; --peer also measures node oidc-provider (bench/peer/) side by side
#   ./dev.sh bench-load   time /login to interactive in Chromium on "Fast 3G" with a 4x slower CPU
# Each step installs what it needs when missing: the wasm32 target, wasm-bindgen-cli at
# the version in Cargo.lock, Debian chromium, the npm packages under end2end/, tools/ and bench/peer/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
export CARGO_TARGET_DIR="$TARGET"
SITE="$TARGET/site"
NAME=foyer   # also LEPTOS_OUTPUT_NAME in .cargo/config.toml and output-name in Cargo.toml

say() { printf '\n==> %s\n' "$*" >&2; }

ensure_wasm_target() {
  rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
    || { say "adding the wasm32-unknown-unknown target"; rustup target add wasm32-unknown-unknown; }
}

ensure_wasm_bindgen() {
  local want have
  want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
  have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
  if [ "$have" != "$want" ]; then
    say "installing wasm-bindgen-cli $want (about 8 minutes, once)"
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

ensure_chromium() {
  command -v chromium >/dev/null 2>&1 && return
  say "installing Debian chromium"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}

# binaryen's wasm-opt from npm (a JS/wasm build: no native toolchain, a current version;
# Debian's is years older than what rustc emits). Release builds only.
ensure_tools() {
  if [ ! -x tools/node_modules/.bin/wasm-opt ] || [ tools/package-lock.json -nt tools/node_modules/.package-lock.json ]; then
    say "installing the bundle tools (npm binaryen)"
    (cd tools && npm ci --no-audit --no-fund)
  fi
}

ensure_npm_packages() {
  if [ ! -d end2end/node_modules/playwright-core ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing end-to-end npm packages"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
}

# The browser bundles: wasm crate -> wasm-bindgen -> (release: wasm-opt) -> $SITE/pkg,
# plus CSS and public/; then content-hashed names, $SITE/hash.txt (and
# hash.<bundle>.txt), and .br/.gz siblings (tools/site.mjs; the server sends those by
# content negotiation). Four bundles (app/src/bundle.rs): foyer-sign-in (the sign-in
# pages only, what a first visit to /login downloads), foyer-data (the customer's data
# pages: privacy, data, household, loyalty), foyer-staff (the pages under /admin, which
# customers never download) and foyer (the customer's other pages).
build_site() {
  local profile="$1" cargo_profile dir bindgen_flags=()
  ensure_wasm_target
  ensure_wasm_bindgen
  if [ "$profile" = release ]; then
    cargo_profile=(--profile wasm-release); dir=wasm-release
    # The name section (function names for stack traces) was 3.75 MB of the 8 MB release wasm.
    bindgen_flags=(--remove-name-section --remove-producers-section)
    ensure_tools
  else
    cargo_profile=(); dir=debug
  fi
  mkdir -p "$SITE/pkg"
  rm -f "$SITE/pkg/$NAME".* "$SITE/pkg/$NAME-sign-in".* "$SITE/pkg/$NAME-staff".* "$SITE/pkg/$NAME-data".*
  build_bundle "$NAME"
  build_bundle "$NAME-sign-in" --features sign-in
  build_bundle "$NAME-data" --features data
  build_bundle "$NAME-staff" --features staff
  cp style/foyer.css "$SITE/pkg/$NAME.css"
  cp -r public/. "$SITE/"
  node tools/site.mjs finish "$SITE" "$profile"
}

# One bundle: build_bundle OUTPUT_NAME [cargo feature arguments], with build_site's
# profile variables. The bundles share one target directory (only `app` and
# `frontend` differ between them, and cargo keeps both builds of `app`).
build_bundle() {
  local out="$1"; shift
  say "building the browser bundle $out ($dir)"
  cargo build -p frontend --lib --target wasm32-unknown-unknown "${cargo_profile[@]}" "$@" --target-dir "$TARGET/front"
  wasm-bindgen --target web --no-typescript "${bindgen_flags[@]}" --out-dir "$SITE/pkg" --out-name "$out" \
    "$TARGET/front/wasm32-unknown-unknown/$dir/frontend.wasm"
  mv -f "$SITE/pkg/${out}_bg.wasm" "$SITE/pkg/$out.wasm"
  if [ "$profile" = release ]; then
    say "optimising $out.wasm for size (wasm-opt -Oz, no one-caller inlining)"
    # The features rustc enables by default for wasm32 (LLVM's "generic" CPU), which
    # wasm-opt must be told to accept and keep.
    # `-ocimfs 0`: binaryen inlines every function that has one caller by default. That
    # makes the raw file smaller but what is downloaded bigger (the inlined copies of
    # generic code no longer repeat byte for byte, so brotli finds less): 422.8 KiB
    # brotli with it, 370.1 KiB without (2026-12-06; without wasm-opt at all 380.3 KiB).
    tools/node_modules/.bin/wasm-opt -Oz -ocimfs 0 --strip-debug --strip-producers \
      --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-multivalue --enable-reference-types \
      "$SITE/pkg/$out.wasm" -o "$SITE/pkg/$out.opt.wasm"
    mv -f "$SITE/pkg/$out.opt.wasm" "$SITE/pkg/$out.wasm"
  fi
}

# What a browser downloads: raw, gzip and brotli sizes of the bundle.
print_sizes() {
  say "browser bundle sizes ($SITE/pkg)"
  node tools/site.mjs sizes "$SITE"
}

build_server() {
  say "building the server ($1)"
  if [ "$1" = release ]; then cargo build --release -p server; else cargo build -p server; fi
}

run_tests() {
  ensure_chromium
  ensure_npm_packages
  say "the core reads no clock or global randomness of its own (identity/clippy.toml)"
  cargo clippy -q -p identity --lib -- -A clippy::all -D clippy::disallowed_methods
  say "unit and integration tests (SQLite and PostgreSQL)"
  cargo test -p identity -p app -p server --no-fail-fast
  say "the benchmark still builds (debug profile; ./dev.sh bench runs it)"
  cargo build -q -p server --bench oidc --profile dev
  say "end-to-end tests in Chromium"
  (cd end2end && FOYER_BIN="$TARGET/debug/foyer" LEPTOS_SITE_ROOT="$SITE" node --test --test-concurrency=1 tests/)
}

# node oidc-provider, pinned in bench/peer/package-lock.json (the side-by-side peer).
ensure_peer() {
  if [ ! -d bench/peer/node_modules/oidc-provider ] || [ bench/peer/package-lock.json -nt bench/peer/node_modules/.package-lock.json ]; then
    say "installing the benchmark's peer (npm oidc-provider)"
    (cd bench/peer && npm ci --no-audit --no-fund)
  fi
}

# Figures only, never pass/fail: a real Foyer on SQLite, then on PostgreSQL when
# FOYER_BENCH_POSTGRES_URL (or FOYER_TEST_POSTGRES_URL, or the local server) answers.
# --peer: the side-by-side section also measures node oidc-provider (FOYER_BENCH_PEER=1).
# FOYER_BENCH_ONLY / FOYER_BENCH_ENGINES / FOYER_BENCH_QUICK choose what runs (README).
run_bench() {
  if [ "${1:-}" = --peer ]; then
    ensure_peer
    export FOYER_BENCH_PEER=1
  fi
  say "benchmarking the OIDC provider (release build; the first one takes a while)"
  cargo bench -p server --bench oidc
}

case "${1:-}" in
  serve)
    build_site release
    build_server release
    print_sizes
    say "serving Foyer on http://localhost:3000 and the demo brand sites on http://127.0.0.1:3001 and :3002 (mail at /dev/mail; Ctrl-C stops)"
    LEPTOS_SITE_ROOT="$SITE" exec "$TARGET/release/foyer" demo
    ;;
  test)
    build_site debug
    # `cargo test` builds target/debug/foyer too, with the same feature set as the
    # tests; a separate `cargo build` would resolve features differently and rebuild.
    run_tests
    ;;
  bench)
    run_bench "${2:-}"
    ;;
  bench-load)
    build_site release
    build_server release
    print_sizes
    ensure_chromium
    ensure_npm_packages
    say "timing /login to interactive (release build, throttled Chromium; figures, not a test)"
    (cd end2end && FOYER_BIN="$TARGET/release/foyer" LEPTOS_SITE_ROOT="$SITE" node bench/load.mjs)
    ;;
  site)
    if [ "${2:-}" = --release ]; then build_site release; else build_site debug; fi
    print_sizes
    ;;
  build)
    if [ "${2:-}" = --release ]; then build_site release; build_server release; else build_site debug; build_server debug; fi
    print_sizes
    ;;
  *)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
