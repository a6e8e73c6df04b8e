// The one zod schema of config.yaml: config validation and `stigmer config schema` both use it (docs/config.md, docs/cli.md).
import {createRequire} from 'node:module';
import type {z as Zod} from 'zod';
import {compileLinear, PatternError} from '../linear-regex.js';
import {DAY_MS, parseDuration} from '../units.js';

export const CONFIG_VERSION = 1;
export const RESTART_MODES = ['no', 'on-failure', 'always'] as const;
const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP'] as const;
/** docs/config.md: a component name is 1–64 of a-z 0-9 - _ (it names files under data/ and data/logs/). */
export const NAME = /^[a-z0-9_-]{1,64}$/;
/** Longest duration config accepts: longer waits are typos, and past ~24.8 days Node's timers fire at once. */
const MAX_DURATION_MS = DAY_MS;
/** An environment variable's name as a shell, systemd's EnvironmentFile= and launchd read it (docs/config.md). */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

// zod loads only when a config.yaml exists: it costs more start-up time than `status` may spend.
const require = createRequire(import.meta.url);
let schemas: ReturnType<typeof makeSchemas> | undefined;
/** The schemas, built on first use. */
export const getSchemas = () => (schemas ??= makeSchemas((require('zod') as {z: typeof Zod}).z));

function makeSchemas(z: typeof Zod) {
const durationMessage = 'expected a duration like 250ms, 5s, 1.5s, 2m, 1h or a number of seconds, at most 24h';
const duration = z.union([z.string(), z.number()], {error: durationMessage}).refine((v) => (parseDuration(v) ?? Infinity) <= MAX_DURATION_MS, {message: durationMessage});
const portMessage = {error: 'expected a port number 1-65535'};
const port = z.number(portMessage).int(portMessage).min(1, portMessage).max(65_535, portMessage);
const ready = z.union([
	z.strictObject({http: z.url().refine((v) => !URL.canParse(v) || /^https?:$/.test(new URL(v).protocol), 'expected an http: or https: URL')}),
	z.strictObject({tcp: port}),
	z.strictObject({log: z.string().superRefine((value, ctx) => {
		const problem = patternProblem(value);
		if (problem !== undefined) {
			ctx.addIssue({code: 'custom', message: problem});
		}
	})}),
	z.strictObject({exec: z.array(z.string().min(1)).min(1)}),
	z.strictObject({after: duration}),
], {error: 'expected one of {http: URL}, {tcp: PORT}, {log: REGEX}, {exec: [COMMAND, ARG...]}, {after: DURATION}'});

const bool = z.boolean({error: 'expected true or false'});
const componentSchema = z.strictObject({
	enabled: bool.optional(),
	command: z.union([z.array(z.string()).min(1), z.string().min(1)]).optional(),
	shell: bool.optional(),
	port: port.optional(),
	ready: ready.optional(),
	depends_on: z.array(z.string()).optional(),
	env_file: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], {error: 'expected a path, or a list of paths, of dotenv files (relative to config.yaml)'}).optional(),
	env: z.record(z.string().regex(ENV_NAME, {error: 'expected an environment variable name: letters, digits and _, not starting with a digit'}), z.union([z.string(), z.number(), z.boolean()])).optional(),
	cwd: z.string().optional(),
	stop_signal: z.enum(STOP_SIGNALS).optional(),
	stop_timeout: duration.optional(),
	ready_timeout: duration.optional(),
	// YAML 1.2 reads `no` as the string "no"; false is accepted as the same.
	restart: z.union([z.enum(RESTART_MODES), z.literal(false)], {error: 'expected no, on-failure or always'}).optional(),
	max_restarts: z.number().int().min(0).max(1000).optional(),
	restart_delay: duration.optional(),
	min_uptime: duration.optional(),
});
// The formats this stigmer knows: 0 (no `version:`, migrated at the next start) up to CONFIG_VERSION; newer ones are refused by name.
const versionMessage = {error: `expected a config format version: ${CONFIG_VERSION}, or 0 for the oldest (migrated at the next start)`};
const configSchema = z.strictObject({
	version: z.number(versionMessage).int(versionMessage).min(0, versionMessage).optional(),
	// The name rule is checked first, with its own messages (nameProblems); here it reaches the JSON Schema for editors.
	components: z.record(z.string().regex(NAME), componentSchema.nullable(), {error: 'expected a mapping of component names to their settings'}).optional(),
}, {error: 'expected a mapping with `version` and `components`'});
return {componentSchema, configSchema};
}

type Schemas = ReturnType<typeof makeSchemas>;
/** One component's entry of config.yaml, as the schema accepts it. */
export type ComponentConfig = Zod.infer<Schemas['componentSchema']>;
/** config.yaml as the schema accepts it. */
export type RawConfig = Zod.infer<Schemas['configSchema']>;

/** The JSON Schema of config.yaml, generated from the very zod schema the config is validated with (docs/cli.md). */
export function configJsonSchema(): Record<string, unknown> {
	const {z} = require('zod') as {z: typeof Zod};
	// Refinements (durations, regular expressions) have no JSON Schema form: their base types remain.
	const schema = z.toJSONSchema(getSchemas().configSchema, {target: 'draft-07', io: 'input', unrepresentable: 'any'}) as Record<string, unknown>;
	const {$schema, ...rest} = schema;
	return {$schema, title: 'stigmer config.yaml', description: 'STIGMER_HOME/config.yaml: the components stigmer runs (see the README).', ...rest};
}

/** Why a `ready.log` pattern is refused (not RE2 syntax, so not matchable in linear time), or undefined. */
function patternProblem(source: string): string | undefined {
	try {
		compileLinear(source);
		return undefined;
	} catch (error: unknown) {
		if (error instanceof PatternError) {
			return error.message;
		}

		throw error;
	}
}
