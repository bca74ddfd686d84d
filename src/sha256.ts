// One hashing helper for what is kept only as a hash: refresh tokens (auth) and the emails the
// login limiter counts (ratelimit), so neither folder reaches into the other.

/**
 * SHA-256 of text, in lowercase hex.
 *
 * @example
 * const tokenHash = await sha256Hex(refreshToken);
 */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
