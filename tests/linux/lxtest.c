/*
 * lxtest: a static program run inside the Linux PV guest to show that
 * unmodified user programs work: fork and wait, exec, pipes, signals,
 * anonymous and file-less shared mmap, and threads. Prints one line per
 * check and "lxtest: N passed, N failed" at the end.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int passed, failed;

static void check(int ok, const char *what)
{
	printf("lxtest: %s %s\n", ok ? "ok  " : "FAIL", what);
	if (ok)
		passed++;
	else
		failed++;
}

static void test_fork(void)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0)
		_exit(42);
	check(pid > 0 && waitpid(pid, &status, 0) == pid &&
		      WIFEXITED(status) && WEXITSTATUS(status) == 42,
	      "fork, exit status seen by wait");
}

static void test_exec(void)
{
	int fds[2], status = 0;
	char buf[64] = "";
	ssize_t n;
	pid_t pid;

	if (pipe(fds))
		return check(0, "pipe for exec");
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		execl("/bin/busybox", "echo", "exec works", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	waitpid(pid, &status, 0);
	check(n > 0 && !strncmp(buf, "exec works", 10) && WIFEXITED(status) &&
		      !WEXITSTATUS(status),
	      "fork+exec with output through a pipe");
}

static void test_pipe_volume(void)
{
	int fds[2];
	long total = 0;
	char buf[4096];
	pid_t pid;

	if (pipe(fds))
		return check(0, "pipe");
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		memset(buf, 'x', sizeof(buf));
		for (int i = 0; i < 1024; i++)
			if (write(fds[1], buf, sizeof(buf)) != sizeof(buf))
				_exit(1);
		_exit(0);
	}
	close(fds[1]);
	for (ssize_t n; (n = read(fds[0], buf, sizeof(buf))) > 0;)
		total += n;
	close(fds[0]);
	waitpid(pid, NULL, 0);
	check(total == 4L << 20, "4 MiB through a pipe between processes");
}

static volatile sig_atomic_t got_signal;

static void on_usr1(int sig)
{
	got_signal = sig;
}

static void test_signals(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	int status = 0;
	pid_t pid;

	sigaction(SIGUSR1, &sa, NULL);
	kill(getpid(), SIGUSR1);
	check(got_signal == SIGUSR1, "signal delivered to a handler");
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	usleep(100000);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	check(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	      "SIGKILL ends a child");
}

static void test_mmap(void)
{
	size_t len = 16 << 20;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int *shared, status = 0, ok = 1;
	pid_t pid;

	if (p == MAP_FAILED)
		return check(0, "mmap 16 MiB");
	for (size_t i = 0; i < len; i += 4096)
		p[i] = (unsigned char)(i >> 12);
	for (size_t i = 0; i < len; i += 4096)
		ok &= p[i] == (unsigned char)(i >> 12);
	check(ok, "16 MiB anonymous mmap written and read back");
	/* Copy-on-write: the child's writes stay its own. */
	pid = fork();
	if (pid == 0) {
		p[0] = 0xaa;
		_exit(p[0] == 0xaa ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && !WEXITSTATUS(status) && p[0] == 0,
	      "copy-on-write after fork");
	munmap(p, len);
	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	*shared = 0;
	pid = fork();
	if (pid == 0) {
		*shared = 1234;
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	check(*shared == 1234, "shared mapping seen across fork");
	check(mprotect(shared, 4096, PROT_READ) == 0, "mprotect read-only");
	munmap(shared, 4096);
}

static long counter;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100000; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

static void test_threads(void)
{
	pthread_t t[4];

	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	check(counter == 400000, "4 threads, 400000 locked increments");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_fork();
	test_exec();
	test_pipe_volume();
	test_signals();
	test_mmap();
	test_threads();
	printf("lxtest: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
