/* test_termguard.c — the terminal guard (termguard.c) on a pseudo-terminal: a child process guards the pty, puts it
 * in raw mode as Readline and ncurses do, then dies: of a stack overflow, of two signals while the first one's
 * restore is still writing (its output blocked), of a storm of signals.  The parent checks the pty got its settings
 * back and the child died of a signal it was sent. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "fitbench/termguard.h"

typedef struct Pty {
    int master, slave;
    struct termios orig;
} Pty;

static void pty_open(Pty *p)
{
    p->master = posix_openpt(O_RDWR | O_NOCTTY);
    cr_assert(p->master >= 0 && grantpt(p->master) == 0 && unlockpt(p->master) == 0, "no pseudo-terminal");
    p->slave = open(ptsname(p->master), O_RDWR | O_NOCTTY);
    cr_assert(p->slave >= 0);
    cr_assert_eq(tcgetattr(p->slave, &p->orig), 0);
    cr_assert(p->orig.c_lflag & ICANON, "a new pty starts in line mode");
}

/* Read what the child wrote, without waiting; returns the bytes read. */
static size_t drain(int master)
{
    char buf[4096];
    size_t total = 0;
    int fl = fcntl(master, F_GETFL);
    fcntl(master, F_SETFL, fl | O_NONBLOCK);
    for (;;) {
        ssize_t n = read(master, buf, sizeof buf);
        if (n <= 0)
            break;
        total += (size_t)n;
    }
    fcntl(master, F_SETFL, fl);
    return total;
}

static volatile int sink = 1;

/* Recurses until the stack runs out (sink is never 0; the compiler cannot know). */
static int overflow(int depth)
{
    volatile char pad[512];
    pad[0] = (char)depth;
    pad[511] = pad[0];
    if (sink == 0)
        return pad[511];
    return overflow(depth + 1) + pad[511];
}

enum { IDLE, OVERFLOW, BLOCKED };

/* The child: guard the pty (stdin and stdout), raw mode, then according to mode: wait, overflow the stack, or fill
 * the pty's output buffer (so the handler's write of the exit sequence blocks) and wait.  Tells the parent through
 * ready[1] when it is set. */
static pid_t spawn(Pty *p, int mode, int ready[2])
{
    cr_assert_eq(pipe(ready), 0);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid > 0) {
        close(ready[1]);
        char c;
        cr_assert_eq(read(ready[0], &c, 1), 1, "the child did not get ready");
        close(ready[0]);
        return pid;
    }
    setsid();
    dup2(p->slave, STDIN_FILENO);
    dup2(p->slave, STDOUT_FILENO);
    if (termguard_begin(STDIN_FILENO) != 0)
        _exit(3);
    termguard_set_exit_seq("\033[?1049l\033[?25h", 14);
    struct termios raw = p->orig;
    cfmakeraw(&raw);
    tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    if (mode == BLOCKED) {
        int fl = fcntl(STDOUT_FILENO, F_GETFL);
        fcntl(STDOUT_FILENO, F_SETFL, fl | O_NONBLOCK);
        char junk[1024];
        memset(junk, 'x', sizeof junk);
        while (write(STDOUT_FILENO, junk, sizeof junk) > 0 || errno == EINTR)
            ;
        fcntl(STDOUT_FILENO, F_SETFL, fl);
    }
    if (write(ready[1], "r", 1) != 1)
        _exit(4);
    if (mode == OVERFLOW)
        _exit(overflow(0) & 1);
    for (;;)
        pause();
}

/* Wait for the child, draining the pty meanwhile; returns the signal it died of (0 if it exited). */
static int reap(Pty *p, pid_t pid)
{
    int st;
    for (int i = 0; i < 500; i++) {
        drain(p->master);
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFSIGNALED(st) ? WTERMSIG(st) : 0;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    cr_assert_fail("the child did not die within 5 s");
    return -1;
}

static void assert_restored(Pty *p, const char *what)
{
    struct termios now;
    cr_assert_eq(tcgetattr(p->slave, &now), 0);
    cr_assert(now.c_lflag & ICANON, "%s: the terminal was left raw (no icanon)", what);
    cr_assert(now.c_lflag & ECHO, "%s: the terminal was left without echo", what);
    cr_assert_eq(now.c_iflag, p->orig.c_iflag, "%s: input flags differ", what);
    cr_assert_eq(now.c_oflag, p->orig.c_oflag, "%s: output flags differ", what);
    cr_assert_eq(now.c_lflag, p->orig.c_lflag, "%s: local flags differ", what);
}

static void pty_close(Pty *p)
{
    close(p->slave);
    close(p->master);
}

/* A stack overflow: the handler can only run on the alternate signal stack. */
Test(termguard, stack_overflow_restores_the_terminal)
{
    Pty p;
    int ready[2];
    pty_open(&p);
    pid_t pid = spawn(&p, OVERFLOW, ready);
    int sig = reap(&p, pid);
    cr_assert_eq(sig, SIGSEGV, "the child died of signal %d, not SIGSEGV", sig);
    assert_restored(&p, "a stack overflow");
    pty_close(&p);
}

/* SIGHUP, then SIGTERM while the SIGHUP handler is still writing (the pty's buffer is full): the second signal must
 * wait until the first handler has restored everything. */
Test(termguard, second_signal_waits_for_the_restore)
{
    for (int run = 0; run < 3; run++) {
        Pty p;
        int ready[2];
        pty_open(&p);
        pid_t pid = spawn(&p, BLOCKED, ready);
        kill(pid, SIGHUP);
        usleep(50000); /* the handler is now blocked in write() */
        kill(pid, SIGTERM);
        usleep(50000);
        int sig = reap(&p, pid);
        cr_assert(sig == SIGHUP || sig == SIGTERM, "the child died of signal %d", sig);
        assert_restored(&p, "SIGHUP then SIGTERM");
        pty_close(&p);
    }
}

/* A storm: every fatal signal, many times, while the first handler is blocked. */
Test(termguard, storm_of_signals)
{
    static const int sigs[] = {SIGTERM, SIGHUP, SIGQUIT, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL};
    Pty p;
    int ready[2];
    pty_open(&p);
    pid_t pid = spawn(&p, BLOCKED, ready);
    kill(pid, SIGQUIT);
    usleep(20000);
    for (int i = 0; i < 200; i++)
        kill(pid, sigs[i % 8]);
    usleep(50000);
    int sig = reap(&p, pid);
    cr_assert(sig > 0, "the child did not die of a signal");
    assert_restored(&p, "a storm of signals");
    pty_close(&p);
}

/* Idle: one signal restores and kills with that signal; restoring twice is harmless; end puts the old actions back. */
Test(termguard, single_signal_and_idempotent_restore)
{
    Pty p;
    int ready[2];
    pty_open(&p);
    pid_t pid = spawn(&p, IDLE, ready);
    kill(pid, SIGTERM);
    cr_assert_eq(reap(&p, pid), SIGTERM);
    assert_restored(&p, "SIGTERM");
    pty_close(&p);

    cr_assert_eq(termguard_begin(-1), -1, "a non-terminal is not guarded");
    struct sigaction before, during, after;
    sigaction(SIGHUP, NULL, &before);
    Pty q;
    pty_open(&q);
    cr_assert_eq(termguard_begin(q.slave), 0);
    sigaction(SIGHUP, NULL, &during);
    cr_assert(during.sa_flags & SA_ONSTACK, "the handler runs on the alternate stack");
    cr_assert(sigismember(&during.sa_mask, SIGTERM) && sigismember(&during.sa_mask, SIGSEGV),
              "the other fatal signals are blocked while it runs");
    stack_t ss;
    cr_assert_eq(sigaltstack(NULL, &ss), 0);
    cr_assert_eq(ss.ss_flags & SS_DISABLE, 0, "an alternate signal stack is installed");
    termguard_restore();
    termguard_restore();
    termguard_end();
    termguard_end();
    sigaction(SIGHUP, NULL, &after);
    cr_assert_eq(after.sa_handler, before.sa_handler, "the old action is back");
    pty_close(&q);
}
