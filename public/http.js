// Requests to the API on this origin, and its JSON errors (API.md, "Errors").
import { clock, wait } from "./dom.js";

export class ApiError extends Error {
  /** @param retryAfter seconds until it is worth trying again (Retry-After), or null */
  constructor(status, code, message, retryAfter = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }

  static async from(response) {
    const body = await response.json().catch(() => null);
    const header = response.headers.get("retry-after");
    // Seconds, or an HTTP date.
    const retryAfter =
      header === null ? null : /^\d+$/.test(header) ? Number(header) : Math.max(0, (Date.parse(header) - Date.now()) / 1000) || null;
    return new ApiError(
      response.status,
      body?.error?.code ?? `HTTP_${response.status}`,
      body?.error?.message ?? response.statusText,
      retryAfter,
    );
  }
}

/**
 * A request with a JSON body and an optional bearer token; resolves to the response when it is a
 * success, throws an `ApiError` otherwise (an `AbortError` stays as it is).
 */
export async function send(path, { method = "GET", body, token, signal } = {}) {
  const headers = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "NETWORK", "the server could not be reached");
  }
  if (!response.ok) throw await ApiError.from(response);
  return response;
}

export const json = async (response) => (response.status === 204 ? null : response.json());

/** What the alert says about a failed action: the API's message, and when to try again. */
export function failure(action, error) {
  if (!(error instanceof ApiError)) return `${action} failed: ${error.message}`;
  const message = error.message.replace(/\.?$/, ".");
  if (error.retryAfter !== null) {
    const at = new Date(Date.now() + error.retryAfter * 1000);
    return `${action} failed: ${message} Try again in ${wait(error.retryAfter)} (at ${clock(at)}).`;
  }
  if (error.status === 0 || error.status >= 500) return `${action} failed: ${message} Try again in a moment.`;
  return `${action} failed: ${message}`;
}
