// The one interface to the operating system's process table; linux.ts and darwin.ts implement it.

/** What the process table says of one live process. */
export type ProcInfo = {
	pid: number;
	ppid: number;
	pgid: number;
	/** One-letter state (R, S, D, Z, T…); 'Z' counts as dead. */
	state: string;
	/** Opaque start-time token compared for identity (Linux: /proc/<pid>/stat field 22; macOS: `ps -o lstart=`). */
	startTime: string;
	/** Start time as epoch milliseconds (for uptime); approximate is fine. */
	startedAtMs: number;
};

/** A process found by the marker scan: its environment has STIGMER_HOME=<home> and STIGMER_COMPONENT. */
export type MarkedProc = ProcInfo & {component: string; /** It carries STIGMER_SUPERVISOR=1: a component's supervisor (docs/supervision.md). */ supervisor: boolean;
	/** It carries STIGMER_ENGINE: systemd or launchd runs it, and stigmer never ends it (docs/engines.md). */ engine: boolean};

/**
 * Whose a process says it is: the marker of its environment, or — a supervisor whose environment the OS hides (macOS
 * platform binaries) — its arguments (`<sh> -s stigmer-supervisor <component> <home>`, this user's processes only).
 */
export type Claim = {home: string; component: string; supervisor: boolean};

export type Usage = {cpuPercent: number; rssBytes: number};

/**
 * A listener on a TCP port: a process we can see (its command name, and the home and component of
 * its marker when it carries one), or `hidden` when the socket exists but its process is not ours
 * to see (another user's, or outside our PID namespace).
 */
export type PortHolder = {kind: 'process'; pid: number; command: string; home: string | null; component: string | null} | {kind: 'hidden'};

export type ProcessTable = {
	/** Identifier of this boot (Linux: /proc/sys/kernel/random/boot_id; macOS: kern.bootsessionuuid, which a clock change does not move). */
	bootId(): string;
	/** kill(pid, 0) succeeds or fails with EPERM, and the process is not a zombie (docs/lifecycle.md#alive-and-ours). */
	isAlive(pid: number): boolean;
	/** The process's row, or undefined when it does not exist (or is a zombie). */
	info(pid: number): ProcInfo | undefined;
	/** Every live process whose environment carries STIGMER_HOME=home and a STIGMER_COMPONENT (docs/lifecycle.md#cleanup-before-every-start step 2). */
	scanMarked(home: string): MarkedProc[];
	/**
	 * What each pid that lives claims (null: no marker visible, and not a supervisor by its arguments); pids that are
	 * gone are left out. `home` (ours) lets the macOS reading name our home exactly (see os/vis.ts).
	 */
	claims(pids: number[], home: string): Map<number, Claim | null>;
	/** Live (non-zombie) pids whose process group is pgid. */
	groupMembers(pgid: number): number[];
	/** Live (non-zombie) members of each valid pgid asked for, exact (members reparented away from their leader too): one pass over the table. */
	groupMembersOf(pgids: number[]): Map<number, number[]>;
	/** Members of several live-led groups at once, for display (status): may miss members reparented away from their leader. */
	groups(pgids: number[]): Map<number, number[]>;
	/** CPU % (since last sample of that pid, or lifetime average on first call) and RSS summed over pids. */
	usage(pids: number[]): Promise<Usage>;
	/**
	 * Every listener on TCP `port` of this machine, any address, IPv4 or IPv6 (none: the port is free).
	 * `prefer`: pids to look at first (a component's own processes), so the usual answer costs a few reads.
	 */
	portHolders(port: number, prefer?: number[]): Promise<PortHolder[]>;
	/** The control group a process runs in (Linux cgroup v2 path), or undefined where unknown (gone, macOS). */
	cgroup(pid: number): string | undefined;
};
