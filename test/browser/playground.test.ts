// The playground page in a real Chromium: every control found by its role and accessible name, as
// API.md's "The playground page" names them, against the built Worker, its database and the
// scripted upstream. One browser for the file, a fresh context (no login, no storage) per test.
import { readFile } from "node:fs/promises";
import OpenAI from "openai";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, test } from "vitest";
import { launchBrowser } from "./browser.ts";
import {
  answer,
  appOrigin,
  ask,
  askWithApi,
  callApi,
  chooseModels,
  createApiKey,
  register,
  registerWithApi,
  scriptUpstream,
  seeText,
  signIn,
  turn,
  upstreamRequests,
  voteWithApi,
} from "./playground-page.ts";

let browser: Browser;
let context: BrowserContext;
let page: Page;
/** What the page must never do: break its content security policy, or throw. */
let problems: string[];

function watch(watched: Page) {
  watched.on("console", (message) => {
    if (/Content.Security.Policy|Trusted ?Type/i.test(message.text())) problems.push(message.text());
  });
  watched.on("pageerror", (error) => problems.push(error.message));
}

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  problems = [];
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(8_000);
  page = await context.newPage();
  watch(page);
});
afterEach(async () => {
  await context.close();
  expect(problems).toEqual([]);
});

const alertText = async () => (await page.getByRole("alert").textContent())?.trim();

describe("signing in", () => {
  test("the page is served from the Worker's assets with a strict content security policy", async () => {
    const response = await page.goto(appOrigin);
    expect(response?.status()).toBe(200);
    const policy = response?.headers()["content-security-policy"] ?? "";
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("require-trusted-types-for 'script'");
    expect(policy).not.toContain("unsafe-inline");
    expect(response?.headers()["x-content-type-options"]).toBe("nosniff");
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    expect(await page.getByRole("button", { name: "Register" }).isVisible()).toBe(true);
  });

  test("register, and the login survives a reload", async () => {
    const email = await register(page);
    await seeText(page.getByRole("banner"), email);
    await page.reload();
    await page.getByRole("button", { name: "Log out" }).waitFor();
    await seeText(page.getByRole("list", { name: "Sessions" }), "No sessions yet.");
  });

  test("a failed sign-in shows the API's message as an alert", async () => {
    const { email } = await registerWithApi();
    await signIn(page, email, "not the password");
    await seeText(page.getByRole("alert"), /^Sign in failed: .+/);
    expect(await page.getByRole("button", { name: "Log out" }).count()).toBe(0);
  });

  test("a rate limit shows as an alert that says when to try again", async () => {
    const { email } = await registerWithApi();
    for (let attempt = 0; attempt < inject("loginAttemptsPerEmail"); attempt++) {
      expect((await callApi("/auth/login", { body: { email, password: "a wrong password" } })).status).toBe(401);
    }
    const refused = page.waitForResponse((response) => response.url().endsWith("/auth/login"));
    await signIn(page, email);
    expect((await refused).status()).toBe(429);
    await seeText(page.getByRole("alert"), /Sign in failed: .+ Try again in \d+ (s|min|h) \(at \d/);
  });

  test("Log out ends the login on the server too", async () => {
    await register(page);
    const logout = page.waitForRequest((request) => request.url().endsWith("/auth/logout"));
    await page.getByRole("button", { name: "Log out" }).click();
    const request = await logout;
    expect((await request.response())?.status()).toBe(204);
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    const { refreshToken } = request.postDataJSON() as { refreshToken: string };
    expect((await callApi("/auth/refresh", { body: { refreshToken } })).status).toBe(401);
    await page.reload();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    expect(await page.getByRole("button", { name: "Log out" }).count()).toBe(0);
  });

  test("two tabs share the login and refresh it once, not twice", async () => {
    // A refresh token used twice revokes the login: the tabs must take turns and share the result.
    await context.clock.install();
    await register(page);
    const second = await context.newPage();
    watch(second);
    await second.goto(appOrigin);
    await second.getByRole("button", { name: "Log out" }).waitFor();
    let refreshes = 0;
    context.on("request", (request) => {
      if (request.url().endsWith("/auth/refresh")) refreshes++;
    });
    // Past the point where both tabs refresh the 15-minute access token.
    await context.clock.fastForward("14:30");
    await expect.poll(() => refreshes).toBe(1);
    const locksInUse = () =>
      second.evaluate(async () => {
        type Locks = { query(): Promise<{ held?: unknown[]; pending?: unknown[] }> };
        const { held = [], pending = [] } = await (navigator as unknown as { locks: Locks }).locks.query();
        return held.length + pending.length;
      });
    await expect.poll(locksInUse).toBe(0);
    expect(refreshes).toBe(1);
    for (const tab of [page, second]) {
      await tab.reload();
      await seeText(tab.getByRole("list", { name: "Sessions" }), "No sessions yet.");
    }
  });
});

describe("asking", () => {
  test("two models stream side by side, each into its own region, with its figures", async () => {
    await register(page);
    const { id, tag } = await scriptUpstream({
      "gpt-4o-mini": { chunks: ["Mini ", "says ", "hello."] },
      "gpt-3.5-turbo": { chunks: ["Turbo ", "says ", "hi."] },
    });
    await chooseModels(page, "gpt-4o-mini", "gpt-3.5-turbo");
    await page.getByLabel("Temperature").fill("0.3");
    await page.getByLabel("Max tokens").fill("50");
    await page.getByLabel("System prompt").fill("Be brief.");
    await ask(page, `Greet me ${tag}`);

    const mini = answer(turn(page, 1), "gpt-4o-mini");
    const turbo = answer(turn(page, 1), "gpt-3.5-turbo");
    await seeText(mini, "Mini says hello.");
    await seeText(turbo, "Turbo says hi.");
    for (const column of [mini, turbo]) {
      await seeText(column, "completed");
      // The scripted upstream reports 3 output tokens: the metrics event's figures.
      await seeText(column, "3 out");
    }
    // Side by side: on one line, neither over the other.
    const [one, other] = [await mini.boundingBox(), await turbo.boundingBox()];
    expect(one?.y).toBe(other?.y);
    expect(Math.abs(one!.x - other!.x)).toBeGreaterThanOrEqual(one!.width);

    const [request] = await upstreamRequests(id, "gpt-4o-mini");
    expect(request?.body).toMatchObject({
      temperature: 0.3,
      max_completion_tokens: 50,
      messages: [{ role: "system", content: "Be brief." }, { role: "user" }],
    });
    expect(await alertText()).toBe("");
  });

  test("models the server cannot reach are shown disabled, with why", async () => {
    await register(page);
    const claude = page.getByRole("checkbox", { name: "anthropic/claude-haiku-4-5", exact: true });
    expect(await claude.isDisabled()).toBe(true);
    await page.getByRole("checkbox", { name: "anthropic/claude-haiku-4-5", description: /unavailable/ }).waitFor();
  });

  test("an error shows in its model's column only", async () => {
    await register(page);
    const { tag } = await scriptUpstream({ "gpt-4o-mini": { chunks: ["Fine."] }, "gpt-3.5-turbo": { fail: { status: 401 } } });
    await chooseModels(page, "gpt-4o-mini", "gpt-3.5-turbo");
    await ask(page, `Try ${tag}`);
    await seeText(answer(turn(page, 1), "gpt-3.5-turbo"), "error");
    await seeText(answer(turn(page, 1), "gpt-4o-mini"), "completed");
    expect(await answer(turn(page, 1), "gpt-4o-mini").textContent()).toContain("Fine.");
    expect(await alertText()).toBe("");
  });

  test("Stop ends a slow stream, keeps what arrived as cancelled, and the upstream sees the abort", async () => {
    await register(page);
    const { id, tag } = await scriptUpstream({
      "gpt-4o-mini": { chunks: Array.from({ length: 200 }, (_, index) => `w${index} `), chunkDelayMs: 50 },
    });
    await chooseModels(page, "gpt-4o-mini");
    await ask(page, `Talk slowly ${tag}`);
    const column = answer(turn(page, 1), "gpt-4o-mini");
    await seeText(column, "w2 ");
    await page.getByRole("button", { name: "Stop" }).click();
    await seeText(column, "cancelled");
    expect(await column.textContent()).toContain("w0 w1 w2 ");
    const [request] = await upstreamRequests(id, "gpt-4o-mini");
    expect(request?.closedEarly).toBe(true);
    expect(await page.getByRole("button", { name: "Send" }).isEnabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Stop" }).isDisabled()).toBe(true);
  });

  test("a spend limit shows as an alert, and nothing is asked", async () => {
    await register(page);
    await chooseModels(page, "gpt-5");
    // GPT-5 may write 128,000 output tokens, which may cost $1.28: more than this stack's $1 limit.
    await page.getByLabel("Max tokens").fill("1000000");
    const refused = page.waitForResponse((response) => response.url().endsWith("/playground/stream"));
    await ask(page, "Write me a very long essay");
    const response = await refused;
    expect(response.status()).toBe(429);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("SPEND_LIMITED");
    await seeText(page.getByRole("alert"), error.message);
    expect(await turn(page, 1).count()).toBe(0);
  });
});

describe("sessions", () => {
  test("after a reload the session is in Sessions; open it and continue it", async () => {
    await register(page);
    const first = await scriptUpstream({ "gpt-4o-mini": { chunks: ["Paris."] } });
    await chooseModels(page, "gpt-4o-mini");
    await ask(page, `What is the capital of France? ${first.tag}`);
    await seeText(answer(turn(page, 1), "gpt-4o-mini"), "completed");

    await page.reload();
    await page
      .getByRole("list", { name: "Sessions" })
      .getByRole("button", { name: /capital of France/ })
      .click();
    await seeText(answer(turn(page, 1), "gpt-4o-mini"), "Paris.");
    const second = await scriptUpstream({ "gpt-4o-mini": { chunks: ["About two million."] } });
    await ask(page, `How many people live there? ${second.tag}`);
    await seeText(answer(turn(page, 2), "gpt-4o-mini"), "About two million.");
    await seeText(answer(turn(page, 2), "gpt-4o-mini"), "completed");

    // The model saw the first turn: the page continued the same session.
    const [request] = await upstreamRequests(second.id, "gpt-4o-mini");
    const messages = (request?.body.messages ?? []) as { role: string; content: string }[];
    expect(messages.map((message) => message.role)).toEqual(["user", "assistant", "user"]);
    expect(messages[1]?.content).toBe("Paris.");
    const sessions = page.getByRole("list", { name: "Sessions" });
    await seeText(sessions, "capital of France");
    expect(await sessions.getByRole("listitem").count()).toBe(1);
  });

  test("Sessions lists the newest first, more on demand, and deletes one", async () => {
    const { email, accessToken } = await registerWithApi();
    for (let index = 1; index <= 21; index++) {
      const stream = await callApi("/playground/stream", {
        token: accessToken,
        body: { prompt: `Question ${String(index).padStart(2, "0")}`, models: ["gpt-4o-mini"] },
      });
      expect(stream.status).toBe(200);
      await stream.text();
    }
    await signIn(page, email);
    const sessions = page.getByRole("list", { name: "Sessions" });
    const items = sessions.getByRole("listitem");
    await items.nth(19).waitFor();
    expect(await items.count()).toBe(20);
    await seeText(items.first(), "Question 21");
    await page.getByRole("button", { name: "More" }).click();
    await seeText(items.nth(20), "Question 01");
    expect(await page.getByRole("button", { name: "More" }).count()).toBe(0);

    page.once("dialog", (dialog) => void dialog.accept());
    await items.filter({ hasText: "Question 07" }).getByRole("button", { name: "Delete" }).click();
    await items.filter({ hasText: "Question 07" }).waitFor({ state: "detached" });
    const left = await callApi("/playground/sessions?limit=100", { method: "GET", token: accessToken });
    expect(((await left.json()) as { sessions: unknown[] }).sessions).toHaveLength(20);
  });
});

describe("votes", () => {
  test("vote after a turn, and the leaderboard changes", async () => {
    await register(page);
    const { tag } = await scriptUpstream({ "gpt-4o-mini": { chunks: ["Good answer."] }, "gpt-3.5-turbo": { chunks: ["Weak answer."] } });
    const board = page.getByRole("table", { name: "Leaderboard" });
    await seeText(board, "No votes yet.");
    await chooseModels(page, "gpt-4o-mini", "gpt-3.5-turbo");
    await ask(page, `Which is better? ${tag}`);
    await page.getByRole("button", { name: "gpt-4o-mini is better" }).click();
    await seeText(turn(page, 1), "Your vote: gpt-4o-mini is better.");
    await seeText(board.getByRole("row"), "gpt-4o-mini");
    const rows = board.getByRole("row");
    // The header, then best first.
    await seeText(rows.nth(1), "gpt-4o-mini");
    await seeText(rows.nth(1), "1–0–0");
    await seeText(rows.nth(2), "gpt-3.5-turbo");
    await seeText(rows.nth(2), "0–1–0");
    expect(await alertText()).toBe("");

    // Opened again, the turn shows its vote rather than offering another.
    await page.reload();
    await page
      .getByRole("list", { name: "Sessions" })
      .getByRole("button", { name: /Which is better/ })
      .click();
    await seeText(turn(page, 1), "Your vote: gpt-4o-mini is better.");
    expect(await turn(page, 1).getByRole("button", { name: "Tie" }).count()).toBe(0);
  });

  test("a blind turn shows labels, never the models, until the vote reveals them", async () => {
    await register(page);
    const { tag } = await scriptUpstream({ "gpt-4o-mini": { chunks: ["First answer."] }, "gpt-3.5-turbo": { chunks: ["Second answer."] } });
    await chooseModels(page, "gpt-4o-mini", "gpt-3.5-turbo");
    await page.getByRole("checkbox", { name: "Blind" }).check();
    await ask(page, `Blind question ${tag}`);
    const blindTurn = turn(page, 1);
    await seeText(answer(blindTurn, "model-a"), "completed");
    await seeText(answer(blindTurn, "model-b"), "completed");
    const sessions = page.getByRole("list", { name: "Sessions" });
    await seeText(sessions, "Blind question");
    for (const shown of [blindTurn, sessions]) expect(await shown.textContent()).not.toMatch(/gpt-4o-mini|gpt-3\.5-turbo/);
    // Each model's cost would tell it by its price: shown once the vote has revealed who was who.
    for (const label of ["model-a", "model-b"]) {
      await seeText(answer(blindTurn, label), "after the vote");
      expect(await answer(blindTurn, label).textContent()).not.toContain("$");
    }

    // Continued before the vote, the session keeps its labels.
    await ask(page, `And again ${tag}`);
    await seeText(answer(turn(page, 2), "model-a"), "completed");
    await seeText(answer(turn(page, 2), "model-b"), "completed");
    expect(await turn(page, 2).textContent()).not.toMatch(/gpt-4o-mini|gpt-3\.5-turbo/);

    await turn(page, 2).getByRole("button", { name: "model-a is better" }).click();
    for (const number of [1, 2]) {
      await seeText(turn(page, number), /model-a\)/);
      const revealed = await turn(page, number).textContent();
      expect(revealed).toContain("gpt-4o-mini");
      expect(revealed).toContain("gpt-3.5-turbo");
    }
    await seeText(turn(page, 2), /model-a was (gpt-4o-mini|gpt-3\.5-turbo)/);
    for (const label of ["model-a", "model-b"])
      await seeText(turn(page, 1).getByRole("region", { name: new RegExp(`\\(was ${label}\\)`) }), "$0.0");
  });
});

describe("API keys", () => {
  /** An OpenAI client set up as the view says: the base URL it shows and a key. */
  const openAi = (apiKey: string) => new OpenAI({ baseURL: `${appOrigin}/v1`, apiKey, maxRetries: 0 });
  const echo = (client: OpenAI) =>
    client.chat.completions.create({ model: "local/echo", messages: [{ role: "user", content: "Hello from a key" }] });

  test("make a key, use it with an OpenAI client, revoke it, and it stops working", async () => {
    await register(page);
    const key = await createApiKey(page, "ci");
    expect(key).toMatch(/^mpk_[\w-]{43,}$/);
    expect(await page.getByLabel("New API key").isEditable()).toBe(false);
    await seeText(page.getByRole("main"), "it will not be shown again");
    await page.getByText(`${appOrigin}/v1`, { exact: true }).waitFor();

    const keys = page.getByRole("list", { name: "API keys" });
    const revoke = keys.getByRole("button", { name: "Revoke ci" });
    await revoke.waitFor();
    // `has` is looked for inside each item: a locator from the page, not from the list.
    const item = keys.getByRole("listitem").filter({ has: page.getByRole("button", { name: "Revoke ci" }) });
    await seeText(item, `${key.slice(0, 12)}…`);
    await seeText(item, "no expiry");
    await seeText(item, "never used");

    const completion = await echo(openAi(key));
    expect(completion.choices[0]?.message.content).toBe("Hello from a key");

    // Opened again, the list shows the use.
    await page.getByRole("button", { name: "Close" }).click();
    await page.getByRole("button", { name: "API keys" }).click();
    await seeText(item, "last used");

    page.once("dialog", (dialog) => void dialog.accept());
    await revoke.click();
    await revoke.waitFor({ state: "detached" });
    await seeText(keys, "No API keys yet.");
    const refused = await echo(openAi(key)).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((refused as InstanceType<typeof OpenAI.AuthenticationError>).status).toBe(401);
    expect(await alertText()).toBe("");
  });

  test("Copy puts the new key on the clipboard", async () => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: appOrigin });
    await register(page);
    const key = await createApiKey(page, "copied");
    await page.getByRole("button", { name: "Copy" }).click();
    await seeText(page.getByRole("main"), "Copied.");
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(key);
  });

  test("an expiry in days shows in the list", async () => {
    await register(page);
    await page.getByRole("button", { name: "API keys" }).click();
    await page.getByLabel("Key name").fill("nightly");
    await page.getByLabel("Expires in days").fill("30");
    await page.getByRole("button", { name: "Create key" }).click();
    const item = page.getByRole("list", { name: "API keys" }).getByRole("listitem").filter({ hasText: "nightly" });
    await seeText(item, "expires ");
    expect(await item.textContent()).not.toContain("no expiry");
  });

  test("the view is reached and closed by keyboard", async () => {
    await register(page);
    const button = page.getByRole("button", { name: "API keys" });
    await button.focus();
    await page.keyboard.press("Enter");
    expect(await button.getAttribute("aria-expanded")).toBe("true");
    await page.getByLabel("Key name").waitFor();
    expect(await page.getByRole("button", { name: "Send" }).isVisible()).toBe(false);
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "Send" }).waitFor();
    expect(await page.getByLabel("Key name").isVisible()).toBe(false);
    // Focus is back on the button that opened the view.
    expect(await page.evaluate("document.activeElement.textContent")).toBe("API keys");
  });

  test("the 21st key and a network failure show in the alert", async () => {
    const { email, accessToken } = await registerWithApi();
    for (let index = 1; index <= 20; index++) {
      expect((await callApi("/auth/api-keys", { token: accessToken, body: { name: `key ${index}` } })).status).toBe(201);
    }
    await signIn(page, email);
    await page.getByRole("button", { name: "API keys" }).click();
    await page.getByRole("list", { name: "API keys" }).getByRole("button", { name: "Revoke key 20" }).waitFor();
    await page.getByLabel("Key name").fill("one too many");
    await page.getByRole("button", { name: "Create key" }).click();
    await seeText(page.getByRole("alert"), /^Creating the key failed: .*20/);
    expect(await page.getByLabel("New API key").isVisible()).toBe(false);

    await page.route("**/auth/api-keys", (route) => route.abort());
    await page.getByRole("button", { name: "Create key" }).click();
    await seeText(page.getByRole("alert"), "Creating the key failed: the server could not be reached.");
  });

  test("logging out closes the view and leaves no key in the page", async () => {
    const email = await register(page);
    const key = await createApiKey(page, "ci");
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    const keyInPage = async () => {
      const values = await Promise.all((await page.locator("input").all()).map((input) => input.inputValue()));
      return (await page.content()).includes(key) || values.includes(key);
    };
    expect(await keyInPage()).toBe(false);

    await signIn(page, email);
    await page.getByRole("button", { name: "Send" }).waitFor();
    expect(await page.getByLabel("Key name").isVisible()).toBe(false);
    await page.getByRole("button", { name: "API keys" }).click();
    await page.getByRole("list", { name: "API keys" }).getByRole("button", { name: "Revoke ci" }).waitFor();
    expect(await page.getByLabel("New API key").isVisible()).toBe(false);
    expect(await keyInPage()).toBe(false);
  });
});

describe("leaderboard", () => {
  test("beside each rating its speed and cost; length control refits; provisional models are marked and last", async () => {
    const { email, accessToken } = await registerWithApi();
    // Some time between the chunks, so that the answers have a speed; lengths that differ, for the length effect.
    const { tag } = await scriptUpstream({
      "gpt-4o-mini": { chunks: ["A ", "long ", "answer."], chunkDelayMs: 20, usage: { prompt: 5, completion: 40 } },
      "gpt-3.5-turbo": { chunks: ["Short", " one", "."], chunkDelayMs: 20, usage: { prompt: 5, completion: 10 } },
      "gpt-5": { chunks: ["Five", " says", "."], chunkDelayMs: 20, usage: { prompt: 5, completion: 20 } },
    });
    // This stack ranks a model from 2 votes: gpt-5, voted on once, stays provisional.
    const pairs = [
      ["gpt-4o-mini", "gpt-3.5-turbo"],
      ["gpt-4o-mini", "gpt-3.5-turbo"],
      ["gpt-4o-mini", "gpt-5"],
    ];
    for (const models of pairs) {
      const sessionId = await askWithApi(accessToken, { prompt: `Compare ${tag}`, models, blind: true, maxTokens: 50 });
      await voteWithApi(accessToken, sessionId, "model-a");
    }
    await signIn(page, email);

    const board = page.getByRole("table", { name: "Leaderboard" });
    const rows = board.getByRole("row");
    await rows.nth(3).waitFor();
    for (const column of ["First token", "Tokens/s", "Cost per answer"]) await board.getByRole("columnheader", { name: column }).waitFor();
    for (const index of [1, 2, 3]) {
      const cells = rows.nth(index).getByRole("cell");
      expect(await cells.nth(2).textContent()).toMatch(/^\d+ ms$|^\d+\.\d s$/);
      expect(await cells.nth(3).textContent()).toMatch(/^[\d,.]+$/);
      expect(await cells.nth(4).textContent()).toMatch(/^\$0\.\d+$/);
    }
    // Ranked first, then the provisional one, marked in words.
    await seeText(rows.nth(3), "gpt-5");
    await seeText(rows.nth(3), "provisional");
    for (const index of [1, 2]) expect(await rows.nth(index).textContent()).not.toContain("provisional");
    await page.getByText("3 votes counted: your votes.").waitFor();

    const refit = page.waitForResponse(
      (response) => response.url().includes("/playground/leaderboard?") && response.url().includes("control=length"),
    );
    await page.getByRole("checkbox", { name: "Length control" }).check();
    const { lengthEffect } = (await (await refit).json()) as { lengthEffect: { coefficient: number } };
    const effect = page.getByText(/^Length: .+ twice as long has [\d.]+× the odds of winning \([+−][\d.]+ log-odds per doubling, 95% CI/);
    await effect.waitFor();
    // The API's coefficient is per unit of ln(tokens): a doubling is ln 2 of it.
    const perDoubling = (lengthEffect.coefficient * Math.LN2).toFixed(2).replace("-", "−");
    expect(await effect.textContent()).toContain(`${perDoubling} log-odds per doubling`);
    await rows.nth(3).waitFor();
    await page.getByRole("checkbox", { name: "Length control" }).uncheck();
    await effect.waitFor({ state: "detached" });

    await page.getByRole("radio", { name: "Everyone's" }).check();
    await page.getByText(/votes? counted: everyone's votes on blind turns/).waitFor();
    expect(await alertText()).toBe("");
  });
});

describe("sharing and export", () => {
  test("Share makes a link that shows the session to someone never signed in, until Stop sharing", async () => {
    await register(page);
    const { tag } = await scriptUpstream({
      "gpt-4o-mini": { chunks: ["Shared ", "*answer*."] },
      "gpt-3.5-turbo": { chunks: ["Other ", "answer."] },
    });
    await chooseModels(page, "gpt-4o-mini", "gpt-3.5-turbo");
    await ask(page, `Share this ${tag}`);
    await seeText(answer(turn(page, 1), "gpt-4o-mini"), "completed");
    await seeText(answer(turn(page, 1), "gpt-3.5-turbo"), "completed");
    await page.getByRole("button", { name: "gpt-4o-mini is better" }).click();
    await page.getByRole("button", { name: "Share", exact: true }).click();
    const field = page.getByLabel("Share link");
    await expect.poll(() => field.inputValue()).toMatch(new RegExp(`^${appOrigin}/shared/[\\w-]{43}$`));
    expect(await field.isEditable()).toBe(false);
    const link = await field.inputValue();

    const stranger = await browser.newContext();
    try {
      const other = await stranger.newPage();
      watch(other);
      const response = await other.goto(link);
      expect(response?.headers()["content-security-policy"]).toContain("require-trusted-types-for 'script'");
      const shared = turn(other, 1);
      await seeText(answer(shared, "gpt-4o-mini"), "Shared answer.");
      expect(await answer(shared, "gpt-4o-mini").getByRole("emphasis").textContent()).toBe("answer");
      await seeText(answer(shared, "gpt-3.5-turbo"), "Other answer.");
      await seeText(answer(shared, "gpt-3.5-turbo"), "completed");
      await seeText(shared, "The owner's vote: gpt-4o-mini is better.");
      await seeText(answer(shared, "gpt-4o-mini"), "$0.0");
      // Read-only, and nothing asks to sign in.
      expect(await other.getByRole("button").filter({ visible: true }).count()).toBe(0);
      expect(await other.getByRole("textbox").count()).toBe(0);

      await page.getByRole("button", { name: "Stop sharing" }).click();
      await field.waitFor({ state: "hidden" });
      await other.reload();
      await seeText(other.getByRole("alert"), "This link does not work: it may have been withdrawn.");
      expect(await turn(other, 1).count()).toBe(0);
    } finally {
      await stranger.close();
    }
    expect(await alertText()).toBe("");
  });

  test("a blind session shared before its vote shows its labels and no cost", async () => {
    await register(page);
    const { tag } = await scriptUpstream({ "gpt-4o-mini": { chunks: ["One."] }, "gpt-3.5-turbo": { chunks: ["Two."] } });
    await chooseModels(page, "gpt-4o-mini", "gpt-3.5-turbo");
    await page.getByRole("checkbox", { name: "Blind" }).check();
    await ask(page, `Blind and shared ${tag}`);
    await seeText(answer(turn(page, 1), "model-b"), "completed");
    await page.getByRole("button", { name: "Share", exact: true }).click();
    const field = page.getByLabel("Share link");
    await expect.poll(() => field.inputValue()).toContain("/shared/");

    const stranger = await browser.newContext();
    try {
      const other = await stranger.newPage();
      watch(other);
      await other.goto(await field.inputValue());
      for (const label of ["model-a", "model-b"]) await seeText(answer(turn(other, 1), label), "completed");
      const shown = await other.getByRole("main").textContent();
      expect(shown).not.toMatch(/gpt-4o-mini|gpt-3\.5-turbo|\$/);
    } finally {
      await stranger.close();
    }
  });

  test("a link that was never made shows that it does not work", async () => {
    await page.goto(`${appOrigin}/shared/${"A".repeat(43)}`);
    await seeText(page.getByRole("alert"), "This link does not work: it may have been withdrawn.");
  });

  test("Export Markdown and Export JSON download the session as files", async () => {
    await register(page);
    const { tag } = await scriptUpstream({ "gpt-4o-mini": { chunks: ["Exported ", "answer."] } });
    await chooseModels(page, "gpt-4o-mini");
    await ask(page, `Export me ${tag}`);
    await seeText(answer(turn(page, 1), "gpt-4o-mini"), "completed");

    const [markdown] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export Markdown" }).click()]);
    expect(markdown.suggestedFilename()).toMatch(/^export-me-.*\.md$/);
    const text = await readFile(await markdown.path(), "utf8");
    expect(text.startsWith("# Export me")).toBe(true);
    expect(text).toContain("Exported answer.");

    const [exported] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export JSON" }).click()]);
    expect(exported.suggestedFilename()).toMatch(/\.json$/);
    const { session } = JSON.parse(await readFile(await exported.path(), "utf8")) as {
      session: { conversations: { modelName: string; response: string }[] };
    };
    expect(session.conversations).toMatchObject([{ modelName: "gpt-4o-mini", response: "Exported answer." }]);
    expect(await alertText()).toBe("");
  });
});

describe("answers as Markdown", () => {
  test("a code block, a list and a link render while the answer streams; Copy copies the code", async () => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: appOrigin });
    await register(page);
    const { tag } = await scriptUpstream({
      "gpt-4o-mini": {
        chunks: [
          "Run this:\n\n",
          "```js\nconsole",
          ".log(1)\n```\n\n",
          "- first\n",
          "- second\n\n",
          "See [the docs](https://example.com/docs).",
          " And",
          " more",
          " words",
          " to",
          " come.",
        ],
        chunkDelayMs: 100,
      },
    });
    await chooseModels(page, "gpt-4o-mini");
    await ask(page, `Show me code ${tag}`);
    const column = answer(turn(page, 1), "gpt-4o-mini");
    await seeText(column.locator("pre code"), "console.log(1)");
    // Rendered as it arrives, not at the end.
    expect(await column.getAttribute("aria-busy")).toBe("true");
    await seeText(column, "completed");

    expect(await column.locator("pre code").textContent()).toBe("console.log(1)");
    const items = column.getByRole("list").getByRole("listitem");
    expect(await items.allTextContents()).toEqual(["first", "second"]);
    const docs = column.getByRole("link", { name: "the docs" });
    expect(await docs.getAttribute("href")).toBe("https://example.com/docs");
    expect(await docs.getAttribute("rel")).toBe("noopener noreferrer");
    expect(await docs.getAttribute("target")).toBe("_blank");
    // The figures are as before: the scripted upstream counts a token a chunk.
    await seeText(column, "11 out");

    await column.getByRole("button", { name: "Copy" }).click();
    await expect.poll(() => page.evaluate("navigator.clipboard.readText()")).toBe("console.log(1)");
  });

  test("HTML in an answer shows as text and runs nothing; a javascript: link is no link", async () => {
    await register(page);
    const script = "<script>window.__pwned = 1</script>";
    const image = '<img src=x onerror="window.__pwned=2">';
    const trap = "[click me](javascript:alert(1))";
    const { tag } = await scriptUpstream({ "gpt-4o-mini": { chunks: [`${script}\n\n`, `${image}\n\n`, `Inline ${image} and ${trap}.`] } });
    await chooseModels(page, "gpt-4o-mini");
    await ask(page, `Try to break out ${tag}`);
    await seeText(answer(turn(page, 1), "gpt-4o-mini"), "completed");

    const expectInert = async () => {
      const column = answer(turn(page, 1), "gpt-4o-mini");
      await seeText(column, script);
      const text = await column.textContent();
      expect(text).toContain(image);
      expect(text).toContain(`Inline ${image} and ${trap}.`);
      expect(await column.locator("script, img").count()).toBe(0);
      expect(await column.getByRole("link").count()).toBe(0);
      expect(await page.evaluate("window.__pwned")).toBeUndefined();
    };
    await expectInert();
    // Opened again from the stored session: the same.
    await page.reload();
    await page
      .getByRole("list", { name: "Sessions" })
      .getByRole("button", { name: /Try to break out/ })
      .click();
    await expectInert();
  });
});
