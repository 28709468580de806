// Entry point of the browser crypto bundle: re-exports the age-encryption package (typage) so pages can
// `import { Encrypter, Decrypter, generateIdentity, identityToRecipient } from "/static/vendor/age.js"`.
// Built by `npm run build` into eproc/static/vendor/age.js (not committed).
export * from "age-encryption";
