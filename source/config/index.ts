// config: read, validate, migrate and resolve config.yaml over the built-in stack. A leaf: it imports no engine/ or ui/.
export {BUILTINS, type Builtin} from './builtins.js';
export {cwdProblem} from './cwd.js';
export {checkConfig, componentNamesQuietly, configFallback, loadConfig, migrateConfig, onConfigFallback, type ConfigCheck, type LoadOptions} from './load.js';
export {componentNames, DEFAULT_RESTART, resolveComponents, selectComponents} from './resolve.js';
export {CONFIG_VERSION, configJsonSchema} from './schema.js';
export {componentEnv, envFileProblem, envFromFiles} from './env-file.js';
export type {ComponentSpec, EnvFile, ReadyProbe, RestartPolicy, StackConfig} from './types.js';
export {parseConfig, type ConfigProblem} from './validate.js';
