"""The WSGI application of benchmarks/bench_upload_floor.py: a sealed bid's bytes taken the way eproc takes them
(eproc.bids.uploads.write_chunk for each chunk, uploads.seal at the last: SHA-256 checked past the page cache, the
header checked to be age, fsync, rename), and nothing else: no Django request handling, session, database, audit
event or receipt. It is not eproc and never serves users; it measures how fast the machine and the HTTP server
could take the bytes if everything but the bytes cost nothing.

    PUT /floor/<bid>/<offset>?size=<bytes>&sha256=<hex>   the next chunk of bid <bid>; 200, or 400 with the reason
    GET  any path                                         200 (the benchmark's readiness probe)

Configured by the environment: EPROC_FLOOR_DIR, the directory the bids are stored in.
"""

import os
from types import SimpleNamespace
from urllib.parse import parse_qs

from django.conf import settings

if not settings.configured:  # uploads needs Django's storage and its settings, nothing more
    settings.configure(USE_I18N=False)

from django.core.files.storage import FileSystemStorage  # noqa: E402

from eproc.bids import crypto, uploads  # noqa: E402


def _answer(start_response, status: str, text: str):
    body = text.encode()
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def app(environ, start_response):
    if environ["REQUEST_METHOD"] != "PUT":
        return _answer(start_response, "200 OK", "floor")
    try:
        _, _, bid, offset = environ["PATH_INFO"].split("/", 3)
        query = parse_qs(environ.get("QUERY_STRING", ""))
        envelope = SimpleNamespace(
            public_id=bid, ciphertext_size=int(query["size"][0]), ciphertext_sha256=query["sha256"][0]
        )
        offset, length = int(offset), int(environ.get("CONTENT_LENGTH") or 0)
    except (ValueError, KeyError):
        return _answer(start_response, "400 Bad Request", "PUT /floor/<bid>/<offset>?size=&sha256=")
    storage = FileSystemStorage(location=os.environ["EPROC_FLOOR_DIR"])
    received = uploads.write_chunk(envelope, offset, environ["wsgi.input"], length, storage=storage)
    if received < length:
        return _answer(start_response, "400 Bad Request", f"the chunk ended after {received} of {length} bytes")
    if offset + received == envelope.ciphertext_size:
        try:
            uploads.seal(envelope, storage=storage)
        except uploads.BytesMismatch:
            return _answer(start_response, "400 Bad Request", "the bytes do not match the SHA-256")
        except crypto.AgeHeaderError as error:
            return _answer(start_response, "400 Bad Request", f"not an age file: {error}")
    return _answer(start_response, "200 OK", str(offset + received))
