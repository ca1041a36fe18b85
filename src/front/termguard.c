/* termguard.c — the terminal's safety net for both front ends (see termguard.h).  Everything the signal handler
 * needs is prepared in advance; it uses only async-signal-safe calls (write, tcsetattr, sigaction, raise). */
#include "fitbench/termguard.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const int fatal_sigs[] = {SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
#define NSIGS ((int)(sizeof fatal_sigs / sizeof fatal_sigs[0]))

static volatile sig_atomic_t guarding;
static int tty_fd = -1;
static struct termios saved_tio;
static char exit_seq[256];
static volatile sig_atomic_t exit_len;
static struct sigaction old_act[NSIGS];

/* The alternate stack the handler runs on: a stack overflow leaves no room on the normal one.  64 KiB, static
 * (nothing to allocate once the program is failing). */
static _Alignas(16) unsigned char alt_stack[1 << 16];
static bool alt_installed;
static stack_t old_alt;

void termguard_restore(void)
{
    if (!guarding)
        return;
    int saved = errno;
    size_t n = (size_t)exit_len, off = 0;
    while (off < n) {
        ssize_t w = write(STDOUT_FILENO, exit_seq + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    while (tcsetattr(tty_fd, TCSANOW, &saved_tio) != 0 && errno == EINTR)
        ;
    errno = saved;
}

/* Restore, then die of the same signal: SA_RESETHAND has put the default action back, and the raised signal
 * (blocked while the handler runs) is delivered as it returns.  A fault re-executes the faulting instruction,
 * which then kills the program by the default action. */
static void on_fatal(int sig)
{
    termguard_restore();
    raise(sig);
}

void termguard_set_exit_seq(const char *seq, size_t n)
{
    exit_len = 0;
    if (!seq || n == 0)
        return;
    if (n > sizeof exit_seq - 16)
        n = sizeof exit_seq - 16;
    exit_seq[0] = '\030'; /* CAN: ends an escape sequence cut off half-written */
    memcpy(exit_seq + 1, seq, n);
    exit_len = (sig_atomic_t)(n + 1);
}

int termguard_begin(int fd)
{
    if (guarding)
        return 0;
    if (!isatty(fd) || tcgetattr(fd, &saved_tio) != 0)
        return -1;
    tty_fd = fd;
    exit_len = 0;
    stack_t ss = {.ss_sp = alt_stack, .ss_size = sizeof alt_stack, .ss_flags = 0};
    alt_installed = sigaltstack(&ss, &old_alt) == 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < NSIGS; i++)
        sigaddset(&sa.sa_mask, fatal_sigs[i]); /* a second signal waits until the terminal is back */
    sa.sa_flags = SA_RESETHAND | SA_ONSTACK;
    guarding = 1;
    for (int i = 0; i < NSIGS; i++)
        sigaction(fatal_sigs[i], &sa, &old_act[i]);
    return 0;
}

void termguard_end(void)
{
    if (!guarding)
        return;
    for (int i = 0; i < NSIGS; i++)
        sigaction(fatal_sigs[i], &old_act[i], NULL);
    if (alt_installed)
        sigaltstack(&old_alt, NULL);
    alt_installed = false;
    exit_len = 0;
    guarding = 0;
}
