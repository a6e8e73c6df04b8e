# stigmer supervisor steps (docs/supervision.md): the functions main.sh runs in short-lived subshells, each printing
# assignments the supervisor evaluates; they use the helpers of functions.sh. The build appends this to functions.sh.
# shellcheck disable=SC2154 # the supervisor's variables: main.sh, its settings (fd 3) and functions.sh set them
:

# Longest backoff between restarts (docs/supervision.md).
MAX_DELAY_MS=30000

# At the supervisor's start: how date gives ms, its start time (for the PID file), the starting CLI's liveness proof,
# and which helper gives the component back default SIGINT and SIGQUIT.
begin() {
	pick_date_mode
	st=
	start_time_of "$me"
	if /usr/bin/env --default-signal=INT,QUIT true 2>/dev/null; then reset='env'
	elif [ -x /usr/bin/perl ]; then reset='perl'
	else reset=none; fi
	chld=$(kill -l 17 2>/dev/null)
	if [ "$chld" = CHLD ]; then chld=145; else chld=148; fi
	echo "date_mode=$date_mode sup_st='$st' reset=$reset chld_status=$chld"
}

# Before each launch: give way to cleanup that removed or replaced our PID file (never resurrect what it ended), else
# note the run's start in the .runs file and print it.
before_launch() {
	now_ms
	if [ "$launches" -gt 0 ] && ! pid_file_ours; then
		say "$name not restarted: its PID file was removed"
		echo "verdict=gone"
		return 0
	fi
	[ "$launches" -gt 0 ] || rm -f "$jobs_file"
	runs_line spawn
	echo "run_start=$now verdict=launch"
}

# In the background job the supervisor waits for: exec the launcher (a fresh sh, so not even it carries the
# supervisor's environment: STIGMER_SUPERVISOR is unset, thus not exported), its stdout the component's log again.
launch() {
	trap - INT QUIT
	exec "$sh_path" -c "$launcher" stigmer-launch "$pid_file" "$pid_json" "$me" "$mask" "$lc_all" "$reset" -- "$@" >&4 4>&-
}

# code, signal_json, how the component's process ended: from the job table's line for it ($jobs_file: `Done(3)`,
# `Exit 3`, `Done`, or a signal's description), since only the shell that waited knows a signal from a code above 128.
# Where the line is missing, both readings stay: the code, and the signal it would be.
classify_exit() {
	line=
	if [ -f "$jobs_file" ] && [ ! -h "$jobs_file" ]; then
		while IFS= read -r l; do
			case $l in *" $pid "*) line=${l#*" $pid "} ;; esac
		done <"$jobs_file"
	fi
	rm -f "$jobs_file"
	while :; do case $line in ' '*) line=${line# } ;; *) break ;; esac; done
	ambiguous=
	case $line in
	Done\(* | done\(*) code=${line#*(} && code=${code%%)*} ;;
	Exit\ * | exit\ *) code=${line#* } && code=${code%% *} ;;
	Done* | done*) code=0 ;;
	'' | Running* | running*) code=$status && [ "$status" -le 128 ] || ambiguous=1 ;;
	*) code=signal ;;
	esac
	case $code in '' | *[!0-9]*) [ "$code" = signal ] || code=$status ;; esac
	if [ "$code" = signal ] || [ -n "$ambiguous" ]; then
		signal_name $((status - 128))
		signal_json="\"$signal\""
		if [ -n "$ambiguous" ]; then
			code=$status
			what="exited with code $status or was killed by $signal"
			failed=1
			return 0
		fi
		code=null
		what="was killed by $signal"
		failed=1
	else
		signal_json=null
		what="exited with code $code"
		failed=0
		[ "$code" = 0 ] || failed=1
	fi
}

# After the component's process ended with $status: end its leftovers, record the exit, and print the next run's
# state with verdict=restart (and the backoff in ms), or verdict=done (the supervisor exits).
after_exit() {
	trap 'stopping=1' TERM INT QUIT
	trap : HUP
	self_pid
	# One date(1) per exit: forks are what a restart costs.
	now_ms
	last="$code $signal_json $ended $uptime"
	ended=$now
	runs_line exit
	[ -n "$streak_start" ] || streak_start=$run_start
	uptime=$((ended - run_start))
	classify_exit
	fmt_ms "$uptime"
	what="$name $what after $d"
	# A stop of the engine's reached it: the engine ends the group and records it.
	if cli_stopping; then
		echo "verdict=done"
		return 0
	fi
	# The launcher could not start it (125: no PID file; 126, 127: no command): failed, with that reason; the old PID
	# file and the record stay as evidence. The code as the job table told it: bash's wait, cut short by SIGCHLD, says
	# 145, and waited for again says 127 for a job it already forgot too.
	launch_failed=
	case $code in 125 | 126 | 127) pid_file_names_run || launch_failed=1 ;; esac
	if [ -n "$launch_failed" ]; then
		case $code in
		125) why="cannot write its PID file" ;;
		*) why="its command cannot be run" ;;
		esac
		# shellcheck disable=SC2086 # the last exit's four words, as saved above
		set -- $last
		code=$1 signal_json=$2 ended=$3 uptime=$4
		write_state failed null null "restart failed: $why"
		say "$name could not be started: $why; not restarted"
		echo "verdict=done"
		return 0
	fi

	# Starting and a stigmer start still waits for it (the CLI that spawned it, alive, same start time): a start
	# failure that start reports (docs/supervision.md), never a restart loop. Without that CLI the policy applies.
	if [ "$probation" = 1 ] && [ "$uptime" -lt "$ready_ms" ] && [ -n "$cli_pid" ] && kill -0 "$cli_pid" 2>/dev/null; then
		start_time_of "$cli_pid"
		if [ "$st" = "$cli_st" ]; then
			write_state failed null null ''
			say "$what while starting; not restarted"
			end_leftovers 1
			echo "verdict=done"
			return 0
		fi
	fi

	# Leftovers of its group are ended before anything else; status says so meanwhile.
	group_members
	[ -z "$members" ] || write_state ending null null ''
	end_leftovers 1
	if [ "$stopping" = 1 ] || cli_stopping; then
		echo "verdict=done stopping=1"
		return 0
	fi
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
		write_state "$final" null null ''
		say "$what; not restarted (restart: $policy)"
		forget_pid_file
		echo "verdict=done"
		return 0
	fi
	if [ "$restarts" -ge "$max_restarts" ]; then
		streak=$((ended - streak_start))
		# A failed run is a non-zero exit or a signal; a clean exit it gives up after (restart: always) is exited.
		if [ "$failed" = 1 ]; then final=failed; else final=exited; fi
		write_state "$final" null "$streak" ''
		fmt_ms "$streak"
		if [ "$restarts" = 1 ]; then unit=restart; else unit=restarts; fi
		say "$what; gave up after $restarts $unit in $d"
		forget_pid_file
		echo "verdict=done"
		return 0
	fi

	restarts=$((restarts + 1))
	write_state backoff $((now + delay)) null ''
	fmt_ms "$delay"
	say "$what; restarting in $d (restart $restarts of $max_restarts)"
	pad $((delay % 1000)) 3
	sleep_s="$((delay / 1000)).$r"
	next_delay=$((delay * 2))
	[ "$next_delay" -le "$MAX_DELAY_MS" ] || next_delay=$MAX_DELAY_MS
	echo "code=$code signal_json='$signal_json' ended=$ended uptime=$uptime"
	echo "restarts=$restarts delay=$next_delay streak_start=$streak_start sleep_s=$sleep_s probation=0 verdict=restart"
}

# A stop reached the supervisor ($sig). The engine's (it made data/<component>.stopping first): it ends the group, we record
# nothing. Else a signal to the supervisor alone: a stop of its component, carried out and recorded as stopped.
# $1 = 1 when the component still runs (pid $pid).
on_stop() {
	trap '' TERM INT QUIT
	self_pid
	if cli_stopping; then
		echo "verdict=wait"
		return 0
	fi
	if [ "$1" = 1 ]; then
		end_leftovers 0
	fi
	now_ms
	[ "$1" = 0 ] || runs_line exit
	write_state stopped null null "supervisor received SIG$sig"
	say "$name stopped: its supervisor received SIG$sig"
	forget_pid_file
	echo "verdict=stopped"
}
