// A bidder seals a bid in the browser and sends it: encrypt to the box recipient (or take an .age file made
// offline), hash the sealed bytes while they stream, commit the SHA-256 and size (the small request that must
// beat the deadline), then upload the bytes in chunks, resuming where the server says it stopped.
// On a tender's bid page the form also has fields (price, validity, ...): they become penawaran.json, the first
// entry of the ZIP that is sealed, so nothing about the bid is readable before the opening (docs/bid-envelope.md).
import { api, loadAge, putWithProgress, say, text } from "./common.js";

async function isSealedAlready(file) {
  const head = new TextDecoder().decode(await file.slice(0, 21).arrayBuffer());
  return head === "age-encryption.org/v1";
}

function zipStream(age, files) {
  // One ZIP entry per picked file, streamed: nothing is read whole into memory.
  return new ReadableStream({
    async start(controller) {
      const zip = new age.Zip((error, chunk, final) => {
        if (error) return controller.error(error);
        controller.enqueue(chunk);
        if (final) controller.close();
      });
      for (const file of files) {
        const entry = new age.ZipPassThrough(file.name);
        zip.add(entry);
        const reader = file.stream().getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) { entry.push(new Uint8Array(0), true); break; }
          entry.push(value);
        }
      }
      zip.end();
    },
  });
}

function bidDocument(root, form) {
  // The structured part of the bid, read by the committee's evaluation after the opening.
  const fields = form.querySelectorAll("[data-bid-field]");
  if (!fields.length) return null;
  const data = { format: "eproc-bid/1", tender: root.dataset.reference, envelope: root.dataset.envelope };
  for (const field of fields) data[field.name] = field.value.trim();
  return new File([JSON.stringify(data, null, 2)], "penawaran.json", { type: "application/json" });
}

async function sealAndHash(root, progress, age, files, packed) {
  const hash = age.sha256.create();
  const parts = [];
  let size = 0;
  let stream;
  const total = files.reduce((sum, file) => sum + file.size, 0);
  if (!packed && files.length === 1 && await isSealedAlready(files[0])) {
    stream = files[0].stream();
  } else {
    const encrypter = new age.Encrypter();
    encrypter.addRecipient(root.dataset.recipient);
    stream = await encrypter.encrypt(!packed && files.length === 1 ? files[0].stream() : zipStream(age, files));
  }
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    hash.update(value);
    parts.push(value);
    size += value.length;
    progress.value = Math.min(0.3, 0.3 * size / Math.max(total, 1));
  }
  // A Blob keeps the sealed bytes (the browser spills large ones to disk), so a retry sends the same bytes.
  return { blob: new Blob(parts), sha256: age.bytesToHex(hash.digest()), size };
}

// An answer that says no (too large, refused, not allowed) stays no however often it is sent again; a lost
// connection, a timeout or a busy server may not.
function isFinal(error) {
  return error.status >= 400 && error.status < 500 && ![408, 409, 429].includes(error.status);
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The first pause before sending again, in ms; the browser tests shorten it.
const retryPause = (root) => Number(root.dataset.retryMs) || 1000;

// Send a request again after a lost connection, a timeout or a busy server: up to 5 times, 1 s, 2 s, ... apart.
async function withRetries(root, send) {
  for (let failures = 0; ; ) {
    try {
      return await send();
    } catch (error) {
      if (isFinal(error) || ++failures > 5) throw error;
      await pause(retryPause(root) * failures);
    }
  }
}

async function upload(root, progress, envelope, blob) {
  // As large as the server takes (EPROC_MAX_BID_CHUNK_BYTES): each request costs the server the same whatever its
  // size, and a chunk cut off by a dropped line still counts for the bytes that reached the server.
  const chunk = Number(root.dataset.chunkBytes);
  const stateUrl = `${root.dataset.envelopesUrl}${envelope.envelope}`;
  let state = envelope;
  let offset = envelope.received_size;
  let failures = 0;
  while (offset < blob.size) {
    const end = Math.min(offset + chunk, blob.size);
    try {
      const sent = (bytes) => { progress.value = 0.3 + 0.7 * ((offset + bytes) / blob.size); };
      state = await putWithProgress(`${stateUrl}/chunks/${offset}`, blob.slice(offset, end), sent);
      offset = state.received_size;
      failures = 0;
    } catch (error) {
      if (error.status === 409 && Number.isInteger(error.data.received_size) && ++failures <= 5) {
        // The upload stands elsewhere: an earlier attempt of ours, given up for lost, still counted. Carry on there.
        offset = error.data.received_size;
        progress.value = 0.3 + 0.7 * (offset / blob.size);
        continue;
      }
      if (isFinal(error) || ++failures > 5) throw error;
      await pause(retryPause(root) * failures);
      try {
        state = await api("GET", stateUrl);
        offset = state.received_size; // resume where the server stopped
      } catch {
        // Still cut off: send the chunk again from where we were; a 409 will say if the server is further on.
      }
    }
    progress.value = 0.3 + 0.7 * (offset / blob.size);
  }
  // The chunk that brought the last byte completed the bid, and its answer holds the receipt. If that answer was
  // lost, or the upload was resumed at its end, ask for the completion: it answers the same for a complete bid.
  if (state.complete) return state;
  return withRetries(root, () => api("POST", `${stateUrl}/complete`));
}

function setUp(root) {
  const form = root.querySelector("form");
  if (!form) return;
  const status = root.querySelector("[data-status]");
  const progress = root.querySelector("progress");
  // What was last sealed, with the files and fields it was sealed from. Sent again unchanged after a failure (the
  // line dropped for longer than the retries, the session expired), it is not sealed again but committed with the
  // same SHA-256 and size, which the server answers with the commitment that counted, even after the deadline.
  // Sealing again would make new ciphertext (age is randomised) needing a new commitment, which the deadline may
  // have closed by then. So it is kept through every failure, and replaced by newly sealed bytes unless their
  // commitment is refused.
  let pending = null;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const picked = Array.from(form.bid.files);
    // An envelope sealed offline (docs/bid-envelope.md) is sent as it is: its penawaran.json is already inside.
    const offline = picked.length === 1 && await isSealedAlready(picked[0]);
    if (!offline && !form.reportValidity()) return;
    const document_ = offline ? null : bidDocument(root, form);
    const files = document_ ? [document_, ...picked] : picked;
    if (!files.length) return say(status, text(root, "chooseFile"), "error");
    form.querySelector("button[type=submit]").disabled = true;
    progress.hidden = false;
    progress.value = 0;
    try {
      const fields = document_ ? await document_.text() : "";
      // The same files chosen again are new File objects: compared by what the browser says of them.
      const same = (a, b) => a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;
      const unchanged = pending && pending.fields === fields && pending.picked.length === picked.length
        && pending.picked.every((file, index) => same(file, picked[index]));
      let sealed;
      if (unchanged) {
        say(status, text(root, "resuming"));
        ({ sealed } = pending);
      } else {
        const age = await loadAge();
        say(status, text(root, "sealing"));
        sealed = await sealAndHash(root, progress, age, files, Boolean(document_));
        say(status, text(root, "committing"));
      }
      // Sent again if its answer is lost: the same SHA-256 and size answer the commitment that counted. So does a
      // file sealed offline and chosen again after the page was reloaded, whose upload then carries on.
      const commitment = { sha256: sealed.sha256, size: sealed.size };
      const previous = pending;
      pending = { picked, fields, sealed }; // its commitment may count even if every answer is lost
      let envelope;
      try {
        envelope = await withRetries(root, () => api("POST", root.dataset.commitUrl, commitment));
      } catch (error) {
        if (isFinal(error)) pending = previous; // refused: the bytes committed before are still the ones that count
        throw error;
      }
      say(status, text(root, "uploading"));
      const done = await upload(root, progress, envelope, sealed.blob);
      progress.value = 1;
      root.querySelector("[data-sha256]").textContent = done.ciphertext_sha256;
      root.querySelector("[data-receipt-link]").href = `${root.dataset.envelopesUrl}${done.envelope}/receipt`;
      root.querySelector("[data-result]").hidden = false;
      say(status, text(root, "done"), "success");
    } catch (error) {
      say(status, `${text(root, "failed")} ${error.message}`, "error");
    } finally {
      form.querySelector("button[type=submit]").disabled = false;
    }
  });
}

document.querySelectorAll(".bid-submit").forEach(setUp);
