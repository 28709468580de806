// Shared helpers for the sealed-bid pages: the age bundle, CSRF-protected JSON calls, messages, downloads.
// Loaded as ES modules; no inline script anywhere (the CSP forbids it).

export async function loadAge() {
  const url = document.querySelector('meta[name="eproc-age-module"]').content;
  return import(url);
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export async function api(method, url, body, headers = {}) {
  const options = { method, credentials: "same-origin", headers: { "X-CSRFToken": csrfToken(), ...headers } };
  if (body instanceof Blob || body instanceof ArrayBuffer || body instanceof Uint8Array) {
    options.body = body;
    options.headers["Content-Type"] = "application/octet-stream";
  } else if (body !== undefined) {
    options.body = JSON.stringify(body);
    options.headers["Content-Type"] = "application/json";
  }
  const response = await fetch(url, options);
  let data = {};
  try { data = (await response.json()) ?? {}; } catch { /* not JSON */ }
  if (!response.ok) {
    const error = new Error(data.error || data.message || `HTTP ${response.status}`);
    error.status = response.status;
    error.data = data;
    throw error;
  }
  return data;
}

// PUT a Blob, reporting the bytes sent as they go: fetch() cannot tell how far a request body has got, and a chunk
// of 16 MiB takes a minute on a slow line, too long for a progress bar that does not move. A send that makes no
// progress for `stallMs` is given up (not one that is slow: a whole chunk may take minutes). Answers and errors are
// those of api().
export function putWithProgress(url, blob, onProgress, stallMs = 60_000) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    let stalled;
    const watch = () => { clearTimeout(stalled); stalled = setTimeout(() => request.abort(), stallMs); };
    request.open("PUT", url);
    request.withCredentials = true;
    request.setRequestHeader("X-CSRFToken", csrfToken());
    request.setRequestHeader("Content-Type", "application/octet-stream");
    request.upload.onprogress = (event) => { watch(); onProgress(event.loaded); };
    request.upload.onload = () => clearTimeout(stalled); // all sent: the server's answer may take its time
    request.onloadend = () => clearTimeout(stalled);
    request.onload = () => {
      let data = {};
      try { data = JSON.parse(request.responseText) ?? {}; } catch { /* not JSON */ }
      if (request.status >= 200 && request.status < 300) return resolve(data);
      const error = new Error(data.error || data.message || `HTTP ${request.status}`);
      error.status = request.status;
      error.data = data;
      reject(error);
    };
    request.onerror = request.onabort = request.ontimeout = () => reject(new Error("network error"));
    watch();
    request.send(blob);
  });
}

export function say(element, text, kind = "info") {
  element.textContent = text;
  element.className = `message ${kind}`;
  element.hidden = false;
}

export function download(bytes, filename, type = "application/octet-stream") {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function text(root, key) {
  // Translated strings come from data-* attributes of the page, so the scripts stay language-free.
  return root.dataset[key] || key;
}
