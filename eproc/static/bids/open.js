// At the opening, a committee member loads their key file, unlocks it with the passphrase, decrypts their own
// share of the box key locally and submits it. The identity never leaves the browser.
import { api, loadAge, say, text } from "./common.js";

const root = document.getElementById("bid-open");
const form = root.querySelector("form");
const status = root.querySelector("[data-status]");

function fromBase64(value) {
  return Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
}

function toBase64(bytes) {
  let binary = "";
  bytes.forEach((b) => { binary += String.fromCharCode(b); });
  return btoa(binary);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = form.keyfile.files[0];
  if (!file) return say(status, text(root, "chooseFile"), "error");
  form.querySelector("button").disabled = true;
  say(status, text(root, "working"));
  try {
    const age = await loadAge();
    const unlock = new age.Decrypter();
    unlock.addPassphrase(form.passphrase.value);
    const keyText = await unlock.decrypt(new Uint8Array(await file.arrayBuffer()), "text");
    const identity = keyText.split("\n").find((line) => line.startsWith("AGE-SECRET-KEY-1"));
    const share = await api("GET", root.dataset.shareUrl);
    const decrypter = new age.Decrypter();
    decrypter.addIdentity(identity);
    const plain = await decrypter.decrypt(fromBase64(share.ciphertext));
    const result = await api("POST", root.dataset.submitUrl, { share: toBase64(plain) });
    say(status, result.message, "success");
    if (result.opened) setTimeout(() => window.location.reload(), 800);
  } catch (error) {
    say(status, `${text(root, "failed")} ${error.message}`, "error");
  } finally {
    form.querySelector("button").disabled = false;
    form.passphrase.value = "";
  }
});
