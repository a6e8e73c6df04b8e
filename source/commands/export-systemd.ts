// `stigmer export systemd` (docs/engines.md): parse → engine/systemd/export → print.
import {EXIT, UsageError} from '../errors.js';
import {exportSystemd, removeSystemd, type ExportResult} from '../engine/systemd/export.js';
import {versionManager, type ExportFile} from '../engine/systemd/units.js';
import {resolveHome} from '../paths.js';
import {parseFlags} from './flags.js';

const HELP = `
	Usage: stigmer export systemd [--system --user NAME] [--out DIR] [--enable] [--dry-run] [--remove] [--force]

	Hand this home's stack to systemd: one service per enabled component and a target
	that wants them all, written to ~/.config/systemd/user (or /etc/systemd/system with
	--system), then \`systemctl daemon-reload\`. Readiness, depends_on, restart and stop
	settings map onto systemd's keys; what cannot map exactly is said on stderr. From
	then on \`server start|stop|status\` and the dashboard act through systemctl.
	Running it again with unchanged config writes nothing (\`up to date\`).

	Options
	  --system     system units (/etc/systemd/system) run as --user NAME
	  --user NAME  the account a --system unit runs as (User=)
	  --out DIR    write the units to DIR instead (not installed: the home stays stigmer's)
	  --enable     also enable and start the target (and say whether lingering is on)
	  --dry-run    print the files, each after a # comment naming it; write nothing
	  --remove     stop and disable the target, delete exactly what the last export wrote
	  --force      replace (or remove) files changed by hand

	See docs/engines.md. Exit codes: 0 done · 1 a file changed by hand, or systemctl failed · 2 usage
`;

export async function run(argv: string[]): Promise<number> {
	const cli = await parseFlags(argv, HELP, {
		system: {type: 'boolean', default: false},
		user: {type: 'string'},
		out: {type: 'string'},
		enable: {type: 'boolean', default: false},
		dryRun: {type: 'boolean', default: false},
		remove: {type: 'boolean', default: false},
		force: {type: 'boolean', default: false},
	});
	const {system, user, out, enable, dryRun, remove, force} = cli.flags;
	if (cli.input.length > 0) {
		throw new UsageError(`unexpected argument "${cli.input[0]}" (see stigmer export systemd --help)`);
	}

	if (system !== (user !== undefined)) {
		throw new UsageError(system ? '--system needs --user NAME: the account the units run as' : '--user NAME goes with --system (user units run as you)');
	}

	if (remove && (enable || dryRun)) {
		throw new UsageError(`--remove cannot be combined with ${enable ? '--enable' : '--dry-run'}`);
	}

	const home = resolveHome();
	if (remove) {
		const removed = await removeSystemd(home, {force});
		if (removed.target === null) {
			process.stdout.write('nothing to remove: no systemd export recorded for this home\n');
			return EXIT.ok;
		}

		// Say only what happened: an --out export was never systemd's, so nothing was stopped (docs/engines.md).
		if (removed.stopError === null) {
			process.stdout.write(`stopped and disabled ${removed.target}\n`);
		} else if (removed.stopError !== undefined) {
			process.stderr.write(`stigmer: could not stop and disable ${removed.target}: ${removed.stopError}\n`);
		}

		process.stdout.write(`removed ${removed.removed.length} files\n${removed.removed.map((f) => `  ${f}\n`).join('')}`);
		return reloadFailed(removed.reloadError) || (removed.stopError ?? null) !== null ? EXIT.failure : EXIT.ok;
	}

	const result = await exportSystemd(home, {scope: system && user !== undefined ? {kind: 'system', user} : {kind: 'user'}, ...(out === undefined ? {} : {out}), dryRun, force, enable});
	for (const note of result.notes) {
		process.stderr.write(`stigmer: not exact: ${note}\n`);
	}

	const manager = versionManager();
	if (manager !== undefined) {
		process.stderr.write(`stigmer: warning: node is ${process.execPath}, under ${manager}, whose path changes when node is upgraded; re-run \`stigmer export systemd\` after an upgrade, or install node where its path is stable\n`);
	}

	return printResult(result);
}

function printResult(result: ExportResult): number {
	if (result.outcome === 'dry-run') {
		// An environment file may hold env_file secrets: its names are shown, never its values (docs/config.md).
		const shown = (f: ExportFile) => (f.secret ? f.text.replaceAll(/^([^#=\n]+)="(?:[^"\\]|\\[\s\S])*"$/gm, '$1=(value not shown)') : f.text);
		// Each file opens with a `#` line naming it: a comment to systemd and to an EnvironmentFile= alike (docs/engines.md).
		process.stdout.write(result.files.map((f) => `# ${f.path} (mode ${f.mode.toString(8)})\n${shown(f)}`).join('\n'));
		return EXIT.ok;
	}

	process.stdout.write(result.outcome === 'up-to-date'
		? `up to date: ${result.target} and its units in ${result.unitDir}\n`
		: `wrote ${result.files.length} files for ${result.target}:\n${result.files.map((f) => `  ${f.path}\n`).join('')}`);
	if (!result.installed) {
		process.stdout.write(`not installed: systemd does not read ${result.unitDir}; this home stays run by stigmer until the units are exported without --out\n`);
	}

	let code: number = reloadFailed(result.reloadError) ? EXIT.failure : EXIT.ok;
	const {enabled} = result;
	if (enabled !== null) {
		if (enabled.ok) {
			process.stdout.write(`enabled and started ${result.target}\n`);
		} else {
			process.stderr.write(`stigmer: could not enable ${result.target}: ${enabled.error}\n`);
			code = EXIT.failure;
		}

		process.stdout.write(enabled.linger === 'on'
			? `lingering is on for ${enabled.user}: the stack starts at boot\n`
			: `lingering is ${enabled.linger} for ${enabled.user}: the stack starts at login; \`loginctl enable-linger ${enabled.user}\` starts it at boot\n`);
	}

	return code;
}

function reloadFailed(error: string | null): boolean {
	if (error !== null) {
		process.stderr.write(`stigmer: systemctl daemon-reload failed: ${error}\n`);
		return true;
	}

	return false;
}
