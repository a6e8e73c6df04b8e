# stigmer supervisor (docs/supervision.md): the parent of one component; records each exit, restarts per policy.
# POSIX sh (dash, bash --posix). Run as `sh -s stigmer-supervisor COMPONENT HOME` with this text on stdin, so ps shows
# one short line naming it. fd 3 carries its settings (shell assignments and `set -- ARGV…`, written by
# engine/spawn.ts), fd 4 its functions (functions.sh), kept as text and evaluated only in short-lived subshells, so
# this shell, alive as long as its component, stays as small as a bare one. It leads its component's process group
# (pgid = its pid), so it never signals its own group: leftovers are ended one pid at a time.
# shellcheck disable=SC2034,SC2154 # functions.sh reads these; the settings (fd 3) and begin set the others
:
# bash sizes its table of finished jobs' statuses by the process limit at its start (512 KiB for 32768), so the
# engine starts it with a small soft limit (spawn.ts) and the limit the component gets is put back at once.
# shellcheck disable=SC3045 # ulimit -u: bash only, and only bash is handed STIGMER_NPROC
[ -z "${STIGMER_NPROC-}" ] || ulimit -S -u "$STIGMER_NPROC"
unset STIGMER_NPROC
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
name=$2 home=$3 sh_path=$0
data=$home/data
pid_file=$data/$name.pid state_file=$data/$name.state stopping_file=$data/$name.stopping
log_file=$data/logs/$name.log err_file=$data/logs/$name.err runs_file=$data/logs/$name.runs
jobs_file=$data/.$name.jobs.$$.tmp
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
restarts=0 delay=$delay0_ms streak_start='' run_start='' verdict='' launches=0 pid='' sleep_s=''
code=null signal_json=null ended='' uptime=''
eval "$(eval "$functions"; begin)"
pid_json="\"supervisorPid\":$$,\"supervisorStartTime\":\"$sup_st\",$pid_json"
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
		# Only the shell that waited can tell a death by signal from a code above 128: its job table says, read at once
		# (dash forgets a finished job after the next command it forks).
		# Never opened when something is there: set -C opens an existing FIFO (and blocks) rather than failing, and rm
		# here would fork (dash would forget the job). before_launch and the loop below remove it before each wait.
		if [ ! -e "$jobs_file" ] && [ ! -h "$jobs_file" ]; then
			set -C
			jobs -l >"$jobs_file"
			set +C
		fi
		kill -0 "$pid" 2>/dev/null || break
		rm -f "$jobs_file"
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
