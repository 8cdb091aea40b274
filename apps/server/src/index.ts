export { buildApp, type BuildOptions } from './app.ts';
export { loadConfig, ConfigError, type Config } from './config.ts';
