// API keys as their holders see them: `mpk_`, 32 random bytes and the user's id, all base64url. The
// key names its user, so the user's Durable Object (already on a stream's path) can tell whether it
// is live, and a JWT never costs a key look-up: the prefix tells them apart.
import { sha256Hex } from "../sha256.ts";

const KEY_PREFIX = "mpk_";
const RANDOM_BYTES = 32;
/** base64url lengths: 32 bytes make 43 characters, a 16-byte user id 22. */
const KEY_PATTERN = /^mpk_([A-Za-z0-9_-]{43})([A-Za-z0-9_-]{22})$/;
/** What a key's listing shows of it: `mpk_` and 8 characters of its random part. */
const SHOWN_CHARACTERS = 12;

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

const fromBase64url = (text: string) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (char) => char.charCodeAt(0));

const uuidBytes = (uuid: string) => Uint8Array.from(uuid.replace(/-/g, "").match(/../g)!, (pair) => Number.parseInt(pair, 16));

function uuidOf(bytes: Uint8Array): string {
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

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
