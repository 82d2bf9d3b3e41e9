// Foyer: the browser half of passkey ceremonies. The server makes the options and
// checks the answers; this file only turns JSON into WebAuthn calls and back.
// Loaded as a classic script from our own origin (CSP 'self'); the Leptos pages call
// `foyerPasskeys.create/get` through wasm-bindgen.
"use strict";
(function () {
  let pending = null;

  // webauthn-rs may send nulls for absent members; WebIDL dictionaries refuse them.
  function clean(value) {
    if (Array.isArray(value)) return value.map(clean);
    if (value && typeof value === "object") {
      const out = {};
      for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = clean(v);
      return out;
    }
    return value;
  }

  // What went wrong, as a word the page turns into a sentence in the person's language
  // (app::components::passkey).
  function message(err) {
    switch (err && err.name) {
      case "NotAllowedError":
        return "cancelled";
      case "InvalidStateError":
        return "registered";
      case "AbortError":
        return "aborted";
      case "SecurityError":
        return "insecure";
      default:
        return "failed";
    }
  }

  function fresh() {
    if (pending) pending.abort();
    pending = new AbortController();
    return pending.signal;
  }

  window.foyerPasskeys = {
    supported() {
      return typeof window.PublicKeyCredential === "function" &&
        typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function";
    },
    async conditionalAvailable() {
      return this.supported() && typeof PublicKeyCredential.isConditionalMediationAvailable === "function" &&
        (await PublicKeyCredential.isConditionalMediationAvailable());
    },
    // Resolves to the credential as JSON text; rejects with a word `message` names.
    async create(optionsJson) {
      const options = clean(JSON.parse(optionsJson));
      try {
        const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options.publicKey);
        const credential = await navigator.credentials.create({ publicKey, signal: fresh() });
        return JSON.stringify(credential.toJSON());
      } catch (err) {
        throw message(err);
      }
    },
    async get(optionsJson, conditional) {
      const options = clean(JSON.parse(optionsJson));
      try {
        const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options.publicKey);
        const request = { publicKey, signal: fresh() };
        if (conditional) request.mediation = "conditional";
        const credential = await navigator.credentials.get(request);
        return JSON.stringify(credential.toJSON());
      } catch (err) {
        throw message(err);
      }
    },
    abort() {
      if (pending) pending.abort();
      pending = null;
    },
  };
})();
