// The login: kept in localStorage so it survives a reload and is shared by the tabs, and access
// tokens refreshed before they expire. A refresh token used twice revokes the whole login, so only
// one tab refreshes at a time (Web Locks), and a tab that waited takes the other's fresh token.
import { ApiError, json, send } from "./http.js";

const STORAGE_KEY = "playground.login";
const REFRESH_LOCK = "playground.refresh";
/** Refresh this long before the access token expires. */
const EARLY_MS = 60_000;
/** A token closer to its expiry than this is not sent. */
const MARGIN_MS = 15_000;
/** The wait before trying a failed refresh again. */
const RETRY_MS = 30_000;

const listeners = new Set();
let refreshing = null;
let refreshTimer;

/** The stored login: `{ user, accessToken, refreshToken, expiresAt }`, or null. */
export function currentLogin() {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY));
  } catch {
    return null;
  }
}

/** Calls `listener(login)` whenever this tab or another signs in or out. */
export function onLoginChange(listener) {
  listeners.add(listener);
}

function changed() {
  const login = currentLogin();
  scheduleRefresh(login);
  for (const listener of listeners) listener(login);
}

function save(result) {
  const login = {
    user: result.user,
    accessToken: result.accessToken,
    refreshToken: result.refreshToken,
    expiresAt: Date.now() + result.expiresIn * 1000,
  };
  localStorage.setItem(STORAGE_KEY, JSON.stringify(login));
  return login;
}

function forget() {
  localStorage.removeItem(STORAGE_KEY);
  changed();
}

// Another tab signed in, out, or refreshed.
addEventListener("storage", (event) => {
  if (event.key === STORAGE_KEY || event.key === null) changed();
});

/** `kind` is "login" or "register". */
export async function signIn(kind, email, password) {
  const result = await json(await send(`/auth/${kind}`, { method: "POST", body: { email, password } }));
  save(result);
  changed();
}

/** Ends the login here and on the server; this tab is signed out even when the server cannot be told. */
export async function signOut() {
  const login = await withRefreshLock(async () => {
    const stored = currentLogin();
    localStorage.removeItem(STORAGE_KEY);
    return stored;
  });
  changed();
  if (login) await send("/auth/logout", { method: "POST", body: { refreshToken: login.refreshToken } });
}

const withRefreshLock = (work) => (navigator.locks ? navigator.locks.request(REFRESH_LOCK, work) : work());

/**
 * A fresh login. `seen` is the one this tab found too old: when the stored login has another
 * refresh token since, another tab refreshed while this one waited, and its result is taken.
 */
function refresh(seen) {
  refreshing ??= withRefreshLock(async () => {
    const login = currentLogin();
    if (!login) throw new ApiError(401, "UNAUTHENTICATED", "you are signed out");
    if (login.refreshToken !== seen.refreshToken && login.expiresAt - Date.now() > MARGIN_MS) return login;
    try {
      const fresh = save(await json(await send("/auth/refresh", { method: "POST", body: { refreshToken: login.refreshToken } })));
      changed();
      return fresh;
    } catch (error) {
      // The login was revoked or has expired: sign in again. A network failure keeps it.
      if (error instanceof ApiError && error.status === 401) forget();
      throw error;
    }
  }).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** Refreshes ahead of the expiry; after a failure (the network, say), tries again a little later. */
function scheduleRefresh(login, delay = login ? login.expiresAt - Date.now() - EARLY_MS : 0) {
  clearTimeout(refreshTimer);
  if (!login) return;
  refreshTimer = setTimeout(() => refresh(login).catch(() => scheduleRefresh(currentLogin(), RETRY_MS)), Math.max(0, delay));
}

/** The access token to send; `rejected` is one the API has just refused. */
async function accessToken(rejected) {
  const login = currentLogin();
  if (!login) throw new ApiError(401, "UNAUTHENTICATED", "you are signed out");
  if (login.accessToken !== rejected && login.expiresAt - Date.now() > MARGIN_MS) return login.accessToken;
  return (await refresh(login)).accessToken;
}

/** `send` with the access token; when the API rejects it, once more with a refreshed one. */
export async function authorized(path, options = {}) {
  const token = await accessToken();
  try {
    return await send(path, { ...options, token });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    try {
      return await send(path, { ...options, token: await accessToken(token) });
    } catch (again) {
      if (again instanceof ApiError && again.status === 401) forget();
      throw again;
    }
  }
}

scheduleRefresh(currentLogin());
