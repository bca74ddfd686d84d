// Copies Swagger UI's files from swagger-ui-dist into public/, which the Worker serves as static
// assets, so /api works with no internet. Runs after `npm install`.
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const source = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
// @hono/swagger-ui asks for `${baseUrl}/swagger-ui-dist/<file>`; app.ts sets baseUrl to /docs-assets.
const target = "public/docs-assets/swagger-ui-dist";
mkdirSync(target, { recursive: true });
for (const file of ["swagger-ui.css", "swagger-ui-bundle.js"]) copyFileSync(join(source, file), join(target, file));
