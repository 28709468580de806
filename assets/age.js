// Entry point of the browser crypto bundle, built by `npm run build` into eproc/static/vendor/age.js (not
// committed). It re-exports the age-encryption package (typage) and an incremental SHA-256 (@noble/hashes), so
// pages can seal a bid, hash the sealed bytes while they stream, and handle committee keys.
export * from "age-encryption";
export { sha256 } from "@noble/hashes/sha2.js";
export { bytesToHex } from "@noble/hashes/utils.js";
// Several bid documents are packed into one ZIP (stored, not compressed: they are usually PDFs and scans) while
// they stream into the encrypter, so the bidder can pick files rather than prepare an archive.
export { Zip, ZipPassThrough } from "fflate";
