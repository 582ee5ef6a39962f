export { loadConfig, ConfigError } from './load-config.ts';
export { settings, CACHE_DIR, type Config, type Setting } from './settings.ts';
