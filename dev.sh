#!/usr/bin/env bash
# Foyer's one build entry point (no cargo-leptos needed):
#   ./dev.sh serve   build the release site + server, then run `foyer demo` on :3000
#   ./dev.sh test    build the debug site + server, run every test (unit, integration
#                    on SQLite and PostgreSQL, end-to-end in Chromium)
#   ./dev.sh build [--release]   only build (site under $TARGET/site, server binary)
#   ./dev.sh bench   measure the OIDC provider's hot paths (release build) and print figures
# Each step installs what it needs when missing: the wasm32 target, wasm-bindgen-cli at
# the version in Cargo.lock, Debian chromium, the npm packages under end2end/.
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

ensure_npm_packages() {
  if [ ! -d end2end/node_modules/playwright-core ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing end-to-end npm packages"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
}

# The browser bundle: wasm crate -> wasm-bindgen -> $SITE/pkg, plus CSS and public/.
build_site() {
  local profile="$1" cargo_profile dir
  ensure_wasm_target
  ensure_wasm_bindgen
  if [ "$profile" = release ]; then cargo_profile=(--profile wasm-release); dir=wasm-release; else cargo_profile=(); dir=debug; fi
  say "building the browser bundle ($dir)"
  cargo build -p frontend --lib --target wasm32-unknown-unknown "${cargo_profile[@]}" --target-dir "$TARGET/front"
  mkdir -p "$SITE/pkg"
  wasm-bindgen --target web --no-typescript --out-dir "$SITE/pkg" --out-name "$NAME" \
    "$TARGET/front/wasm32-unknown-unknown/$dir/frontend.wasm"
  mv -f "$SITE/pkg/${NAME}_bg.wasm" "$SITE/pkg/$NAME.wasm"
  cp style/foyer.css "$SITE/pkg/$NAME.css"
  cp -r public/. "$SITE/"
}

build_server() {
  say "building the server ($1)"
  if [ "$1" = release ]; then cargo build --release -p server; else cargo build -p server; fi
}

run_tests() {
  ensure_chromium
  ensure_npm_packages
  say "unit and integration tests (SQLite and PostgreSQL)"
  cargo test -p identity -p server --no-fail-fast
  say "end-to-end tests in Chromium"
  (cd end2end && FOYER_BIN="$TARGET/debug/foyer" LEPTOS_SITE_ROOT="$SITE" node --test --test-concurrency=1 tests/)
}

# Figures only, never pass/fail: a real Foyer in-process on SQLite, then on PostgreSQL
# when FOYER_BENCH_POSTGRES_URL (or FOYER_TEST_POSTGRES_URL, or the local server) answers.
run_bench() {
  say "benchmarking the OIDC provider (release build; the first one takes a while)"
  cargo bench -p server --bench oidc
}

case "${1:-}" in
  serve)
    build_site release
    build_server release
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
    run_bench
    ;;
  build)
    if [ "${2:-}" = --release ]; then build_site release; build_server release; else build_site debug; build_server debug; fi
    ;;
  *)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
