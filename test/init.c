/*
 * A tiny PID 1 for the test run's PID namespace (used when Debian's tini is absent).
 * Forks the command, reaps every child that is re-parented to us (orphans of the
 * process-killing tests), forwards SIGTERM/SIGINT/SIGHUP/SIGQUIT to the command, and
 * exits with the command's exit code (128+signal when a signal ended it).
 * Usage: init -- COMMAND [ARG...]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t child = 0;

static void forward(int sig) {
	if (child > 0) {
		kill(child, sig);
	}
}

int main(int argc, char **argv) {
	int first = 1;
	if (first < argc && strcmp(argv[first], "--") == 0) {
		first++;
	}
	if (first >= argc) {
		fprintf(stderr, "init: usage: init -- COMMAND [ARG...]\n");
		return 2;
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = forward;
	sigemptyset(&sa.sa_mask);
	int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};
	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) {
		sigaction(forwarded[i], &sa, NULL);
	}

	pid_t pid = fork();
	if (pid < 0) {
		perror("init: fork");
		return 1;
	}
	if (pid == 0) {
		/* The command gets default signal dispositions back. */
		for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) {
			signal(forwarded[i], SIG_DFL);
		}
		execvp(argv[first], argv + first);
		fprintf(stderr, "init: cannot run %s: %s\n", argv[first], strerror(errno));
		_exit(127);
	}
	child = pid;

	int code = 1;
	for (;;) {
		int status = 0;
		pid_t done = waitpid(-1, &status, 0);
		if (done < 0) {
			if (errno == EINTR) {
				continue;
			}
			break; /* ECHILD: nothing left to reap. */
		}
		if (done == pid) {
			code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			/* Leave now: as PID 1 our exit makes the kernel kill every process left in the namespace. */
			return code;
		}
	}
	return code;
}
