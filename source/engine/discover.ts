// Finding our processes (docs/lifecycle.md#alive-and-ours, docs/lifecycle.md#cleanup-before-every-start): PID files proved by identity, the marker scan, recorded groups.
import fs from 'node:fs';
import path from 'node:path';
import {processTable, type Claim, type MarkedProc} from '../os/index.js';
import type {Home} from '../paths.js';
import {readPidFile, type PidFileContent, type PidRecord} from './pidfile.js';
import {PID_FILE_WORDS} from '../reasons.js';

/**
 * A process proved ours from a PID file. `pgid`: the group we may signal (proved, docs/lifecycle.md#alive-and-ours), or null; `group`: the group
 * it runs in now, signalled or not (status shows it and sums its memory: a leaderless group is still the component's),
 * null when that is stigmer's own group or its shell's, whose members are not the component's.
 */
export type Recorded = {pid: number; pgid: number | null; group: number | null; startedAtMs: number};

/** A PID file and what it proved. */
export type PidFileFinding = {file: string; content: PidFileContent; proven: Recorded | null; why: string | null};

/** A process cleanup ends; `member`: it goes with the group of another orphan listed. */
export type Orphan = {pid: number; pgid: number | null; startedAtMs: number; member?: true};

/** Everything of one component in one home. */
export type ComponentFinding = {
	component: string;
	files: PidFileFinding[];
	/** The process the component's own PID file proves (the legacy daemon.pid is a file, never this). */
	running: Recorded | null;
	/** Its supervisor (docs/supervision.md), proved from the same PID file: alive while it waits to restart the component, too. */
	supervisor: Recorded | null;
	/**
	 * Ours but not recorded in a valid PID file: marker-scan hits outside recorded groups, leftovers of dead groups, lost
	 * supervisors. One with a pgid is ended with its whole group; the other members of that group follow it as `member`
	 * entries (never signalled alone), so every process cleanup ends is listed (docs/lifecycle.md#cleanup-before-every-start).
	 */
	orphans: Orphan[];
	/** Unmarked members of a group whose recorded leader is gone: the group number may be reused, so never signalled (docs/lifecycle.md#alive-and-ours). */
	strangers: Array<{pid: number; startedAtMs: number}>;
};

const LEGACY_COMPONENT = 'stigmer-server';
/** Bound on the ppid walk: a chain deeper than this is a loop in a racing process table, not a real ancestry. */
const MAX_ANCESTRY = 512;

/** What discover gathers as it goes: the findings, what PID files cover, and the groups whose members are listed last. */
type Tally = {
	findings: Map<string, ComponentFinding>;
	coveredPids: Set<number>;
	coveredGroups: Set<number>;
	/**
	 * Groups whose members are listed: gathered here, read in one pass of the process table at the end (a pass per
	 * group made cleanup of many orphans cost a scan each).
	 */
	ledBy: Map<Orphan, number>;
	leftovers: Array<{finding: ComponentFinding; pgid: number}>;
};

/** What of this home runs, per component; `names` are the config's components (others found are added). Read-only. */
export function discover(home: Home, names: string[]): Map<string, ComponentFinding> {
	const ancestors = ancestry();
	// A process an engine runs (STIGMER_ENGINE) is the engine's: never an orphan to end (docs/engines.md).
	const scan = processTable.scanMarked(home.root).filter((p) => !ancestors.pids.has(p.pid) && !p.engine);
	const marked = new Map(scan.map((p) => [p.pid, p]));
	const tally: Tally = {findings: new Map(), coveredPids: new Set(), coveredGroups: new Set(), ledBy: new Map(), leftovers: []};
	addRecorded(tally, home, names, marked, ancestors);
	addScanned(tally, scan, marked, ancestors);
	listMembers(tally.findings, tally.ledBy, tally.leftovers, marked, ancestors);
	return tally.findings;
}

/** The finding of `component`, new and empty the first time it is asked for. */
function findingOf(tally: Tally, component: string): ComponentFinding {
	let finding = tally.findings.get(component);
	if (finding === undefined) {
		finding = {component, files: [], running: null, supervisor: null, orphans: [], strangers: []};
		tally.findings.set(component, finding);
	}

	return finding;
}

function addOrphan(tally: Tally, finding: ComponentFinding, orphan: Orphan): void {
	finding.orphans.push(orphan);
	if (orphan.pgid !== null) {
		tally.ledBy.set(orphan, orphan.pgid);
	}
}

/** The PID files, each proved: a component's own file gives what runs and its supervisor; any other proved process is an orphan. */
function addRecorded(tally: Tally, home: Home, names: string[], marked: Map<number, MarkedProc>, ancestors: Ancestry): void {
	const boot = processTable.bootId();
	const files = pidFiles(home, names).flatMap(([component, file]) => {
		const content = readPidFile(file);
		return content === undefined ? [] : [{component, file, content}];
	});
	// What every recorded process and supervisor claims, read at once (on macOS a few ps runs, not a few per file).
	const claims = processTable.claims(files.flatMap(({content}) => (content.kind === 'record' ? [content.record.pid, ...(content.record.supervisorPid === undefined ? [] : [content.record.supervisorPid])] : [])), home.root);
	for (const {component, file, content} of files) {
		const finding = findingOf(tally, component);
		const {proven, supervisor, why, leftoverGroup} = prove(content, component, home, {boot, marked, claims}, ancestors);
		finding.files.push({file, content, proven, why});
		const own = file === home.pidFile(component);
		if (supervisor) {
			tally.coveredPids.add(supervisor.pid);
			tally.coveredGroups.add(supervisor.pid);
			if (own && finding.supervisor === null) {
				finding.supervisor = supervisor;
			} else if (!proven) {
				addOrphan(tally, finding, supervisor);
			}
		}

		if (proven) {
			tally.coveredPids.add(proven.pid);
			if (proven.pgid !== null) {
				tally.coveredGroups.add(proven.pgid);
			}

			if (own && finding.running === null) {
				finding.running = proven;
			} else {
				addOrphan(tally, finding, proven);
			}
		} else if (leftoverGroup !== null) {
			tally.leftovers.push({finding, pgid: leftoverGroup});
		}
	}
}

/** The marker scan's processes outside what the PID files cover: orphans, a marked group leader with its whole group. */
function addScanned(tally: Tally, scan: MarkedProc[], marked: Map<number, MarkedProc>, ancestors: Ancestry): void {
	for (const proc of scan) {
		if (tally.coveredPids.has(proc.pid) || tally.coveredGroups.has(proc.pgid)) {
			continue;
		}

		// A marked group leader takes its whole group; a marked non-leader is ended alone.
		const leaderMarked = marked.has(proc.pgid);
		if (leaderMarked && proc.pgid !== proc.pid) {
			continue;
		}

		// A marked leader (a lost supervisor, too) is ended with its whole group, whose members are listed with it.
		const leads = proc.pid === proc.pgid && !ancestors.groups.has(proc.pgid);
		addOrphan(tally, findingOf(tally, proc.component), {pid: proc.pid, pgid: leads ? proc.pgid : null, startedAtMs: proc.startedAtMs});
	}
}

/**
 * The members of the listed groups, from one exact pass over the process table (members reparented away from their
 * leader included): each orphan that leads a group is followed by the group's other members (`member` entries); a
 * leftover group's unmarked members are strangers (its marked ones are orphans of the scan, ended one by one).
 */
function listMembers(findings: Map<string, ComponentFinding>, ledBy: Map<Orphan, number>, leftovers: Array<{finding: ComponentFinding; pgid: number}>, marked: Map<number, MarkedProc>, ancestors: Ancestry): void {
	const groups = processTable.groupMembersOf([...ledBy.values(), ...leftovers.map((l) => l.pgid)]);
	if (ledBy.size > 0) {
		for (const finding of findings.values()) {
			finding.orphans = finding.orphans.flatMap((orphan) => {
				const pgid = ledBy.get(orphan);
				const members: Orphan[] = [];
				for (const pid of pgid === undefined ? [] : (groups.get(pgid) ?? [])) {
					const info = pid === orphan.pid || ancestors.pids.has(pid) ? undefined : processTable.info(pid);
					if (info !== undefined) {
						members.push({pid, pgid: null, startedAtMs: info.startedAtMs, member: true});
					}
				}

				return [orphan, ...members];
			});
		}
	}

	// Leader gone: its marked members are found by the scan and ended one by one; the rest are strangers.
	for (const {finding, pgid} of leftovers) {
		for (const pid of groups.get(pgid) ?? []) {
			if (!marked.has(pid) && !ancestors.pids.has(pid)) {
				finding.strangers.push({pid, startedAtMs: processTable.info(pid)?.startedAtMs ?? 0});
			}
		}
	}
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

/** This process's ancestors (ppid up to 1) and the groups they and we run in: never ours, whatever marker they carry. */
type Ancestry = {pids: Set<number>; groups: Set<number>};

function ancestry(): Ancestry {
	const pids = new Set<number>([process.pid]);
	const groups = new Set<number>();
	for (let pid = process.pid, hops = 0; pid > 1 && hops < MAX_ANCESTRY; hops++) {
		const info = processTable.info(pid);
		if (info === undefined) {
			break;
		}

		pids.add(pid);
		groups.add(info.pgid);
		pid = info.ppid;
	}

	pids.add(process.ppid);
	return {pids, groups};
}

type Proof = {proven: Recorded | null; supervisor?: Recorded | null; why: string | null; leftoverGroup: number | null};

/** docs/lifecycle.md#alive-and-ours: alive, same boot, same start time — or, for a legacy plain pid, our marker. Pure apart from reading /proc. */
/** What the process table says, read once per discover: this boot, the marker scan, the claims of recorded pids. */
type Seen = {boot: string; marked: Map<number, MarkedProc>; claims: Map<number, Claim | null>};

function prove(content: PidFileContent, component: string, home: Home, {boot, marked, claims}: Seen, ancestors: Ancestry): Proof {
	if (content.kind === 'invalid') {
		return {proven: null, why: PID_FILE_WORDS.unreadable(content.why), leftoverGroup: null};
	}

	const pid = content.kind === 'record' ? content.record.pid : content.pid;
	// A recorded pid that is now ours or an ancestor's was reused: the recorded process is gone, as if it had exited.
	const reused = ancestors.pids.has(pid);
	if (reused && content.kind === 'legacy') {
		return {proven: null, why: PID_FILE_WORDS.ancestor(pid), leftoverGroup: null};
	}

	const info = reused ? undefined : processTable.info(pid);
	if (content.kind === 'legacy') {
		const mark = marked.get(pid);
		if (info && mark?.component === component) {
			return {proven: {pid, pgid: info.pgid === pid && !ancestors.groups.has(pid) ? pid : null, group: ancestors.groups.has(info.pgid) ? null : info.pgid, startedAtMs: info.startedAtMs}, why: null, leftoverGroup: null};
		}

		return {proven: null, why: info ? (mark ? foreignWhy(pid, mark) : PID_FILE_WORDS.notOurs(pid)) : PID_FILE_WORDS.notRunning(pid), leftoverGroup: null};
	}

	const {record} = content;
	const sameOrigin = record.bootId === boot && (record.home === '' || record.home === home.root) && record.component === component;
	// Home and component must both match (docs/safety.md): a recorded process (or supervisor), still the one recorded,
	// that claims another home or component makes the whole file a copy of theirs: it proves nothing here, and its group
	// is not ours to end, whatever the file says.
	const other = sameOrigin ? foreignClaim(record, component, home, claims) : undefined;
	if (other !== undefined) {
		return {proven: null, why: foreignWhy(other.pid, other.claim, home), leftoverGroup: null};
	}

	const supervisor = sameOrigin ? proveSupervisor(record, ancestors) : null;
	if (info && sameOrigin && info.startTime === record.startTime) {
		// The recorded group only when its leader is proved — the supervisor, or (unsupervised) the component itself — and
		// is the group the proved process actually runs in (a file may name any group); never a group of our own.
		const leaderProved = record.supervisorPid === undefined ? record.pgid === pid : supervisor !== null && record.pgid === supervisor.pid;
		const pgid = leaderProved && record.pgid === info.pgid && !ancestors.groups.has(info.pgid) ? record.pgid : null;
		return {proven: {pid, pgid, group: ancestors.groups.has(info.pgid) ? null : info.pgid, startedAtMs: info.startedAtMs}, supervisor, why: null, leftoverGroup: null};
	}

	if (supervisor) {
		// The component is between runs (backoff, or restarting): its supervisor, leader of the group, stands for it.
		return {proven: null, supervisor, why: null, leftoverGroup: null};
	}

	// Leader gone and no process holds the group's number as its pid: the group's members are ours (docs/lifecycle.md#alive-and-ours). Whether
	// any are left is read with every other group's, in discover's one pass: an empty leftover group lists nothing.
	const leftoverGroup = sameOrigin && !ancestors.groups.has(record.pgid) && processTable.info(record.pgid) === undefined ? record.pgid : null;
	const why = info ? PID_FILE_WORDS.reused(pid) : PID_FILE_WORDS.exitedWithoutStop(pid);
	return {proven: null, why: record.bootId === boot ? why : PID_FILE_WORDS.beforeReboot(), leftoverGroup};
}

/** The recorded process or supervisor, still the one recorded (same start time), when it claims another home or component. */
function foreignClaim(record: PidRecord, component: string, home: Home, claims: Map<number, Claim | null>): {pid: number; claim: Claim} | undefined {
	const recorded = [[record.pid, record.startTime], [record.supervisorPid, record.supervisorStartTime]] as const;
	for (const [pid, startTime] of recorded) {
		const claim = pid === undefined ? undefined : claims.get(pid);
		if (pid !== undefined && claim && (claim.home !== home.root || claim.component !== component) && processTable.info(pid)?.startTime === startTime) {
			return {pid, claim};
		}
	}

	return undefined;
}

/** Whose the process is that a PID file names: another home's (when `home` is given and differs), else the component its marker names. */
function foreignWhy(pid: number, claim: Pick<Claim, 'component'> & Partial<Claim>, home?: Home): string {
	const otherHome = claim.home !== undefined && home !== undefined && claim.home !== home.root ? claim.home : undefined;
	return PID_FILE_WORDS.claimed(pid, {component: claim.component, home: otherHome, supervisor: claim.supervisor === true});
}

/**
 * A record's supervisor, proved as the component is (docs/lifecycle.md#alive-and-ours): alive, same start time (same boot and home checked by the
 * caller). Never stigmer itself, an ancestor of it (a wrapper such as `timeout` between them), or the leader of their groups.
 */
function proveSupervisor(record: PidRecord, ancestors: Ancestry): Recorded | null {
	const pid = record.supervisorPid;
	if (pid === undefined || record.supervisorStartTime === undefined || ancestors.pids.has(pid) || ancestors.groups.has(pid)) {
		return null;
	}

	const info = processTable.info(pid);
	return info && info.startTime === record.supervisorStartTime ? {pid, pgid: pid, group: info.pgid, startedAtMs: info.startedAtMs} : null;
}
