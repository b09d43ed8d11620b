// WebAuthn ceremonies for exoderm's pages: registration (navigator.credentials.create) on
// the account page and the security-key step of login (navigator.credentials.get).
// The server's options arrive as JSON in data-options (binary fields base64url-encoded,
// W3C Web Authentication Level 3 §5.1.8 toJSON form); the browser's answer is posted back
// as JSON in the form's hidden "credential" field.
(function () {
  "use strict";

  function bytes(b64url) {
    const padded = b64url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((b64url.length + 3) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  function b64url(buffer) {
    let text = "";
    new Uint8Array(buffer).forEach((b) => { text += String.fromCharCode(b); });
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map((c) => Object.assign({}, c, { id: bytes(c.id) }));
  }

  function creationOptions(o) {
    o.challenge = bytes(o.challenge);
    o.user.id = bytes(o.user.id);
    o.excludeCredentials = descriptors(o.excludeCredentials);
    return o;
  }

  function requestOptions(o) {
    o.challenge = bytes(o.challenge);
    o.allowCredentials = descriptors(o.allowCredentials);
    return o;
  }

  function encode(credential) {
    const r = credential.response;
    const response = { clientDataJSON: b64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = b64url(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = b64url(r.authenticatorData);
      response.signature = b64url(r.signature);
      response.userHandle = r.userHandle ? b64url(r.userHandle) : null;
    }
    return JSON.stringify({
      id: credential.id,
      rawId: b64url(credential.rawId),
      type: credential.type,
      response: response,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || null,
    });
  }

  async function run(box) {
    const form = document.getElementById(box.dataset.form);
    const status = document.getElementById(box.dataset.status);
    if (!window.PublicKeyCredential) {
      status.textContent = "This browser does not support security keys.";
      return;
    }
    const options = JSON.parse(box.dataset.options);
    status.textContent = "Waiting for your security key…";
    try {
      const credential = box.dataset.ceremony === "create"
        ? await navigator.credentials.create({ publicKey: creationOptions(options) })
        : await navigator.credentials.get({ publicKey: requestOptions(options) });
      form.elements.credential.value = encode(credential);
      status.textContent = "Checking…";
      form.submit();
    } catch (error) {
      status.textContent = "The security key did not answer (" + error.name + "). Press the button to try again.";
    }
  }

  document.querySelectorAll("[data-ceremony]").forEach((box) => {
    const button = document.getElementById(box.dataset.button);
    button.addEventListener("click", () => { run(box); }, { once: true });
  });
})();
