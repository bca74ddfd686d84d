import type { Bindings } from "../env.ts";
import { type ModelEntry, PROVIDERS, providerSettings } from "./catalogue.ts";
import { localProvider } from "./local.ts";
import { openAICompatible } from "./openai.ts";
import { type Provider, ProviderError } from "./provider.ts";

export { costOf, findModel, isAvailable, MODELS, type ModelEntry, maxCostOf } from "./catalogue.ts";
export {
  type ChatMessage,
  estimateTokens,
  PROVIDER_ERROR_CODES,
  type Provider,
  ProviderError,
  type ProviderErrorCode,
  type SamplingOptions,
  type Usage,
} from "./provider.ts";

/** The provider that serves `model`; throws PROVIDER_NOT_CONFIGURED when its key is missing. */
export function providerFor(model: ModelEntry, env: Bindings): Provider {
  if (model.provider === "local") return localProvider(model.upstreamModel);
  const entry = PROVIDERS[model.provider];
  const settings = providerSettings(entry, env);
  if (!settings) {
    const needs = "keyVariable" in entry ? entry.keyVariable : entry.baseUrlVariable;
    throw new ProviderError("PROVIDER_NOT_CONFIGURED", `${model.id} needs ${needs} to be set on the server`);
  }
  return openAICompatible(settings, model);
}
