# stigmer supervisor (docs/supervision.md): the parent of one component; records each exit, restarts per policy.
# POSIX sh (dash, bash --posix). Run as `sh -s stigmer-supervisor COMPONENT HOME` with this text on stdin, so ps shows
# one short line naming it. fd 3 carries its settings (shell assignments and `set -- ARGV…`, written by
# engine/spawn.ts), fd 4 its functions (functions.sh), kept as text and evaluated only in short-lived subshells, so
# the supervising shell ($me: this one, or under bash a fork of it, see below), alive as long as its component, stays
# as small as a bare one. It leads its component's process group (pgid = $me), so it never signals its own group:
# leftovers are ended one pid at a time.
# shellcheck disable=SC2034,SC2154 # functions.sh reads these; the settings (fd 3) and begin set the others
:
# bash sizes its table of finished jobs' statuses by the process limit at its start (512 KiB for 32768), so the
# engine starts it with a small soft limit (spawn.ts) and the limit the component gets is put back at once.
# shellcheck disable=SC3045 # ulimit -u: bash only, and only bash is handed STIGMER_NPROC
[ -z "${STIGMER_NPROC-}" ] || ulimit -S -u "$STIGMER_NPROC"
unset STIGMER_NPROC
name=$2 home=$3 sh_path=$0
data=$home/data
pid_file=$data/$name.pid state_file=$data/$name.state stopping_file=$data/$name.stopping
log_file=$data/logs/$name.log err_file=$data/logs/$name.err runs_file=$data/logs/$name.runs
eval "$(cat <&3)"
functions=$(cat <&4)
# fd 3 becomes the component's stderr log; our own stderr (job notices) goes nowhere; fd 4 keeps our stdout (the
# component's log) for the launcher.
exec 3>&2 4>&1 2>/dev/null
# Our files are private (0600); the component gets the umask it was started with.
mask=$(umask)
umask 077
# Our own environment (what /proc and ps -E show of us) keeps the mark; nothing we start inherits it.
unset STIGMER_SUPERVISOR
me=$$
# bash (in POSIX mode too) keeps every code page its start touched mapped, ~2.9 MB here, over the 3 MB budget before
# the script does anything (docs/supervision.md); a fork maps only what it runs afterwards (~2.0 MB in all). So where
# /proc shows it, a fork in a group of its own (set -m, which only bash honours without a terminal) becomes the
# supervisor and this shell exits $HANDED_OVER (engine/spawn.ts); the engine learns the fork's pid from the PID file,
# which names this shell as its spawnPid. A fork that finds itself no group leader gives way: this shell supervises.
HANDED_OVER=64
# shellcheck disable=SC3028 # BASH_VERSION: bash only, which is the point
if [ -n "${BASH_VERSION-}" ] && [ -r "/proc/$$/stat" ]; then
	set -m
	(
		set +m
		# Its own pid and group from /proc/self (bash 3.2 has no BASHPID); after the last ") ": state ppid pgrp …
		line=
		{ IFS= read -r line </proc/self/stat; } 2>/dev/null
		me=${line%% *}
		rest=${line##*) }
		rest=${rest#* }
		rest=${rest#* }
		[ "${rest%% *}" = "$me" ] || exit 1
		eval "$loop"
	) &
	fork=$!
	set +m
	line=
	{ IFS= read -r line <"/proc/$fork/stat"; } 2>/dev/null
	rest=${line##*) }
	rest=${rest#* }
	rest=${rest#* }
	[ "${rest%% *}" != "$fork" ] || exit "$HANDED_OVER"
	wait "$fork"
fi
eval "$loop"
