// A committee member creates their personal age identity in the browser. Only the public recipient goes to
// the server; the identity is downloaded as a passphrase-protected age file that the member keeps.
import { api, download, loadAge, say, text } from "./common.js";

const root = document.getElementById("committee-key");
const form = root.querySelector("form");
const status = root.querySelector("[data-status]");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const passphrase = form.passphrase.value;
  if (passphrase.length < 12) return say(status, text(root, "tooShort"), "error");
  if (passphrase !== form.confirm.value) return say(status, text(root, "mismatch"), "error");
  form.querySelector("button").disabled = true;
  say(status, text(root, "working"));
  try {
    const age = await loadAge();
    const identity = await age.generateIdentity();
    const recipient = await age.identityToRecipient(identity);
    const encrypter = new age.Encrypter();
    encrypter.setPassphrase(passphrase);
    const sealed = await encrypter.encrypt(`# eproc committee key\n# recipient: ${recipient}\n${identity}\n`);
    download(sealed, root.dataset.filename, "application/octet-stream");
    await api("POST", root.dataset.endpoint, { recipient });
    root.querySelector("[data-recipient]").textContent = recipient;
    say(status, text(root, "done"), "success");
    form.reset();
  } catch (error) {
    say(status, `${text(root, "failed")} ${error.message}`, "error");
  } finally {
    form.querySelector("button").disabled = false;
  }
});
