import { settings, type Config, type Setting } from './settings.ts';

/** Thrown at start-up when a setting does not parse; the message names each variable and the fix. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads every setting from `env`, falling back to the documented defaults, and returns a frozen
 * typed object. All problems are reported at once so a user fixes them in one go.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(settings) as [string, Setting<unknown>][]) {
    const raw = env[s.env];
    const value = raw === undefined || raw === '' ? s.default : raw;
    const parsed = s.schema.safeParse(value);
    if (parsed.success) out[key] = parsed.data;
    else problems.push(`  ${s.env}=${JSON.stringify(value)} is invalid: ${s.hint}.`);
  }
  const cfg = out as Config;
  if (problems.length === 0) {
    if (cfg.chunkOverlap >= cfg.chunkTokens)
      problems.push(
        `  CHUNK_OVERLAP=${cfg.chunkOverlap} must be smaller than CHUNK_TOKENS=${cfg.chunkTokens}.`,
      );
    if (cfg.tokenBudgetMin > cfg.tokenBudgetMax)
      problems.push(
        `  EMBED_TOKEN_BUDGET_MIN=${cfg.tokenBudgetMin} must not exceed EMBED_TOKEN_BUDGET_MAX=${cfg.tokenBudgetMax}.`,
      );
    if (cfg.tokenBudgetMax < cfg.maxTokens)
      problems.push(
        `  EMBED_TOKEN_BUDGET_MAX=${cfg.tokenBudgetMax} must be at least EMBED_MAX_TOKENS=${cfg.maxTokens} so one text fits a batch.`,
      );
  }
  if (problems.length > 0) {
    throw new ConfigError(
      `Invalid configuration:\n${problems.join('\n')}\nSet the variables in the environment or in .env (see .env.example), or unset them to use the defaults.`,
    );
  }
  return Object.freeze(cfg);
}
