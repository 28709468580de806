// Entry point of the browser crypto bundle, built by `npm run build` into eproc/static/vendor/age.js (not
// committed). It re-exports the age-encryption package (typage) and an incremental SHA-256 (@noble/hashes), so
// pages can seal a bid, hash the sealed bytes while they stream, and handle committee keys.
export * from "age-encryption";
export { sha256 } from "@noble/hashes/sha2.js";
export { bytesToHex } from "@noble/hashes/utils.js";
