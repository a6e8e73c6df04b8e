// A supervisor is recognisable by its arguments (docs/safety.md): macOS hides the environment of platform binaries such
// as /bin/sh from `ps -E`, so its marker cannot be read there; its argv names the component and the home.

/** The word after `-s` that names a stigmer supervisor in `ps` (docs/supervision.md). */
export const SUPERVISOR_TAG = 'stigmer-supervisor';

/** A component name as config accepts it (docs/config.md): a word that needs no quoting anywhere. */
const COMPONENT_NAME = /^[a-z0-9_-]{1,64}$/;

/** What a supervisor's arguments claim: its component and its (absolute) home. */
export type SupervisorArgs = {component: string; home: string};

/** `<sh> -s stigmer-supervisor <component> <absolute home>`, exactly (argv as the kernel holds it); undefined for anything else. */
export function parseSupervisorArgv(argv: readonly string[]): SupervisorArgs | undefined {
	if (argv.length !== 5 || argv[1] !== '-s' || argv[2] !== SUPERVISOR_TAG) {
		return undefined;
	}

	const [shell = '', , , component = '', home = ''] = argv;
	return shell !== '' && COMPONENT_NAME.test(component) && home.startsWith('/') ? {component, home} : undefined;
}

/**
 * The same from a `ps -o command=` line, whose arguments ps joined with single spaces: the shell is one word, the
 * home is the rest of the line (it may hold spaces). The home is as ps printed it (strvis-encoded on macOS).
 */
export function parseSupervisorCommand(line: string): SupervisorArgs | undefined {
	const match = /^(\S+) -s (\S+) (\S+) (\/.*)$/.exec(line);
	if (!match) {
		return undefined;
	}

	const [, shell = '', tag = '', component = '', home = ''] = match;
	return parseSupervisorArgv([shell, '-s', tag, component, home]);
}
