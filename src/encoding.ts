// Bytes as text, for what a credential or a link carries: base64url, and a UUID as its 16 bytes.

/** Bytes in base64url, without padding. */
export const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

/** The bytes of base64url text (with or without padding). */
export const fromBase64url = (text: string) =>
  Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (char) => char.charCodeAt(0));

/** A UUID's 16 bytes. */
export const uuidBytes = (uuid: string) => Uint8Array.from(uuid.replace(/-/g, "").match(/../g)!, (pair) => Number.parseInt(pair, 16));

/** 16 bytes as a UUID's text. */
export function uuidOf(bytes: Uint8Array): string {
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
