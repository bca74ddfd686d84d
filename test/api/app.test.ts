import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.ts";
import { BASE, call, jsonOf, PASSWORD, uniqueEmail } from "../helpers/api.ts";

/** The Worker with its database pointed at a port where nothing listens. */
async function withDatabaseDown(request: Request) {
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, { ...env, DATABASE_URL: "postgres://user:pass@127.0.0.1:9/nothing" }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

describe("health", () => {
  it("reports the database up", async () => {
    const response = await call("GET", "/health");
    expect(response.status).toBe(200);
    expect(await jsonOf(response)).toEqual({ status: "ok", database: "ok", version: expect.any(String) });
  });

  it("reports the database down with 503", async () => {
    const response = await withDatabaseDown(new Request(`${BASE}/health`));
    expect(response.status).toBe(503);
    expect(await jsonOf(response)).toMatchObject({ database: "down" });
  });
});

describe("the database being down", () => {
  it("answers 503 JSON, not a hang and nothing internal", async () => {
    const response = await withDatabaseDown(
      new Request(`${BASE}/auth/login`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ email: uniqueEmail(), password: PASSWORD }),
      }),
    );
    expect(response.status).toBe(503);
    const body = await jsonOf(response);
    expect(body.error.code).toBe("UNAVAILABLE");
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|pass|select|NeonDbError/i);
  });
});

describe("errors and headers", () => {
  it("answers an unknown route with a JSON 404 and a request id", async () => {
    const response = await call("GET", "/nope");
    expect(response.status).toBe(404);
    const body = await jsonOf(response);
    expect(body.error.code).toBe("NOT_FOUND");
    expect(body.requestId).toBe(response.headers.get("X-Request-Id"));
  });

  it("keeps a well-formed incoming request id", async () => {
    const response = await call("GET", "/health", { headers: { "X-Request-Id": "trace-123" } });
    expect(response.headers.get("X-Request-Id")).toBe("trace-123");
  });

  it("sends secure headers", async () => {
    const response = await call("GET", "/health");
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(response.headers.get("X-Frame-Options")).toBe("SAMEORIGIN");
  });

  it("allows the configured origin and exposes the rate limit headers", async () => {
    const response = await call("OPTIONS", "/auth/login", {
      headers: { Origin: "http://localhost:3000", "Access-Control-Request-Method": "POST" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("http://localhost:3000");
    const simple = await call("GET", "/health", { headers: { Origin: "http://localhost:3000" } });
    expect(simple.headers.get("Access-Control-Expose-Headers")).toContain("RateLimit");
  });

  it("does not allow another origin", async () => {
    const response = await call("GET", "/health", { headers: { Origin: "https://evil.example" } });
    expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});

describe("docs", () => {
  it("serves an OpenAPI 3.1 document generated from the routes", async () => {
    const response = await call("GET", "/openapi.json");
    expect(response.status).toBe(200);
    const document = await jsonOf(response);
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(["/auth/register", "/auth/login", "/auth/profile", "/auth/refresh", "/auth/logout"]),
    );
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    expect(document.paths["/auth/register"].post.responses["409"]).toBeDefined();
  });

  it("documents the spend limit, blind streams, turns, votes and the leaderboard", async () => {
    const document = await jsonOf(await call("GET", "/openapi.json"));
    const { schemas } = document.components;
    expect(document.paths["/playground/sessions/{id}/votes"].post.responses).toHaveProperty("201");
    expect(document.paths["/playground/sessions/{id}/votes"].post.responses).toHaveProperty("409");
    expect(document.paths["/playground/leaderboard"].get.parameters.map((parameter: { name: string }) => parameter.name)).toContain(
      "scope",
    );
    expect(schemas.VoteRequest.properties).toHaveProperty("winner");
    expect(schemas.StreamRequest.properties).toHaveProperty("blind");
    expect(schemas.Session.properties).toHaveProperty("blind");
    expect(schemas.Conversation.properties).toHaveProperty("turn");
    expect(Object.keys(schemas.Usage.properties.spend.properties)).toEqual([
      "limitUsd",
      "usedUsd",
      "reservedUsd",
      "windowSeconds",
      "resetsAt",
    ]);
    const done = schemas.StreamEvent.oneOf.find((event: { properties: { type: { const?: string; enum?: string[] } } }) =>
      [event.properties.type.const, ...(event.properties.type.enum ?? [])].includes("done"),
    );
    expect(done.properties.stored.enum).toEqual(["database", "queued"]);
  });

  it("says what the validator checks, where OpenAPI can say it", async () => {
    const document = await jsonOf(await call("GET", "/openapi.json"));
    const { schemas } = document.components;
    const parameter = (path: string, name: string) =>
      document.paths[path].get.parameters.find((candidate: { name: string }) => candidate.name === name);

    expect(schemas.Register.properties.email).toMatchObject({ format: "email" });
    expect(schemas.StreamRequest.properties.models).toMatchObject({ uniqueItems: true, minItems: 1, maxItems: 6 });
    expect(schemas.StreamRequest.properties.blind.description).toMatch(/2 to 6 models/);
    // No NUL character, no unpaired surrogate: the text the database can store.
    const storable = new RegExp(schemas.StreamRequest.properties.prompt.pattern);
    expect(storable.test("hello 🎉")).toBe(true);
    expect(storable.test("a\u0000b")).toBe(false);
    expect(parameter("/playground/stream", "blind").schema).toMatchObject({ enum: ["true", "false"] });
    expect(new RegExp(parameter("/playground/stream", "temperature").schema.pattern).test("0.7")).toBe(true);
    expect(new RegExp(parameter("/playground/stream", "maxTokens").schema.pattern).test("1e3")).toBe(false);
    expect(new RegExp(parameter("/playground/sessions", "limit").schema.pattern).test("")).toBe(false);
    expect(parameter("/playground/stream", "token")).toMatchObject({ deprecated: true });
    expect(parameter("/playground/stream", "ticket")).toBeDefined();
    expect(document.paths["/playground/stream/tickets"].post.responses).toHaveProperty("201");
    expect(parameter("/playground/sessions", "cursor").description).toMatch(/opaque/);
    expect(parameter("/playground/usage", "from").description).toMatch(/not after `to`/);
  });

  it("documents API keys, the OpenAI-compatible API, statistics, sharing and export, each resource under its own tag", async () => {
    const document = await jsonOf(await call("GET", "/openapi.json"));
    const tagOf = (path: string, method: string) => document.paths[path]?.[method]?.tags;
    expect(tagOf("/auth/api-keys", "post")).toEqual(["api keys"]);
    expect(tagOf("/auth/api-keys/{id}", "delete")).toEqual(["api keys"]);
    expect(tagOf("/v1/models", "get")).toEqual(["openai"]);
    expect(tagOf("/v1/models/{id}", "get")).toEqual(["openai"]);
    expect(tagOf("/v1/chat/completions", "post")).toEqual(["openai"]);
    expect(tagOf("/playground/stats", "get")).toEqual(["stats"]);
    expect(tagOf("/playground/sessions/{id}/share", "post")).toEqual(["sharing"]);
    expect(tagOf("/playground/shared/{token}", "get")).toEqual(["sharing"]);
    expect(tagOf("/playground/sessions/{id}/export", "get")).toEqual(["sessions"]);
    for (const tag of ["stream", "sessions", "votes", "usage", "models"]) {
      expect(Object.values(document.paths).some((methods) => Object.values(methods as object).some((op) => op.tags?.includes(tag)))).toBe(
        true,
      );
    }
    const { schemas } = document.components;
    expect(schemas.OpenAIError.properties.error.properties).toHaveProperty("code");
    expect(Object.keys(schemas.Leaderboard.properties)).toEqual(["models", "totalVotes", "method", "lengthEffect"]);
    expect(schemas.Stats.properties.models.items.properties).toHaveProperty("outputTokensPerSecond");
    expect(schemas.SharedSession.properties.session.required).not.toContain("totalCost");
    expect(schemas.Session.properties.source.enum).toEqual(["playground", "api"]);
  });

  it("serves Swagger UI from its own assets", async () => {
    const response = await call("GET", "/api");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("SwaggerUIBundle");
    expect(html).toContain('src="/docs-assets/swagger-ui-dist/swagger-ui-bundle.js"');
    expect(html).not.toContain("cdn.jsdelivr.net");
  });
});
