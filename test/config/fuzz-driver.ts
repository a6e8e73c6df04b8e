// The fuzz test's batch runner: `config check` and `server start` of one home, in process, over many config.yaml
// mutants — the very `run()` each verb's CLI calls, without paying node's start-up twice per mutant. Each error is
// printed as the CLI prints it (cli.ts `fail`); anything but a StigmerError is a crash and is reported with its stack.
// Usage: node fuzz-driver.js MUTANTS.json PID   (STIGMER_HOME set); prints one JSON array of results.
import fs from 'node:fs';
import {run as check} from '../../source/commands/config-check.js';
import {run as start} from '../../source/commands/start.js';
import {StigmerError} from '../../source/errors.js';
import {resolveHome} from '../../source/paths.js';

export type DriverResult = {index: number; check: Captured; start?: Captured; alive: boolean};
type Captured = {code: number; stdout: string; stderr: string; crash?: string};

async function captured(work: () => Promise<number>): Promise<Captured> {
	const out: string[] = [];
	const err: string[] = [];
	const writes = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)] as const;
	process.stdout.write = ((chunk: string) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
	process.stderr.write = ((chunk: string) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
	try {
		const code = await work();
		return {code, stdout: out.join(''), stderr: err.join('')};
	} catch (error: unknown) {
		if (error instanceof StigmerError) {
			return {code: error.exitCode, stdout: out.join(''), stderr: `${err.join('')}stigmer: ${error.message}\n`};
		}

		return {code: 1, stdout: out.join(''), stderr: err.join(''), crash: error instanceof Error ? (error.stack ?? error.message) : String(error)};
	} finally {
		[process.stdout.write, process.stderr.write] = writes;
	}
}

const [mutantsFile, pidText] = process.argv.slice(2);
const texts = JSON.parse(fs.readFileSync(mutantsFile ?? '', 'utf8')) as string[];
const pid = Number(pidText);
const home = resolveHome();
const results: DriverResult[] = [];
for (const [index, text] of texts.entries()) {
	fs.writeFileSync(home.config, text, {mode: 0o600});
	const checked = await captured(async () => check([]));
	const started = checked.code === 0 ? undefined : await captured(async () => start(['--no-color']));
	let alive = true;
	try {
		process.kill(pid, 0);
	} catch {
		alive = false;
	}

	results.push({index, check: checked, ...(started === undefined ? {} : {start: started}), alive});
}

process.stdout.write(JSON.stringify(results));
