// Using the playground page as a person would, by role and accessible name; the API and the
// scripted upstream, for what a test sets up or checks behind the page.
import type { Locator, Page } from "playwright-core";
import { inject } from "vitest";
import type { Behaviour, ReceivedRequest } from "../upstream/scripted-upstream.ts";

export const appOrigin = inject("appOrigin");
const upstreamUrl = inject("upstreamUrl");

const PASSWORD = "correct horse battery staple";

let users = 0;
const newEmail = () => `page-${process.pid}-${Date.now()}-${++users}@example.com`;

/** Resolves once the element shows `text`: Playwright's own waiting, as `toContainText` would. */
export const seeText = (locator: Locator, text: string | RegExp) => locator.filter({ hasText: text }).first().waitFor();

/** Registers a new user through the page; resolves once signed in. */
export async function register(page: Page, email = newEmail()) {
  await page.goto(appOrigin);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Register" }).click();
  await page.getByRole("button", { name: "Log out" }).waitFor();
  return email;
}

/** Signs in through the page, without waiting for the outcome. */
export async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.goto(appOrigin);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function callApi(path: string, init: { method?: string; body?: unknown; token?: string } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  return fetch(`${appOrigin}${path}`, {
    method: init.method ?? "POST",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

/** Registers a user with the API directly; the page can then sign in as them. */
export async function registerWithApi(email = newEmail()) {
  const response = await callApi("/auth/register", { body: { email, password: PASSWORD } });
  if (response.status !== 201) throw new Error(`register answered ${response.status}`);
  const { accessToken } = (await response.json()) as { accessToken: string };
  return { email, accessToken };
}

/** Asks with the API directly, as a test's setup: resolves to the session's id once the stream is done. */
export async function askWithApi(accessToken: string, body: Record<string, unknown>) {
  const response = await callApi("/playground/stream", { token: accessToken, body });
  if (response.status !== 200) throw new Error(`the stream answered ${response.status}`);
  const sessionId = (await response.text()).match(/"sessionId":"([\w-]+)"/)?.[1];
  if (!sessionId) throw new Error("the stream named no session");
  return sessionId;
}

/** Votes with the API directly on a session's latest turn. */
export async function voteWithApi(accessToken: string, sessionId: string, winner: string) {
  const response = await callApi(`/playground/sessions/${sessionId}/votes`, { token: accessToken, body: { winner } });
  if (response.status !== 201) throw new Error(`the vote answered ${response.status}`);
}

/** Scripts the upstream per model; the prompt that carries `tag` gets this behaviour. */
export async function scriptUpstream(models: Record<string, Behaviour>) {
  const response = await fetch(`${upstreamUrl}/scripts`, { method: "POST", body: JSON.stringify({ models }) });
  const { id } = (await response.json()) as { id: string };
  return { id, tag: `[script:${id}]` };
}

/** What the upstream received for a script, once every request for `model` has ended. */
export async function upstreamRequests(id: string, model: string) {
  const response = await fetch(`${upstreamUrl}/scripts/${id}/requests?settled=${encodeURIComponent(model)}`);
  return ((await response.json()) as ReceivedRequest[]).filter((request) => request.model === model);
}

/** Chooses exactly these models in the picker. */
export async function chooseModels(page: Page, ...models: string[]) {
  const box = (model: string) => page.getByRole("checkbox", { name: model, exact: true });
  await box(models[0] ?? "").waitFor();
  const checked = page.getByRole("group", { name: /^Models/ }).getByRole("checkbox", { checked: true });
  while ((await checked.count()) > 0) await checked.first().uncheck();
  for (const model of models) await box(model).check();
}

/** Writes the prompt and sends it. */
export async function ask(page: Page, prompt: string) {
  await page.getByLabel("Prompt", { exact: true }).fill(prompt);
  await page.getByRole("button", { name: "Send" }).click();
}

export const turn = (page: Page, number: number) => page.getByRole("article", { name: `Turn ${number}` });

/** The region a model's (or blind label's) answer streams into. */
export const answer = (scope: Locator, model: string) => scope.getByRole("region", { name: model, exact: true });

/** Opens the API keys view, makes a key, and reads it from the field that shows it once. */
export async function createApiKey(page: Page, name: string) {
  await page.getByRole("button", { name: "API keys" }).click();
  await page.getByLabel("Key name").fill(name);
  await page.getByRole("button", { name: "Create key" }).click();
  const field = page.getByLabel("New API key");
  await field.waitFor();
  return field.inputValue();
}
