// The supervisor of SPEC 4.8 in POSIX sh (dash, bash --posix): embedded, so the package ships no extra file and
// needs no build step. The engine runs SUPERVISOR_SCRIPT as `sh -s ARGS…` with that text on stdin (ps then shows the
// arguments) and SUPERVISOR_FUNCTIONS on fd 3. Kept as strings so tests can run them under each shell and shellcheck.
//
// Why two texts: the supervisor lives as long as its component, and bash keeps ~20 bytes of heap per byte of script it
// parses (the whole supervisor parsed: +230 KiB RSS). So the long-lived shell parses only the short loop below and
// keeps the rest as text (a few bytes per byte); the subshells that launch and handle an exit parse it and end.

/** What the long-lived supervisor shell parses: set up, then launch, wait, hand each exit to a subshell. */
export const SUPERVISOR_SCRIPT = `# stigmer supervisor (SPEC 4.8): the parent of one component; records each exit, restarts per policy.
# POSIX sh (dash, bash --posix); it waits in the kernel (no polling) while the component runs.
# Read from stdin (sh -s, so ps shows the arguments, not this text); arguments: shell name pid_file state_file pid_json
#   stop_signal stop_ms policy max_restarts delay_ms min_uptime_ms ready_timeout_ms lc_all -- argv...
# fd 3 carries the functions (SUPERVISOR_FUNCTIONS), kept here as text and evaluated only in the short-lived
# subshells that handle an exit: this shell, alive while the component runs, stays as small as a bare shell.
# It leads the process group of its component (pgid = its pid), so it never signals its own group:
# leftovers are ended one pid at a time.
stopping=0
probation=1
trap 'stopping=1' TERM INT HUP QUIT
trap 'probation=0' USR1
sh_path=$1 name=$2 pid_file=$3 state_file=$4 pid_json=$5 stop_sig=$6 stop_ms=$7 policy=$8 max_restarts=$9
shift 9
delay0_ms=$1 min_uptime_ms=$2 ready_ms=$3 lc_all=$4
shift 5
functions=$(cat <&3)
# fd 3 becomes the component's stderr log; the shell's own stderr (bash's "Killed" job notices) goes nowhere.
# fd 4 keeps our stdout (the component's log) for the launcher, whose stdout is a command substitution's.
exec 3>&2 4>&1 2>/dev/null
# Our files are private (0600, SPEC 2); the component gets the umask it was started with.
mask=$(umask)
umask 077
# Our own environment (what /proc and ps -E show of us) keeps the mark; nothing we start inherits it,
# not even the launcher in the moment before it becomes the component.
unset STIGMER_SUPERVISOR
restarts=0 delay=$delay0_ms streak_start='' sup_st='' run_start='' verdict=''
eval "$(eval "$functions"; begin)"
pid_json="\\"supervisorPid\\":$$,\\"supervisorStartTime\\":\\"$sup_st\\",$pid_json"
while :; do
	# The launcher: a subshell that becomes the component (see launch), so the component is our child, waited for as
	# the command substitution ends. In the foreground: an asynchronous list would start with SIGINT and SIGQUIT
	# ignored. Forked only once the backoff is over, never by the subshell that waited it out: a process's start
	# time is its fork's, and status's uptime and the PID file's identity read it. It prints nothing; its status is
	# the component's.
	# shellcheck disable=SC2034 # only its exit status counts
	launched=$(eval "$functions"; launch "$@")
	status=$?
	# A stop reached us too: it ends the group and expects nothing recorded.
	[ "$stopping" = 0 ] || exit 0
	verdict=
	eval "$(eval "$functions"; after_exit)"
	if [ "$stopping" = 1 ] || [ "$verdict" != restart ]; then exit 0; fi
done </dev/null
`;

/**
 * The supervisor's functions, sent on fd 3 and kept as text: \`begin\`, \`launch\` and \`after_exit\` run in
 * subshells of the supervisor; \`begin\` and \`after_exit\` print assignments it evaluates.
 */
export const SUPERVISOR_FUNCTIONS = `# stigmer supervisor functions (SPEC 4.8): only definitions, so evaluating them does nothing else.
# Inside the subshells that run them $$ is still the supervisor's pid; $self is the subshell's own.

# Longest backoff between restarts (SPEC 4.8).
MAX_DELAY_MS=30000
# Poll step while leftovers of the group end, and how long SIGKILL may take.
POLL_S=0.05
KILL_WAIT_STEPS=60
# Added to a deadline when now_ms has whole seconds only, so a grace is never cut short.
coarse_ms=0

# now: epoch milliseconds (GNU date); whole seconds .000 where date has no sub-second clock (macOS).
now_ms() {
	now=$(date +%s%3N 2>/dev/null)
	case $now in
	'' | *[!0-9]*) now=$(date +%s)000 coarse_ms=999 ;;
	esac
}

# r: $1 left-padded with zeros to $2 digits.
pad() {
	r=$1
	while [ \${#r} -lt "$2" ]; do r=0$r; done
}

# iso: RFC 3339 UTC of epoch ms $1 (civil-from-days arithmetic: no date(1) flavour differences).
iso_of() {
	s=$(($1 / 1000))
	z=$((s / 86400 + 719468))
	era=$((z / 146097))
	doe=$((z - era * 146097))
	yoe=$(((doe - doe / 1460 + doe / 36524 - doe / 146096) / 365))
	doy=$((doe - (365 * yoe + yoe / 4 - yoe / 100)))
	mp=$(((5 * doy + 2) / 153))
	day=$((doy - (153 * mp + 2) / 5 + 1))
	if [ "$mp" -lt 10 ]; then month=$((mp + 3)); else month=$((mp - 9)); fi
	year=$((yoe + era * 400))
	if [ "$month" -le 2 ]; then year=$((year + 1)); fi
	pad "$month" 2; month=$r
	pad "$day" 2; day=$r
	pad $((s % 86400 / 3600)) 2; hh=$r
	pad $((s % 3600 / 60)) 2; mi=$r
	pad $((s % 60)) 2; ss=$r
	pad $(($1 % 1000)) 3
	iso="$year-$month-\${day}T$hh:$mi:$ss.\${r}Z"
}

# d: a short duration for ms $1 (180ms, 1.2s, 14s, 3m12s, 2h5m).
fmt_ms() {
	if [ "$1" -lt 1000 ]; then
		d="$1ms"
	elif [ "$1" -lt 10000 ]; then
		d="$(($1 / 1000)).$(($1 % 1000 / 100))s"
		d=\${d%.0s}
		case $d in *s) ;; *) d="\${d}s" ;; esac
	elif [ "$1" -lt 60000 ]; then
		d="$(($1 / 1000))s"
	elif [ "$1" -lt 3600000 ]; then
		d="$(($1 / 60000))m$(($1 / 1000 % 60))s"
	else
		d="$(($1 / 3600000))h$(($1 / 60000 % 60))m"
	fi
}

# One line on the component's stderr log, where \`server logs\` and the dashboard show it, stamped $now.
say() {
	iso_of "$now"
	printf '%s stigmer: %s\\n' "$iso" "$1" >&3
}

# data/<component>.state, atomically: $1 state, $2 next restart (epoch ms or null), $3 streak ms or null.
write_state() {
	tmp="\${state_file%/*}/.\${state_file##*/}.$$.tmp"
	if printf '{"state":"%s","restarts":%s,"maxRestarts":%s,"policy":"%s","lastExit":{"code":%s,"signal":%s,"atMs":%s,"uptimeMs":%s},"nextRestartAtMs":%s,"streakMs":%s,"supervisorPid":%s}\\n' \\
		"$1" "$restarts" "$max_restarts" "$policy" "$code" "$signal_json" "$ended" "$uptime" "$2" "$3" "$$" >"$tmp" 2>/dev/null; then
		mv -f "$tmp" "$state_file" 2>/dev/null || rm -f "$tmp"
	else
		rm -f "$tmp"
	fi
}

# signal: SIG name of number $1 (the usual ones without a fork; kill -l for the rest).
signal_name() {
	case $1 in
	1) signal=SIGHUP ;; 2) signal=SIGINT ;; 3) signal=SIGQUIT ;; 4) signal=SIGILL ;; 6) signal=SIGABRT ;;
	7) signal=SIGBUS ;; 8) signal=SIGFPE ;; 9) signal=SIGKILL ;; 11) signal=SIGSEGV ;; 13) signal=SIGPIPE ;;
	14) signal=SIGALRM ;; 15) signal=SIGTERM ;;
	*) signal=$(kill -l "$1" 2>/dev/null) && signal=SIG\${signal#SIG} || signal="signal $1" ;;
	esac
}

# True while the PID file still names this supervisor: removed or replaced means cleanup or another start owns it.
pid_file_ours() {
	line=
	{ IFS= read -r line <"$pid_file"; } 2>/dev/null
	case $line in *"\\"supervisorPid\\":$$,"*) return 0 ;; esac
	return 1
}

forget_pid_file() {
	if pid_file_ours; then rm -f "$pid_file"; fi
}

# Shared with the launcher, which runs as a separate sh: st = start-time token of pid $1 (as the engine reads it).
# shellcheck disable=SC2016 # expanded by the shell that evaluates it
funcs='start_time_of() {
	if [ -r "/proc/$1/stat" ]; then
		line=
		{ IFS= read -r line <"/proc/$1/stat"; } 2>/dev/null
		set -- \${line##*) }
		st=\${20}
	else
		st=$(LC_ALL=C STIGMER_HOME= STIGMER_COMPONENT= ps -o lstart= -p "$1")
		set -- $st
		st="$*"
	fi
}'
eval "$funcs"

# self: this subshell's own pid (POSIX sh has no $BASHPID): /proc/self is whoever opens it; else a child's $PPID.
self_pid() {
	line=
	{ IFS= read -r line </proc/self/stat; } 2>/dev/null
	self=\${line%% *}
	# shellcheck disable=SC2016 # expanded by that child
	case $self in '' | *[!0-9]*) self=$(exec "$sh_path" -c 'echo "$PPID"') ;; esac
}

# Live pids of this group other than the supervisor, this subshell, and their helpers (date, sleep, cat, ps): their
# children, and those children's children where a shell forks for a command substitution.
group_members() {
	members='' kids='' found=''
	if [ -r /proc/$$/stat ]; then
		# One cat for every stat line: a shell's read takes a file a byte at a time (20 ms for 100 processes).
		table=$(cat /proc/[0-9]*/stat 2>/dev/null)
		ifs=$IFS
		IFS='
'
		set -f
		for line in $table; do
			# Only lines that name our group go on: the last ") " takes time to find in a long line.
			case $line in *" $$ "*) ;; *) continue ;; esac
			# After the last ") ": state ppid pgrp …; parameter expansions, cheaper than splitting all 50 fields.
			rest=\${line##*) }
			state=\${rest%% *}
			rest=\${rest#* }
			ppid=\${rest%% *}
			rest=\${rest#* }
			table_row "\${line%% *}" "$ppid" "\${rest%% *}" "$state"
		done
		set +f
		IFS=$ifs
	else
		table=$(STIGMER_HOME='' STIGMER_COMPONENT='' ps -A -o pid= -o ppid= -o pgid= -o state=)
		while read -r p pp g state; do
			table_row "$p" "$pp" "$g" "$state"
		done <<EOF
$table
EOF
	fi
	for c in $found; do
		case " $kids " in *" \${c#*:} "*) continue ;; esac
		members="$members \${c%%:*}"
	done
}

# One process of the table for group_members: pid $1, ppid $2, pgid $3, state $4.
table_row() {
	[ "$3" = "$$" ] || return 0
	case $1 in '' | *[!0-9]*) return 0 ;; esac
	case $4 in Z*) return 0 ;; esac
	[ "$2" != "$self" ] || kids="$kids $1"
	case " $$ $self " in *" $1 "* | *" $2 "*) return 0 ;; esac
	found="$found $1:$2"
}

# SPEC 4.8: end what is left of the group (stop signal, SIGKILL after stop_timeout), unless a stop takes over.
# Sets now afresh when it had anything to end (it may have waited).
end_leftovers() {
	group_members
	[ -n "$members" ] || return 0
	for p in $members; do kill -s "$stop_sig" "$p" 2>/dev/null; done
	# A wall-clock deadline: counted passes stretch with load (each is a sleep plus a /proc scan).
	now_ms
	deadline=$((now + stop_ms + coarse_ms))
	while [ -n "$members" ] && [ "$stopping" = 0 ]; do
		sleep "$POLL_S"
		group_members
		now_ms
		[ "$now" -lt "$deadline" ] || break
	done
	if [ "$stopping" = 1 ]; then return 0; fi
	for p in $members; do kill -s KILL "$p" 2>/dev/null; done
	steps=$KILL_WAIT_STEPS
	while [ -n "$members" ] && [ "$steps" -gt 0 ]; do
		sleep "$POLL_S"
		steps=$((steps - 1))
		group_members
	done
	now_ms
}

# Sleep $1 ms, returning early when a stop arrives (the sleep runs in the background so the trap can fire).
backoff() {
	[ "$stopping" = 0 ] || return 0
	pad $(($1 % 1000)) 3
	sleep "$(($1 / 1000)).$r" >/dev/null &
	sleeper=$!
	while kill -0 "$sleeper" 2>/dev/null; do
		wait "$sleeper"
		if [ "$stopping" = 1 ]; then
			kill "$sleeper" 2>/dev/null
			return
		fi
	done
}

# In a subshell at the supervisor's start: its start time (for the PID file) and the first run's start.
begin() {
	st=
	start_time_of $$
	now_ms
	echo "sup_st='$st' run_start=$now"
}

# In a subshell after the component's process exited with $status: end its leftovers, record the exit, and
# either wait out the backoff and print the next run's state with verdict=restart, or print nothing (the supervisor exits).
after_exit() {
	trap 'stopping=1' TERM INT HUP QUIT
	self_pid
	# One date(1) per exit: forks are what a restart costs (run_start of a restart is when its backoff ended).
	now_ms
	ended=$now
	[ -n "$streak_start" ] || streak_start=$run_start
	uptime=$((ended - run_start))
	if [ "$status" -gt 128 ]; then
		signal_name $((status - 128))
		code=null
		signal_json="\\"$signal\\""
		what="was killed by $signal"
		failed=1
	else
		code=$status
		signal_json=null
		what="exited with code $status"
		failed=0
		[ "$status" = 0 ] || failed=1
	fi
	fmt_ms "$uptime"
	what="$name $what after $d"

	# Not ready yet: the waiting start reports it as a start failure (SPEC 4.4); never a restart loop.
	if [ "$probation" = 1 ] && [ "$uptime" -lt "$ready_ms" ]; then
		write_state failed null null
		say "$what while starting; not restarted"
		end_leftovers
		return 0
	fi

	end_leftovers
	[ "$stopping" = 0 ] || return 0
	if [ "$uptime" -ge "$min_uptime_ms" ]; then
		restarts=0
		delay=$delay0_ms
		streak_start=$run_start
	fi

	case $policy in
	always) want=1 ;;
	on-failure) want=$failed ;;
	*) want=0 ;;
	esac
	if [ "$want" = 0 ]; then
		if [ "$failed" = 1 ]; then final=failed; else final=exited; fi
		write_state "$final" null null
		say "$what; not restarted (restart: $policy)"
		forget_pid_file
		return 0
	fi
	if [ "$restarts" -ge "$max_restarts" ]; then
		streak=$((ended - streak_start))
		# SPEC 4.6: failed is a non-zero exit or a signal; a clean exit it gives up after (restart: always) is exited.
		if [ "$failed" = 1 ]; then final=failed; else final=exited; fi
		write_state "$final" null "$streak"
		fmt_ms "$streak"
		if [ "$restarts" = 1 ]; then unit=restart; else unit=restarts; fi
		say "$what; gave up after $restarts $unit in $d"
		forget_pid_file
		return 0
	fi

	restarts=$((restarts + 1))
	write_state backoff $((now + delay)) null
	fmt_ms "$delay"
	say "$what; restarting in $d (restart $restarts of $max_restarts)"
	backoff "$delay"
	[ "$stopping" = 0 ] || return 0
	# Cleanup removed or replaced our PID file: never resurrect what it ended.
	if ! pid_file_ours; then
		now_ms
		say "$name not restarted: its PID file was removed"
		return 0
	fi
	run_start=$((now + delay))
	delay=$((delay * 2))
	[ "$delay" -le "$MAX_DELAY_MS" ] || delay=$MAX_DELAY_MS
	echo "restarts=$restarts delay=$delay streak_start=$streak_start run_start=$run_start probation=0 verdict=restart"
}

# The launcher becomes the component: it writes the PID file with its own pid (exec keeps pid and start time),
# restores the umask and LC_ALL (the supervisor runs with LC_ALL=C: no locale to load) and execs the argv.
# shellcheck disable=SC2016 # expanded by the launcher
launcher="$funcs"'
pid_file=$1 pid_json=$2 pgid=$3 mask=$4 lc_all=$5
shift 5
# Its stderr becomes the log here, not by a redirection where the supervisor runs it: a shell prints
# its "Killed" job notice with the redirections of that command in place, so the notice would land in the log.
exec 2>&3 3>&-
start_time_of $$
tmp="\${pid_file%/*}/.\${pid_file##*/}.$$.tmp"
# noclobber: the temp file is created afresh (O_EXCL), never written through a planted symlink. Without a PID
# file the component must not run (nobody could stop it): on a full disk the launcher removes the temp file and fails.
if ! (set -C; printf "{\\"pid\\":%s,\\"pgid\\":%s,\\"startTime\\":\\"%s\\",%s}\\n" $$ "$pgid" "$st" "$pid_json" >"$tmp") 2>/dev/null || ! mv -f "$tmp" "$pid_file"; then
	rm -f "$tmp"
	echo "stigmer: cannot write $pid_file (full disk?); not starting" >&2
	exit 125
fi
umask "$mask"
case $lc_all in
=*) LC_ALL=\${lc_all#=} && export LC_ALL ;;
*) unset LC_ALL ;;
esac
exec "$@"'

# In the subshell the supervisor waits for: exec the launcher (a fresh sh, so not even it carries the supervisor's
# environment: STIGMER_SUPERVISOR is unset, thus not exported), its stdout the component's log again.
launch() {
	exec "$sh_path" -c "$launcher" stigmer-launch "$pid_file" "$pid_json" $$ "$mask" "$lc_all" "$@" >&4 4>&-
}
`;

/** SUPERVISOR_FUNCTIONS as sent: without its comment lines, which the supervisor would keep and each subshell parse again. */
export const SUPERVISOR_FUNCTIONS_SENT = SUPERVISOR_FUNCTIONS.replace(/^[ \t]*#.*\n/gm, '');
