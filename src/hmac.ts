// HMAC-SHA256 keys from the Worker's secret, imported once per isolate: `importKey` on every request
// would cost CPU for nothing.

const keys = new Map<string, Promise<CryptoKey>>();

const importKey = (raw: BufferSource) => crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);

/**
 * The HMAC key of `secret`; with a `label`, the key of one purpose derived from it,
 * HMAC-SHA256(secret, label), so that what it signs means nothing under any other purpose.
 *
 * @example
 * const key = await hmacKey(config.jwtSecret, "model-playground share links v1");
 */
export function hmacKey(secret: string, label?: string): Promise<CryptoKey> {
  const id = label === undefined ? secret : `${label}\u0000${secret}`;
  let key = keys.get(id);
  if (!key) {
    const encoder = new TextEncoder();
    key =
      label === undefined
        ? importKey(encoder.encode(secret))
        : hmacKey(secret)
            .then((master) => crypto.subtle.sign("HMAC", master, encoder.encode(label)))
            .then(importKey);
    keys.set(id, key);
  }
  return key;
}
