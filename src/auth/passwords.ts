// Password hashes: scrypt at OWASP's parameters, stored as `scrypt$N$r$p$salt$hash` (base64) so the
// parameters can be raised later without breaking older hashes.
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

const PARAMETERS = { N: 2 ** 14, r: 8, p: 5 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;

function derive(password: string, salt: Buffer, params: typeof PARAMETERS): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFKC"), salt, KEY_BYTES, { ...params, maxmem: 64 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/**
 * @example
 * const passwordHash = await hashPassword("correct horse battery");
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, PARAMETERS);
  const { N, r, p } = PARAMETERS;
  return ["scrypt", N, r, p, salt.toString("base64"), key.toString("base64")].join("$");
}

/** True when `password` matches `stored`; a malformed hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, key] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !key) return false;
  const expected = Buffer.from(key, "base64");
  const actual = await derive(password, Buffer.from(salt, "base64"), { N: Number(N), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * A valid hash, at today's parameters, of a random password nobody kept, so that a login for an
 * unknown email does the same work as one with a wrong password, from the first request on.
 */
export const DECOY_PASSWORD_HASH = "scrypt$16384$8$5$XMgMn9gsr2s1m63UuQ4JxQ==$nDx6kJVmAIrIBsRkfYOaIVAvGEUA83CmdIuknsveuzI=";
