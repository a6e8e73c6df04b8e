// PID 1's reaper (docs/engines.md, "server run"): one text, run by `server run` when node finds itself PID 1 and by
// the shipped launcher (the #! preamble of dist/bin/cli.js, rollup.config.mjs). No imports: the build reads it too.

/** Set in the environment of the node the reaper runs: that node is not PID 1 and must not start another reaper. */
export const REAPED = 'STIGMER_REAPED';

/**
 * PID 1's loop. `wait` in sh (dash, bash, busybox ash) waits with waitpid(-1): every child is reaped, the orphans
 * re-parented to us included; it returns early when a trapped signal arrives, so we wait again until node is gone.
 * Asynchronous lists start with SIGINT ignored in a non-interactive sh; Node installs its own handlers regardless.
 */
export const REAPER = `# stigmer as PID 1: run "$@" as our child, reap every orphan, forward the first SIGTERM or SIGINT once.
sent=
# shellcheck disable=SC2317 # called by the traps below
forward() {
	[ -z "$sent" ] || return 0
	sent=1
	kill -s "$1" "$child" 2>/dev/null
}
trap 'forward TERM' TERM
trap 'forward INT' INT
"$@" &
child=$!
while :; do
	wait "$child"
	status=$?
	kill -0 "$child" 2>/dev/null || break
done
exit "$status"
`;

