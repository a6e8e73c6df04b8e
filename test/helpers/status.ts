// `server status --json` (docs/lifecycle.md#status) as the tests read it.
import {type CliResult, show} from './cli.js';
import type {TestHome} from './homes.js';

export type StatusComponent = {
	name: string;
	enabled: boolean;
	state: string;
	reason: string | null;
	pid: number | null;
	pgid: number | null;
	ready: boolean;
	port: number | null;
	address: string | null;
	orphans: Array<{pid: number; startedAt: string}>;
	logs: {stdout: string; stderr: string};
	restarts: number;
	lastExit: {code: number | null; signal: string | null; at: string; uptimeMs: number} | null;
	nextRestartAt: string | null;
	supervisorPid: number | null;
};
export type StatusJson = {home: string; healthy: boolean; components: StatusComponent[]};

/** `server status --json`: the exit code, the parsed report, and its components by name. */
export async function statusJson(home: TestHome): Promise<{result: CliResult; report: StatusJson; byName: Map<string, StatusComponent>}> {
	const result = await home.cli(['server', 'status', '--json']);
	let report: StatusJson;
	try {
		report = JSON.parse(result.stdout) as StatusJson;
	} catch {
		throw new Error(`server status --json printed no JSON document:\n${show(result)}`);
	}

	return {result, report, byName: new Map(report.components.map((c) => [c.name, c]))};
}
