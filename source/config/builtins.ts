// The built-in stack as one table: names, default ports, how each runs, its readiness probe and default depends_on.
import path from 'node:path';
import type {Home} from '../paths.js';
import type {ReadyProbe} from './types.js';

/** What a built-in's probe and environment depend on once its config is read. */
export type BuiltinContext = {name: string; port: number | null; serverUrl: string; embedded: boolean};

/** How a built-in runs when config gives no command and bin/ holds no replacement. */
export type BuiltinProgram =
	/** An external binary found on PATH (temporal): without it the component is disabled. */
	| {kind: 'external'; binary: string; args: (port: number | null, home: Home) => string[]; ensureDirs: (home: Home) => string[]}
	/** The stigmer CLI re-executed with this subcommand (source/builtins/). */
	| {kind: 'embedded'; subcommand: string};

export type Builtin = {
	name: string;
	port: number | null;
	program: BuiltinProgram;
	probe: (context: BuiltinContext) => ReadyProbe;
	env: (context: BuiltinContext) => Record<string, string>;
	dependsOn: readonly string[];
};

/** temporal's gRPC port when config names none: its own default. */
const TEMPORAL_PORT = 7233;
/** temporal's web UI listens this far above its gRPC port (its own default: 7233 → 8233). */
const TEMPORAL_UI_PORT_OFFSET = 1000;
const temporalData = (home: Home) => path.join(home.root, 'temporal-data');
const temporalArgs = (port: number, home: Home) => ['server', 'start-dev', '--port', String(port), '--ui-port', String(port + TEMPORAL_UI_PORT_OFFSET), '--db-filename', path.join(temporalData(home), 'temporal.db')];
const runnerProbe = ({name, serverUrl, embedded}: BuiltinContext): ReadyProbe => ({kind: 'http', url: `${serverUrl}/v1/pollers/${name}`, ...(embedded ? {pidProof: 'query' as const} : {})});
const runnerEnv = ({serverUrl}: BuiltinContext) => ({STIGMER_SERVER_URL: serverUrl});

/** The server the runners talk to; its default port when config names none. */
export const SERVER = {
	name: 'stigmer-server',
	port: 7234,
	program: {kind: 'embedded', subcommand: 'internal-server'},
	probe: ({serverUrl, embedded}) => ({kind: 'http', url: `${serverUrl}/healthz`, ...(embedded ? {pidProof: 'body' as const} : {})}),
	env: () => ({}),
	// docs/config.md's default stack is in dependency order: temporal first. A disabled temporal (no binary) is not waited for.
	dependsOn: ['temporal'],
} as const satisfies Builtin;

/** The built-in components, in their default start order. */
export const BUILTINS: readonly Builtin[] = [
	{
		name: 'temporal',
		port: TEMPORAL_PORT,
		program: {
			kind: 'external',
			binary: 'temporal',
			args: (port, home) => temporalArgs(port ?? TEMPORAL_PORT, home),
			ensureDirs: (home) => [temporalData(home)],
		},
		probe: ({port}) => ({kind: 'tcp', port: port ?? TEMPORAL_PORT, host: '127.0.0.1'}),
		env: () => ({}),
		dependsOn: [],
	},
	SERVER,
	{name: 'workflow-runner', port: null, program: {kind: 'embedded', subcommand: 'internal-workflow-runner'}, probe: runnerProbe, env: runnerEnv, dependsOn: ['stigmer-server']},
	{name: 'agent-runner', port: null, program: {kind: 'embedded', subcommand: 'internal-agent-runner'}, probe: runnerProbe, env: runnerEnv, dependsOn: ['stigmer-server']},
];

/** The built-in named `name`, or undefined for a user component. */
export function builtin(name: string): Builtin | undefined {
	return BUILTINS.find((b) => b.name === name);
}
