import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { call, jsonOf, PASSWORD, registerUser, uniqueEmail } from "../helpers/api.ts";
import { expireRefreshTokens } from "../helpers/database.ts";
import { TEST_JWT_SECRET } from "../test-secrets.ts";

const claims = (sub: string, overrides: Record<string, unknown> = {}) => {
  const now = Math.floor(Date.now() / 1000);
  return { sub, iat: now, exp: now + 600, iss: "model-playground-api", aud: "model-playground", ...overrides };
};
const base64url = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

async function expectUnauthenticated(token: string) {
  const response = await call("GET", "/auth/profile", { token });
  expect(response.status).toBe(401);
  expect((await jsonOf(response)).error.code).toBe("UNAUTHENTICATED");
}

describe("register", () => {
  it("creates a user and logs it in", async () => {
    const email = uniqueEmail();
    const response = await call("POST", "/auth/register", { body: { email, password: PASSWORD, name: "Ada" } });
    expect(response.status).toBe(201);
    const body = await jsonOf(response);
    expect(body.user).toEqual({ id: expect.any(String), email, name: "Ada", createdAt: expect.any(String) });
    expect(body.accessToken.split(".")).toHaveLength(3);
    expect(body.refreshToken.length).toBeGreaterThanOrEqual(43);
    expect(body.expiresIn).toBe(900);
    expect(JSON.stringify(body)).not.toMatch(/password|scrypt/i);
  });

  it("makes name optional", async () => {
    const response = await call("POST", "/auth/register", { body: { email: uniqueEmail(), password: PASSWORD } });
    expect(response.status).toBe(201);
    expect((await jsonOf(response)).user.name).toBeNull();
  });

  it("refuses an email that exists in other letter case", async () => {
    const user = await registerUser();
    const response = await call("POST", "/auth/register", { body: { email: user.email.toUpperCase(), password: PASSWORD } });
    expect(response.status).toBe(409);
    expect((await jsonOf(response)).error.code).toBe("EMAIL_TAKEN");
  });

  it.each([
    ["a missing email", { password: PASSWORD }, "email"],
    ["a malformed email", { email: "not-an-email", password: PASSWORD }, "email"],
    ["a too long email", { email: `${"a".repeat(250)}@example.com`, password: PASSWORD }, "email"],
    ["a short password", { email: "short@example.com", password: "1234567" }, "password"],
    ["a too long password", { email: "long@example.com", password: "x".repeat(129) }, "password"],
    ["a password that is not a string", { email: "num@example.com", password: 12345678 }, "password"],
    ["an empty name", { email: "name@example.com", password: PASSWORD, name: "" }, "name"],
    ["a too long name", { email: "name@example.com", password: PASSWORD, name: "n".repeat(101) }, "name"],
  ])("refuses %s", async (_, body, path) => {
    const response = await call("POST", "/auth/register", { body });
    expect(response.status).toBe(400);
    const error = (await jsonOf(response)).error;
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.details.map((detail: { path: string }) => detail.path)).toContain(path);
    expect(error.message).toContain(path);
  });

  it("refuses a body that is not JSON", async () => {
    const response = await call("POST", "/auth/register", { body: "{not json", headers: { "Content-Type": "application/json" } });
    expect(response.status).toBe(400);
    expect((await jsonOf(response)).error.code).toBe("VALIDATION_FAILED");
  });

  it("refuses a body without a JSON content type", async () => {
    const response = await call("POST", "/auth/register", {
      headers: { "Content-Type": "text/plain" },
    });
    expect(response.status).toBe(400);
    expect((await jsonOf(response)).error.code).toBe("VALIDATION_FAILED");
  });

  it("refuses an oversized body with 413", async () => {
    const response = await call("POST", "/auth/register", {
      body: { email: uniqueEmail(), password: PASSWORD, name: "x".repeat(300 * 1024) },
    });
    expect(response.status).toBe(413);
    expect((await jsonOf(response)).error.code).toBe("PAYLOAD_TOO_LARGE");
  });
});

describe("login", () => {
  it("logs in with the right password, whatever the email's case", async () => {
    const user = await registerUser();
    const response = await call("POST", "/auth/login", { body: { email: user.email.toUpperCase(), password: PASSWORD } });
    expect(response.status).toBe(200);
    const body = await jsonOf(response);
    expect(body.user.id).toBe(user.id);
    expect(body.refreshToken).not.toBe(user.refreshToken);
  });

  it("answers an unknown email and a wrong password alike", async () => {
    const user = await registerUser();
    const wrongPassword = await call("POST", "/auth/login", { body: { email: user.email, password: "wrong password" } });
    const unknownEmail = await call("POST", "/auth/login", { body: { email: uniqueEmail(), password: PASSWORD } });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    const [a, b] = [(await jsonOf(wrongPassword)).error, (await jsonOf(unknownEmail)).error];
    expect(a).toEqual(b);
    expect(a.code).toBe("INVALID_CREDENTIALS");
  });
});

describe("profile and access tokens", () => {
  it("answers the user for a valid token", async () => {
    const user = await registerUser();
    const response = await call("GET", "/auth/profile", { token: user.accessToken });
    expect(response.status).toBe(200);
    expect((await jsonOf(response)).user).toMatchObject({ id: user.id, email: user.email });
  });

  it("refuses a request without a token", async () => {
    const response = await call("GET", "/auth/profile");
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toContain("Bearer");
    expect((await jsonOf(response)).error.code).toBe("UNAUTHENTICATED");
  });

  it("refuses a malformed authorization header", async () => {
    const user = await registerUser();
    const response = await call("GET", "/auth/profile", { headers: { Authorization: `Basic ${user.accessToken}` } });
    expect(response.status).toBe(401);
  });

  it("refuses alg none", async () => {
    const user = await registerUser();
    await expectUnauthenticated(`${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims(user.id))}.`);
  });

  it("refuses a tampered signature", async () => {
    const user = await registerUser();
    const [header, payload, signature] = user.accessToken.split(".");
    const flipped = (signature!.startsWith("A") ? "B" : "A") + signature!.slice(1);
    await expectUnauthenticated(`${header}.${payload}.${flipped}`);
  });

  it("refuses a tampered payload", async () => {
    const user = await registerUser();
    const other = await registerUser();
    const [header, , signature] = user.accessToken.split(".");
    await expectUnauthenticated(`${header}.${base64url(claims(other.id))}.${signature}`);
  });

  it("refuses an expired token", async () => {
    const user = await registerUser();
    await expectUnauthenticated(await sign(claims(user.id, { iat: 1_000, exp: 2_000 }), TEST_JWT_SECRET, "HS256"));
  });

  it("refuses a token without exp", async () => {
    const user = await registerUser();
    await expectUnauthenticated(await sign(claims(user.id, { exp: undefined }), TEST_JWT_SECRET, "HS256"));
  });

  it("refuses a token signed with another secret", async () => {
    const user = await registerUser();
    await expectUnauthenticated(await sign(claims(user.id), "another-secret-that-is-32-bytes-or-more", "HS256"));
  });

  it("refuses a token of another algorithm, issuer or audience", async () => {
    const user = await registerUser();
    await expectUnauthenticated(await sign(claims(user.id), TEST_JWT_SECRET, "HS512"));
    await expectUnauthenticated(await sign(claims(user.id, { iss: "someone-else" }), TEST_JWT_SECRET, "HS256"));
    await expectUnauthenticated(await sign(claims(user.id, { aud: "someone-else" }), TEST_JWT_SECRET, "HS256"));
    await expectUnauthenticated(await sign(claims(user.id, { aud: undefined }), TEST_JWT_SECRET, "HS256"));
  });

  it("accepts a token we signed ourselves with the right claims", async () => {
    const user = await registerUser();
    const response = await call("GET", "/auth/profile", { token: await sign(claims(user.id), TEST_JWT_SECRET, "HS256") });
    expect(response.status).toBe(200);
  });
});

describe("refresh and logout", () => {
  const refresh = (refreshToken: string) => call("POST", "/auth/refresh", { body: { refreshToken } });

  it("refuses an expired refresh token with 401", async () => {
    const user = await registerUser();
    await expireRefreshTokens(user.id);
    const response = await refresh(user.refreshToken);
    expect(response.status).toBe(401);
    expect((await jsonOf(response)).error.code).toBe("UNAUTHENTICATED");
  });

  it("rotates: the new token works, the old one stops working", async () => {
    const user = await registerUser();
    const first = await refresh(user.refreshToken);
    expect(first.status).toBe(200);
    const rotated = await jsonOf(first);
    expect(rotated.user.id).toBe(user.id);
    expect(rotated.refreshToken).not.toBe(user.refreshToken);
    expect((await call("GET", "/auth/profile", { token: rotated.accessToken })).status).toBe(200);

    const second = await refresh(rotated.refreshToken);
    expect(second.status).toBe(200);
  });

  it("revokes the whole login when a used token comes back, the thief's new token too", async () => {
    const user = await registerUser();
    const stolen = await jsonOf(await refresh(user.refreshToken));

    const replay = await refresh(user.refreshToken);
    expect(replay.status).toBe(401);
    expect((await jsonOf(replay)).error.code).toBe("UNAUTHENTICATED");

    expect((await refresh(stolen.refreshToken)).status).toBe(401);
  });

  it("lets one of 10 concurrent refreshes of a token win, and revokes the login, the winner's new token too", async () => {
    for (let round = 0; round < 5; round++) {
      const user = await registerUser();
      const answers = await Promise.all(Array.from({ length: 10 }, () => refresh(user.refreshToken)));
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(statuses.filter((status) => status === 401)).toHaveLength(9);
      const winner = await jsonOf(answers.find((answer) => answer.status === 200)!);
      expect((await refresh(winner.refreshToken)).status).toBe(401);
    }
  });

  it("leaves the user's other logins alone when one is revoked", async () => {
    const user = await registerUser();
    const otherLogin = await jsonOf(await call("POST", "/auth/login", { body: { email: user.email, password: PASSWORD } }));
    await refresh(user.refreshToken);
    await refresh(user.refreshToken);
    expect((await refresh(otherLogin.refreshToken)).status).toBe(200);
  });

  it("refuses an unknown refresh token", async () => {
    const response = await refresh("not-a-token-we-ever-issued");
    expect(response.status).toBe(401);
  });

  it("logs out: that refresh token stops working", async () => {
    const user = await registerUser();
    const response = await call("POST", "/auth/logout", { body: { refreshToken: user.refreshToken } });
    expect(response.status).toBe(204);
    expect((await refresh(user.refreshToken)).status).toBe(401);
  });

  it("answers logout with an unknown token the same way", async () => {
    const response = await call("POST", "/auth/logout", { body: { refreshToken: "unknown" } });
    expect(response.status).toBe(204);
  });

  it("validates the refresh body", async () => {
    const response = await call("POST", "/auth/refresh", { body: {} });
    expect(response.status).toBe(400);
    expect((await jsonOf(response)).error.details[0].path).toBe("refreshToken");
  });
});
