// `stigmer config check` (docs/cli.md): every problem of config.yaml at once, touching nothing.
import {checkConfig} from '../config/index.js';
import {EXIT, UsageError} from '../errors.js';
import {resolveHome} from '../paths.js';
import {plural} from '../units.js';
import {parseFlags} from './flags.js';

const HELP = `
	Usage: stigmer config check

	Validate config.yaml of STIGMER_HOME and print every problem at once, one per line
	as file:line:col: key: what is wrong (YAML, unknown keys, wrong types, unknown
	depends_on, cycles, duplicate ports, a user component without a command).
	Nothing is written: no migration, no cache, no directory.

	Exit codes: 0 valid (or no config.yaml: the defaults apply) · 2 problems found
`;

/** Check config.yaml; exit 0 when valid, 2 with every problem listed on stdout. */
export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {});
	if (cli.input.length > 0) {
		throw new UsageError(`unexpected argument "${cli.input[0]}" (see stigmer config check --help)`);
	}

	const result = checkConfig(resolveHome());
	if (!result.exists) {
		process.stdout.write(`${result.file}: ok (no such file: the built-in defaults apply)\n`);
		return EXIT.ok;
	}

	if (result.problems.length > 0) {
		process.stdout.write(inFileOrder(result.file, result.problems.map((p) => p.message)).map((m) => `${m}\n`).join(''));
		process.stderr.write(`stigmer: ${result.file}: ${result.problems.length} ${plural(result.problems.length, 'problem')}; nothing was changed\n`);
		return EXIT.usage;
	}

	const migrate = result.version === 0 ? ' (no `version:`: the next start stamps it version 1, keeping a backup)' : '';
	process.stdout.write(`${result.file}: ok${migrate}\n`);
	return EXIT.ok;
}

/** Messages that start `file:line:col:` sorted by line and column, as a compiler lists them; stable otherwise. */
function inFileOrder(file: string, messages: string[]): string[] {
	const position = (message: string): [number, number] => {
		const match = /^(\d+):(\d+):/.exec(message.startsWith(`${file}:`) ? message.slice(file.length + 1) : '');
		return match ? [Number(match[1]), Number(match[2])] : [0, 0];
	};

	return messages
		.map((message, index) => ({message, index, at: position(message)}))
		.sort((a, b) => a.at[0] - b.at[0] || a.at[1] - b.at[1] || a.index - b.index)
		.map((entry) => entry.message);
}
