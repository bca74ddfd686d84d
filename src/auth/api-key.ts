// API keys as their holders see them: `mpk_`, 32 random bytes and the user's id, all base64url. The
// key names its user, so the user's Durable Object (already on a stream's path) can tell whether it
// is live, and a JWT never costs a key look-up: the prefix tells them apart.
import { base64url, fromBase64url, uuidBytes, uuidOf } from "../encoding.ts";
import { sha256Hex } from "../sha256.ts";

const KEY_PREFIX = "mpk_";
const RANDOM_BYTES = 32;
/** base64url lengths: 32 bytes make 43 characters, a 16-byte user id 22. */
const KEY_PATTERN = /^mpk_([A-Za-z0-9_-]{43})([A-Za-z0-9_-]{22})$/;
/** What a key's listing shows of it: `mpk_` and 8 characters of its random part. */
const SHOWN_CHARACTERS = 12;

/** Whether a bearer credential is an API key rather than an access token. */
export const isApiKey = (credential: string) => credential.startsWith(KEY_PREFIX);

/**
 * A new key for `userId`: what its holder is shown once, what a listing shows, and the SHA-256
 * that is all the server keeps.
 *
 * @example
 * const { key, prefix, hash } = await newApiKey(user.id);
 */
export async function newApiKey(userId: string): Promise<{ key: string; prefix: string; hash: string }> {
  const key = `${KEY_PREFIX}${base64url(crypto.getRandomValues(new Uint8Array(RANDOM_BYTES)))}${base64url(uuidBytes(userId))}`;
  return { key, prefix: key.slice(0, SHOWN_CHARACTERS), hash: await sha256Hex(key) };
}

/** The user a well-formed key names, and its hash; undefined for anything else. Whether it is live is not known here. */
export async function readApiKey(key: string): Promise<{ userId: string; hash: string } | undefined> {
  const match = KEY_PATTERN.exec(key);
  if (!match) return undefined;
  const userBytes = fromBase64url(match[2]!);
  if (userBytes.length !== 16) return undefined;
  return { userId: uuidOf(userBytes), hash: await sha256Hex(key) };
}
