# stigmer supervisor, the supervisor proper (docs/supervision.md): traps, the first launch and the loop that waits for
# the component, records each exit and restarts it per policy. main.sh runs it (`eval "$loop"`, handed over in the
# settings on fd 3) in the shell that supervises, $me: under bash a fork of the one the engine started. Kept as text
# and parsed there only, once: bash copies a function's whole body each time it calls it.
# shellcheck disable=SC2034,SC2154 # functions.sh reads these; main.sh, the settings (fd 3) and begin set the others
:
stopping=0 probation=1 sig=
# A stop (the engine's, to the whole group, or a signal to this shell alone) wakes the wait below at once.
trap 'stopping=1 sig=TERM' TERM
trap 'stopping=1 sig=INT' INT
trap 'stopping=1 sig=QUIT' QUIT
# Closing a terminal changes nothing; a trap (not an ignore) so the component still gets the default.
trap : HUP
# The engine's start saw it ready: from now on an exit is the policy's.
trap 'probation=0' USR1
# bash removes a finished job from its table before we can read it; a trapped SIGCHLD returns from wait first (see
# classify_exit). dash keeps it until read, and a SIGCHLD of another child there would lose the status.
# shellcheck disable=SC3028 # unset outside bash, which is the point
[ -z "${BASH_VERSION-}" ] || trap : CHLD
restarts=0 delay=$delay0_ms streak_start='' run_start='' verdict='' launches=0 pid='' sleep_s=''
code=null signal_json=null ended='' uptime=''
jobs_file=$data/.$name.jobs.$me.tmp
eval "$(eval "$functions"; begin)"
pid_json="\"supervisorPid\":$me,\"supervisorStartTime\":\"$sup_st\",\"spawnPid\":$$,$pid_json"
while :; do
	eval "$(eval "$functions"; before_launch)"
	[ "$verdict" = launch ] || exit 0
	# In the background, so a signal wakes our wait (launch, launcher.sh: it gets SIGINT and SIGQUIT back).
	(eval "$functions"; launch "$@") &
	pid=$!
	launches=$((launches + 1))
	while :; do
		wait "$pid"
		status=$?
		# Only the shell that waited can tell a death by signal from a code above 128: its job table says, read at once,
		# builtins only (dash forgets a finished job after the next command it forks). Written only once the component
		# is gone, so a wake-up while it runs (a signal) forks nothing. Never opened when something is there: set -C
		# opens an existing FIFO (and blocks) rather than failing; before_launch and classify_exit remove it.
		if ! kill -0 "$pid" 2>/dev/null; then
			if [ ! -e "$jobs_file" ] && [ ! -h "$jobs_file" ]; then
				set -C
				jobs -l >"$jobs_file"
				set +C
			fi
			break
		fi
		[ "$stopping" = 1 ] || continue
		verdict=
		eval "$(eval "$functions"; on_stop 1)"
		[ "$verdict" = stopped ] && exit 0
		stopping=0
	done
	# bash returned early for SIGCHLD: its real status now.
	if [ "$status" = "$chld_status" ] && [ -n "${BASH_VERSION-}" ]; then
		wait "$pid"
		again=$?
		[ "$again" = 127 ] || status=$again
	fi
	verdict=
	eval "$(eval "$functions"; after_exit)"
	[ "$verdict" = restart ] || exit 0
	# A stop that reached only us while the exit was handled (its trap ran after): no restart.
	if [ "$stopping" = 1 ]; then
		eval "$(eval "$functions"; on_stop 0)"
		exit 0
	fi
	# The backoff, waited for here so a stop ends it at once.
	sleep "$sleep_s" &
	sleeper=$!
	while kill -0 "$sleeper" 2>/dev/null; do
		wait "$sleeper"
		[ "$stopping" = 1 ] || continue
		kill "$sleeper" 2>/dev/null
		verdict=
		eval "$(eval "$functions"; on_stop 0)"
		exit 0
	done
# stdin stays the script (bash reads it as it goes); the loop and all it starts read /dev/null.
done </dev/null
