// test/support/dies_in_child.hpp — does running this code kill the process?
//
// For tests of what must crash (a read past a guard page, a poisoned pool block under ASan):
// the code runs in a forked child, quietly, with SIGSEGV/SIGBUS at their default action so
// that doctest's and ASan's own handlers do not report the crash as a failure of the parent.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace sluice::test {

// True if the child running `f` did not exit normally with status 0.
template <typename F>
bool dies_in_child(F f) {
    const pid_t pid = fork();
    if (pid == 0) {
        const int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) {
            dup2(devnull, STDOUT_FILENO);
            dup2(devnull, STDERR_FILENO);
        }
        signal(SIGSEGV, SIG_DFL);
        signal(SIGBUS, SIG_DFL);
        f();
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace sluice::test
