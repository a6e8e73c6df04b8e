# stigmer supervisor functions (docs/supervision.md): only definitions, so evaluating them does nothing else. The
# supervisor (main.sh) keeps this text (with common.sh before it and steps.sh after it) and evaluates it only in
# short-lived subshells. These are the helpers; steps.sh has the steps. The supervisor's pid is $me (under bash it is a
# fork of the shell the engine started, whose pid $$ still is: main.sh).

# shellcheck disable=SC2154 # the supervisor's variables: main.sh and its settings (fd 3) set them
:

# Poll step while leftovers of the group end, and how long SIGKILL may take.
POLL_S=0.05
KILL_WAIT_STEPS=60
# Added to a deadline when now_ms has whole seconds only, so a grace is never cut short.
coarse_ms=0

# date_mode: how date(1) gives milliseconds here: GNU %3N; %N without a width (newer macOS); else whole seconds
# (older macOS prints a literal "3N").
pick_date_mode() {
	t=$(date +%s%3N 2>/dev/null)
	case $t in '' | *[!0-9]*) ;; *) date_mode=3N && return ;; esac
	t=$(date +%s%N 2>/dev/null)
	case $t in '' | *[!0-9]*) date_mode=s ;; *) if [ ${#t} -ge 16 ]; then date_mode=N; else date_mode=s; fi ;; esac
}

# now: epoch milliseconds.
now_ms() {
	case $date_mode in
	3N) now=$(date +%s%3N 2>/dev/null) ;;
	N) now=$(date +%s%N 2>/dev/null) && now=${now%??????} ;;
	*) now= ;;
	esac
	case $now in '' | *[!0-9]*) now=$(date +%s)000 coarse_ms=999 ;; esac
}

# r: $1 left-padded with zeros to $2 digits.
pad() {
	r=$1
	while [ ${#r} -lt "$2" ]; do r=0$r; done
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
	pad "$month" 2 && month=$r
	pad "$day" 2 && day=$r
	pad $((s % 86400 / 3600)) 2 && hh=$r
	pad $((s % 3600 / 60)) 2 && mi=$r
	pad $((s % 60)) 2 && ss=$r
	pad $(($1 % 1000)) 3
	iso="$year-$month-${day}T$hh:$mi:$ss.${r}Z"
}

# d: a short duration for ms $1 (180ms, 1.2s, 14s, 3m12s, 2h5m).
fmt_ms() {
	if [ "$1" -lt 1000 ]; then
		d="$1ms"
	elif [ "$1" -lt 10000 ]; then
		d="$(($1 / 1000)).$(($1 % 1000 / 100))s"
		d=${d%.0s}
		case $d in *s) ;; *) d="${d}s" ;; esac
	elif [ "$1" -lt 60000 ]; then
		d="$(($1 / 1000))s"
	elif [ "$1" -lt 3600000 ]; then
		d="$(($1 / 60000))m$(($1 / 1000 % 60))s"
	else
		d="$(($1 / 3600000))h$(($1 / 60000 % 60))m"
	fi
}

# One line on the component's stderr log, where `server logs` and the dashboard show it, stamped $now.
say() {
	iso_of "$now"
	printf '%s stigmer: %s\n' "$iso" "$1" >&3
}

# True when $1 is a regular file (not a symlink), or absent; false for a directory, FIFO, symlink…: never written through.
writable_path() {
	if [ -h "$1" ]; then return 1; fi
	if [ -e "$1" ] && [ ! -f "$1" ]; then return 1; fi
	return 0
}

# data/<component>.state, atomically, through a temp file created exclusively (noclobber: never through a planted
# symlink) and renamed over a regular file only. $1 state, $2 next restart (epoch ms or null), $3 streak ms or null,
# $4 reason (fixed words: no JSON escaping needed) or empty.
write_state() {
	if [ -n "$4" ]; then reason_json="\"$4\""; else reason_json=null; fi
	if [ -n "$ended" ]; then
		exit_json="{\"code\":$code,\"signal\":$signal_json,\"atMs\":$ended,\"uptimeMs\":$uptime}"
	else
		exit_json=null
	fi
	if ! writable_path "$state_file"; then
		say "cannot record $name's state: $state_file is not a regular file"
		return 1
	fi
	tmp="${state_file%/*}/.${state_file##*/}.$me.tmp"
	rm -f "$tmp"
	if (set -C && printf '{"state":"%s","restarts":%s,"maxRestarts":%s,"policy":"%s","lastExit":%s,"nextRestartAtMs":%s,"streakMs":%s,"supervisorPid":%s,"reason":%s}\n' \
		"$1" "$restarts" "$max_restarts" "$policy" "$exit_json" "$2" "$3" "$me" "$reason_json" >"$tmp") 2>/dev/null &&
		mv -f "$tmp" "$state_file" 2>/dev/null; then
		return 0
	fi
	rm -f "$tmp"
	return 1
}

# True when the engine marked a stop of this component (data/<component>.stopping, made before it sends any signal and
# kept until the next start, so a stop that signalled the component alone and is over is still seen). Only tested,
# never read: the record stays ours alone to write while we run.
cli_stopping() {
	[ -f "$stopping_file" ] && [ ! -h "$stopping_file" ]
}

# line: the first KiB of regular file $1 (a record is a few hundred bytes; a huge one is never read whole, and dash's
# read takes a file a byte at a time).
head_of() {
	line=$(head -c 1024 "$1" 2>/dev/null) || line=
}

# signal: SIG name of number $1, as this system numbers signals (7 is SIGBUS on Linux, SIGEMT on macOS).
signal_name() {
	signal=$(kill -l "$1" 2>/dev/null) || signal=
	case $signal in '' | *[!A-Z0-9+-]*) signal="signal $1" ;; *) signal=SIG${signal#SIG} ;; esac
}

# True while the PID file still names this supervisor: removed or replaced means cleanup or another start owns it.
pid_file_ours() {
	[ -f "$pid_file" ] && [ ! -h "$pid_file" ] || return 1
	head_of "$pid_file"
	case $line in *"\"supervisorPid\":$me,"*) return 0 ;; esac
	return 1
}

# True when the PID file (a regular file, read boundedly: a FIFO there would block) names the run that ended ($pid).
pid_file_names_run() {
	[ -f "$pid_file" ] && [ ! -h "$pid_file" ] || return 1
	head_of "$pid_file"
	case $line in *"\"pid\":$pid,"*) return 0 ;; esac
	return 1
}

forget_pid_file() {
	if pid_file_ours; then rm -f "$pid_file"; fi
}

# out_size, err_size: bytes of the .log and .err, 0 when absent or not a regular file (never opened: a FIFO would
# block); one wc for both, since forks are what a restart costs.
log_sizes() {
	a=/dev/null b=/dev/null
	if [ -f "$log_file" ] && [ ! -h "$log_file" ]; then a=$log_file; fi
	if [ -f "$err_file" ] && [ ! -h "$err_file" ]; then b=$err_file; fi
	sizes=$(wc -c "$a" "$b" 2>/dev/null)
	# One line per file, the count first; the names may hold spaces.
	first=${sizes%%[!0-9 ]*}
	rest=${sizes#*"
"}
	second=${rest%%[!0-9 ]*}
	out_size=$((${first:-0} + 0)) err_size=$((${second:-0} + 0))
}

# One line of data/logs/<component>.runs: `<epoch ms> <spawn|exit> <size of .log> <size of .err>` (docs/supervision.md),
# created exclusively when absent and appended otherwise, never through a symlink.
runs_line() {
	writable_path "$runs_file" || return 0
	log_sizes
	if [ -e "$runs_file" ]; then
		printf '%s %s %s %s\n' "$now" "$1" "$out_size" "$err_size" >>"$runs_file"
	else
		(set -C && printf '%s %s %s %s\n' "$now" "$1" "$out_size" "$err_size" >"$runs_file")
	fi 2>/dev/null
}

# self: this subshell's own pid (POSIX sh has no $BASHPID): /proc/self is whoever opens it; else a child's $PPID.
self_pid() {
	line=
	{ IFS= read -r line </proc/self/stat; } 2>/dev/null
	self=${line%% *}
	# shellcheck disable=SC2016 # expanded by that child
	case $self in '' | *[!0-9]*) self=$(exec "$sh_path" -c 'echo "$PPID"') ;; esac
}

# Live pids of this group other than the supervisor, this subshell, and their helpers (date, sleep, cat, ps): their
# children, and those children's children where a shell forks for a command substitution. Linux reads /proc; where
# there is none (macOS, or /proc hidden) ps lists the table.
group_members() {
	members='' kids='' found=''
	if [ -r "/proc/$me/stat" ]; then
		# One cat for every stat line: a shell's read takes a file a byte at a time (20 ms for 100 processes).
		table=$(cat /proc/[0-9]*/stat 2>/dev/null)
		ifs=$IFS
		IFS='
'
		set -f
		for line in $table; do
			# Only lines that name our group go on: the last ") " takes time to find in a long line.
			case $line in *" $me "*) ;; *) continue ;; esac
			# After the last ") ": state ppid pgrp …; parameter expansions, cheaper than splitting all 50 fields.
			rest=${line##*) }
			state=${rest%% *}
			rest=${rest#* }
			ppid=${rest%% *}
			rest=${rest#* }
			table_row "${line%% *}" "$ppid" "${rest%% *}" "$state"
		done
		set +f
		IFS=$ifs
	else
		table=$(STIGMER_HOME='' STIGMER_COMPONENT='' ps -A -o pid= -o ppid= -o pgid= -o state= 2>/dev/null)
		while read -r p pp g state; do
			table_row "$p" "$pp" "$g" "$state"
		done <<TABLE
$table
TABLE
	fi
	for c in $found; do
		case " $kids " in *" ${c#*:} "*) continue ;; esac
		members="$members ${c%%:*}"
	done
}

# One process of the table for group_members: pid $1, ppid $2, pgid $3, state $4.
table_row() {
	[ "$3" = "$me" ] || return 0
	case $1 in '' | *[!0-9]*) return 0 ;; esac
	case $4 in Z*) return 0 ;; esac
	[ "$2" != "$self" ] || kids="$kids $1"
	# The component is the supervisor's child too: it is ended with the rest when a stop reaches only the supervisor.
	[ "$1" = "$pid" ] || case " $me $self " in *" $1 "* | *" $2 "*) return 0 ;; esac
	found="$found $1:$2"
}

# End what is left of the group (stop signal, SIGKILL after stop_timeout), the component too when it still runs;
# $1 = 1 to give way when a stop arrives. Sets now afresh when it had anything to end (it may have waited).
end_leftovers() {
	group_members
	[ -n "$members" ] || return 0
	for p in $members; do kill -s "$stop_sig" "$p" 2>/dev/null; done
	# A wall-clock deadline: counted passes stretch with load (each is a sleep plus a process-table read).
	now_ms
	deadline=$((now + stop_ms + coarse_ms))
	while [ -n "$members" ] && { [ "$1" = 0 ] || [ "$stopping" = 0 ]; }; do
		sleep "$POLL_S"
		group_members
		now_ms
		[ "$now" -lt "$deadline" ] || break
	done
	if [ "$1" = 1 ] && [ "$stopping" = 1 ]; then return 0; fi
	for p in $members; do kill -s KILL "$p" 2>/dev/null; done
	steps=$KILL_WAIT_STEPS
	while [ -n "$members" ] && [ "$steps" -gt 0 ]; do
		sleep "$POLL_S"
		steps=$((steps - 1))
		group_members
	done
	now_ms
}
