// Copies the files the page and the docs serve from node_modules into public/, which the Worker
// serves as static assets: Swagger UI's, so /api works with no internet, and marked's ESM build,
// which the playground page parses answers' Markdown with. Runs after `npm install`.
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

const swaggerUi = dirname(require.resolve("swagger-ui-dist/package.json"));
// @hono/swagger-ui asks for `${baseUrl}/swagger-ui-dist/<file>`; app.ts sets baseUrl to /docs-assets.
const docsTarget = "public/docs-assets/swagger-ui-dist";
mkdirSync(docsTarget, { recursive: true });
for (const file of ["swagger-ui.css", "swagger-ui-bundle.js"]) copyFileSync(join(swaggerUi, file), join(docsTarget, file));

// marked's package resolves to its one self-contained ES module; the page imports /vendor/marked.esm.js.
mkdirSync("public/vendor", { recursive: true });
copyFileSync(require.resolve("marked"), "public/vendor/marked.esm.js");
