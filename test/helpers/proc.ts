// The process table, read from /proc by the tests themselves (independent of the engine).
import fs from 'node:fs';
import {itemAt} from '../../source/item-at.js';

type Stat = {state: string; ppid: number; pgid: number; startTime: string};

/** /proc/<pid>/stat fields we need, or undefined when the process is gone. */
export function procStat(pid: number): Stat | undefined {
	try {
		const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
		return {state: itemAt(fields, 0), ppid: Number(fields[1]), pgid: Number(fields[2]), startTime: itemAt(fields, 19)};
	} catch {
		return undefined;
	}
}

/** Alive and not a zombie (docs/lifecycle.md#alive-and-ours, checked independently of the engine). */
export function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
	} catch (error: unknown) {
		if ((error as NodeJS.ErrnoException).code !== 'EPERM') {
			return false;
		}
	}

	const stat = procStat(pid);
	return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** This boot's id, as the engine records it. */
export function bootId(): string {
	return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
}

/** A marked process; `supervisor` when it is a component's supervisor (STIGMER_SUPERVISOR=1, docs/supervision.md). */
export type HomeProc = {pid: number; component: string; pgid: number; supervisor: boolean};

function allPids(): number[] {
	return fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
}

/** Live processes whose environment carries STIGMER_HOME=home and a STIGMER_COMPONENT (the marker, docs/lifecycle.md#cleanup-before-every-start). */
export function homeProcesses(home: string): HomeProc[] {
	const found: HomeProc[] = [];
	for (const pid of allPids()) {
		let environ: string;
		try {
			environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
		} catch {
			continue;
		}

		const vars = environ.split('\0');
		const component = vars.find((v) => v.startsWith('STIGMER_COMPONENT='))?.slice('STIGMER_COMPONENT='.length);
		const stat = procStat(pid);
		if (component && vars.includes(`STIGMER_HOME=${home}`) && stat && stat.state !== 'Z') {
			found.push({pid, component, pgid: stat.pgid, supervisor: vars.includes('STIGMER_SUPERVISOR=1')});
		}
	}

	return found;
}

/** Pids per component from homeProcesses (the components' own processes, or with `supervisors` their supervisors), each list sorted. */
export function processesByComponent(home: string, which: 'components' | 'supervisors' = 'components'): Record<string, number[]> {
	const by: Record<string, number[]> = {};
	for (const p of homeProcesses(home).filter((p) => p.supervisor === (which === 'supervisors'))) {
		(by[p.component] ??= []).push(p.pid);
	}

	for (const list of Object.values(by)) {
		list.sort((a, b) => a - b);
	}

	return by;
}

/** Live pids in process group pgid. */
export function groupMembers(pgid: number): number[] {
	return allPids().filter((pid) => {
		const stat = procStat(pid);
		return stat !== undefined && stat.pgid === pgid && stat.state !== 'Z';
	});
}

/** Live children of pid (zombies left out). */
export function childrenOf(pid: number): number[] {
	return allPids().filter((child) => {
		const stat = procStat(child);
		return stat !== undefined && stat.ppid === pid && stat.state !== 'Z';
	});
}

/**
 * What moves when pid does any work: its minor faults, its reaped children's faults, its own and its reaped children's
 * CPU ticks (/proc/<pid>/stat minflt, cminflt, utime, stime, cutime, cstime). Unchanged over a while: it did nothing,
 * not even a fork that came and went between two reads of the process table.
 */
export function activity(pid: number): string {
	const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
	return [7, 8, 11, 12, 13, 14].map((i) => itemAt(fields, i)).join(' ');
}
