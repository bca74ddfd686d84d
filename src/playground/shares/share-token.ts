// A share's link token: the share's id and an HMAC of it under a key derived from the Worker's
// secret, base64url. The database holds share ids but never the key, so its contents alone cannot
// make a working link; the same share always gives the same token.
import { base64url, fromBase64url, uuidBytes, uuidOf } from "../../encoding.ts";
import { hmacKey } from "../../hmac.ts";

/** Domain separation: the key signs share links and nothing else. */
const KEY_LABEL = "model-playground share links v1";
const MAC_BYTES = 16;

async function macOf(shareId: Uint8Array, secret: string) {
  return new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret, KEY_LABEL), shareId)).slice(0, MAC_BYTES);
}

/**
 * The token of a share: 16 bytes of id and 16 of MAC, so 128 bits no one can guess without the key.
 *
 * @example
 * const token = await shareToken(share.id, config.jwtSecret); // "f3Jk…" (43 characters)
 */
export async function shareToken(shareId: string, secret: string): Promise<string> {
  const id = uuidBytes(shareId);
  const token = new Uint8Array(id.length + MAC_BYTES);
  token.set(id);
  token.set(await macOf(id, secret), id.length);
  return base64url(token);
}

/** The share id a token names, when its MAC is right; undefined for anything else. */
export async function shareIdOf(token: string, secret: string): Promise<string | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const bytes = fromBase64url(token);
  const id = bytes.slice(0, 16);
  const expected = await macOf(id, secret);
  // Compared in full whatever differs, so the time taken tells nothing of the right MAC.
  let difference = 0;
  for (let index = 0; index < MAC_BYTES; index++) difference |= expected[index]! ^ bytes[16 + index]!;
  return difference === 0 ? uuidOf(id) : undefined;
}
