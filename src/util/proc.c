/* proc.c — child processes and the memory they share with their parent (proc.h). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "fitbench/proc.h"

void *proc_shared(size_t bytes, const char *what, FbErr *err)
{
    void *p = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        fb_oom(err, what, bytes);
        return NULL;
    }
    return p; /* an anonymous mapping starts zeroed */
}

void proc_shared_free(void *p, size_t bytes)
{
    if (p)
        munmap(p, bytes ? bytes : 1);
}

/* In the child, before fn: the parent's signal handlers and its death. */
static void child_signals(pid_t parent)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++)
        if (sigaction(sig, NULL, &old) == 0 && old.sa_handler != SIG_IGN && old.sa_handler != SIG_DFL)
            sigaction(sig, &sa, NULL); /* a handler (SA_SIGINFO ones too): the default */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGINT, &sa, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
    if (getppid() != parent) /* the parent ended before the line above took effect */
        _exit(1);
}

int proc_start(int (*fn)(void *), void *arg, pid_t *pid, FbErr *err)
{
    pid_t parent = getpid();
    pid_t c = fork();
    if (c < 0)
        return fb_fail(err, "cannot start a process: %s", strerror(errno));
    if (c == 0) {
        child_signals(parent);
        _exit(fn(arg));
    }
    *pid = c;
    return 0;
}

bool proc_ended(pid_t pid, bool wait, int *status)
{
    int st = 0;
    pid_t r;
    do
        r = waitpid(pid, &st, wait ? 0 : WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == 0)
        return false;
    if (r < 0) /* not our child (already reaped): it has ended */
        *status = PROC_STATUS_UNKNOWN;
    else
        *status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? -WTERMSIG(st) : PROC_STATUS_UNKNOWN;
    return true;
}
