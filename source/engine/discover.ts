// Finding our processes (SPEC 4.2, 4.3): PID files proved by identity, the marker scan, recorded groups.
import fs from 'node:fs';
import path from 'node:path';
import {processTable, type MarkedProc} from '../os/index.js';
import type {Home} from '../paths.js';
import {readPidFile, type PidFileContent, type PidRecord} from './pidfile.js';

/** A process proved ours from a PID file. */
export type Recorded = {pid: number; pgid: number | null; startedAtMs: number};

/** A PID file and what it proved. */
export type PidFileFinding = {file: string; content: PidFileContent; proven: Recorded | null; why: string | null};

/** Everything of one component in one home. */
export type ComponentFinding = {
	component: string;
	files: PidFileFinding[];
	/** The process the component's own PID file proves (the legacy daemon.pid is a file, never this). */
	running: Recorded | null;
	/** Its supervisor (SPEC 4.8), proved from the same PID file: alive while it waits to restart the component, too. */
	supervisor: Recorded | null;
	/** Ours but not recorded in a valid PID file: marker-scan hits outside recorded groups, leftovers of dead groups. */
	orphans: Array<{pid: number; pgid: number | null; startedAtMs: number}>;
};

const LEGACY_COMPONENT = 'stigmer-server';

/** What of this home runs, per component; `names` are the config's components (others found are added). Read-only. */
export function discover(home: Home, names: string[]): Map<string, ComponentFinding> {
	const findings = new Map<string, ComponentFinding>();
	const get = (component: string) => {
		let finding = findings.get(component);
		if (finding === undefined) {
			finding = {component, files: [], running: null, supervisor: null, orphans: []};
			findings.set(component, finding);
		}

		return finding;
	};

	const scan = processTable.scanMarked(home.root);
	const marked = new Map(scan.map((p) => [p.pid, p]));
	const boot = processTable.bootId();
	const coveredGroups = new Set<number>();
	const coveredPids = new Set<number>();

	for (const [component, file] of pidFiles(home, names)) {
		const content = readPidFile(file);
		if (content === undefined) {
			continue;
		}

		const finding = get(component);
		const {proven, supervisor, why, leftoverGroup} = prove(content, component, home, boot, marked);
		finding.files.push({file, content, proven, why});
		if (supervisor) {
			coveredPids.add(supervisor.pid);
			coveredGroups.add(supervisor.pid);
			if (file === home.pidFile(component) && finding.supervisor === null) {
				finding.supervisor = supervisor;
			} else if (!proven) {
				finding.orphans.push(supervisor);
			}
		}

		if (proven) {
			coveredPids.add(proven.pid);
			if (proven.pgid !== null) {
				coveredGroups.add(proven.pgid);
			}

			if (file === home.pidFile(component) && finding.running === null) {
				finding.running = proven;
			} else {
				finding.orphans.push(proven);
			}
		} else if (leftoverGroup !== null) {
			coveredGroups.add(leftoverGroup);
			for (const pid of processTable.groupMembers(leftoverGroup)) {
				coveredPids.add(pid);
				finding.orphans.push({pid, pgid: leftoverGroup, startedAtMs: processTable.info(pid)?.startedAtMs ?? 0});
			}
		}
	}

	for (const proc of scan) {
		if (coveredPids.has(proc.pid) || coveredGroups.has(proc.pgid)) {
			continue;
		}

		// A marked group leader takes its whole group; a marked non-leader is ended alone.
		const leaderMarked = marked.has(proc.pgid);
		if (leaderMarked && proc.pgid !== proc.pid) {
			continue;
		}

		if (proc.supervisor && proc.pid === proc.pgid) {
			// A lost supervisor: its group is ended; the component it runs is what the user knows (none in backoff).
			const shown = scan.find((p) => p.pgid === proc.pid && !p.supervisor) ?? proc;
			get(proc.component).orphans.push({pid: shown.pid, pgid: proc.pid, startedAtMs: shown.startedAtMs});
			continue;
		}

		get(proc.component).orphans.push({pid: proc.pid, pgid: proc.pid === proc.pgid ? proc.pgid : null, startedAtMs: proc.startedAtMs});
	}

	return findings;
}

/** [component, path] of every PID file: the config's, any other data/*.pid, and the legacy daemon.pid. */
function pidFiles(home: Home, names: string[]): Array<[string, string]> {
	const files = new Map<string, string>(names.map((n) => [home.pidFile(n), n]));
	try {
		for (const entry of fs.readdirSync(home.data)) {
			if (entry.endsWith('.pid') && entry !== 'daemon.pid' && !entry.startsWith('.')) {
				files.set(path.join(home.data, entry), entry.slice(0, -'.pid'.length));
			}
		}
	} catch {}

	files.set(home.legacyPid, LEGACY_COMPONENT);
	return [...files].map(([file, component]) => [component, file]);
}

type Proof = {proven: Recorded | null; supervisor?: Recorded | null; why: string | null; leftoverGroup: number | null};

/** SPEC 4.2: alive, same boot, same start time — or, for a legacy plain pid, our marker. Pure apart from reading /proc. */
function prove(content: PidFileContent, component: string, home: Home, boot: string, marked: Map<number, MarkedProc>): Proof {
	if (content.kind === 'invalid') {
		return {proven: null, why: `unreadable PID file (${content.why})`, leftoverGroup: null};
	}

	const pid = content.kind === 'record' ? content.record.pid : content.pid;
	if (pid === process.pid || pid === process.ppid) {
		return {proven: null, why: `pid ${pid} is stigmer itself`, leftoverGroup: null};
	}

	const info = processTable.info(pid);
	if (content.kind === 'legacy') {
		const mark = marked.get(pid);
		if (info && mark) {
			return {proven: {pid, pgid: info.pgid === pid ? pid : null, startedAtMs: info.startedAtMs}, why: null, leftoverGroup: null};
		}

		return {proven: null, why: info ? `pid ${pid} is not a stigmer process of this home` : `pid ${pid} is not running`, leftoverGroup: null};
	}

	const {record} = content;
	const sameOrigin = record.bootId === boot && (record.home === '' || record.home === home.root) && record.component === component;
	const supervisor = sameOrigin ? proveSupervisor(record) : null;
	if (info && sameOrigin && info.startTime === record.startTime) {
		// The recorded group is used only when its leader is proved: the supervisor, or (unsupervised) the component itself.
		const pgid = record.supervisorPid === undefined ? record.pgid : supervisor && record.pgid === supervisor.pid ? record.pgid : null;
		return {proven: {pid, pgid, startedAtMs: info.startedAtMs}, supervisor, why: null, leftoverGroup: null};
	}

	if (supervisor) {
		// The component is between runs (backoff, or restarting): its supervisor, leader of the group, stands for it.
		return {proven: null, supervisor, why: null, leftoverGroup: null};
	}

	// Leader gone and no process holds the group's number as its pid: the group's members are ours (SPEC 4.2).
	const leftoverGroup = sameOrigin && processTable.info(record.pgid) === undefined && processTable.groupMembers(record.pgid).length > 0 ? record.pgid : null;
	const why = info ? `pid ${pid} now belongs to another process (started at a different time)` : `pid ${pid} exited without a stop`;
	return {proven: null, why: record.bootId === boot ? why : `recorded before the last reboot`, leftoverGroup};
}

/** A record's supervisor, proved as the component is (SPEC 4.2): alive, same start time (same boot and home checked by the caller). */
function proveSupervisor(record: PidRecord): Recorded | null {
	const pid = record.supervisorPid;
	if (pid === undefined || record.supervisorStartTime === undefined || pid === process.pid || pid === process.ppid) {
		return null;
	}

	const info = processTable.info(pid);
	return info && info.startTime === record.supervisorStartTime ? {pid, pgid: pid, startedAtMs: info.startedAtMs} : null;
}
