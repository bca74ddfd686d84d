// zod without its locale tables, for the Worker's bundle only (wrangler.toml aliases "zod" here).
// zod's entry exports `locales` and `core`, namespaces that keep all ~40 languages' messages in any
// bundle; nothing here reads them (errors are English), so this is zod's classic entry without them:
// about 50 KB less gzipped. Types still come from the real package.
export * from "../node_modules/zod/v4/classic/schemas.js";
export * from "../node_modules/zod/v4/classic/checks.js";
export * from "../node_modules/zod/v4/classic/errors.js";
export * from "../node_modules/zod/v4/classic/parse.js";
export * from "../node_modules/zod/v4/classic/compat.js";
export {
  $brand,
  $input,
  $output,
  clone,
  config,
  flattenError,
  formatError,
  globalRegistry,
  NEVER,
  prettifyError,
  regexes,
  registry,
  TimePrecision,
  treeifyError,
  util,
} from "../node_modules/zod/v4/core/index.js";
export { ZodISODate, ZodISODateTime, ZodISODuration, ZodISOTime } from "../node_modules/zod/v4/classic/iso.js";
export * as iso from "../node_modules/zod/v4/classic/iso.js";
export * as coerce from "../node_modules/zod/v4/classic/coerce.js";
import * as z from "./zod.ts";
export { z, z as default };
