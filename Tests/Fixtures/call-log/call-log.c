// A library preloaded into a program under test (LD_PRELOAD) that logs the C library calls which decide whether
// a file is durable before it appears under its final name: open, close, rename, fsync, fdatasync, syncfs.
// PullDurabilityTests compiles it with cc and reads the log. It replaced strace there: in the CI sandbox strace
// ran the pull to success yet logged none of its renames or syncs, while a preloaded library needs nothing
// from the kernel (no ptrace). It sees calls into the C library, which is where this project's code makes them.
//
// One line per call, written after the call returns, with a single write(2) to a file opened O_APPEND:
//   PID <TAB> START <TAB> END <TAB> NAME <TAB> FD-PATH <TAB> PATH <TAB> NEW-PATH <TAB> CREATES <TAB> RESULT
// START and END come from one counter shared by the process's threads, taken before and after the real call,
// so "A ended before B started" is A.END < B.START. Paths are absolute and resolved: a descriptor's path from
// /proc/self/fd, other paths as described at absolute_path. "-" marks no value. The first line of each process
// is its "start" line, so a reader can keep the traced program's own calls.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PATH_BUFFER (2 * PATH_MAX + 2)

static int log_fd = -1;
static atomic_ulong counter;

__attribute__((constructor)) static void call_log_start(void) {
    const char *path = getenv("OSSB_TEST_CALL_LOG");
    if (path == NULL) return;
    log_fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    char line[64];
    int n = snprintf(line, sizeof line, "%d\t0\t0\tstart\t-\t-\t-\t0\t0\n", (int)getpid());
    if (log_fd >= 0 && n > 0) (void)!write(log_fd, line, (size_t)n);
}

static void descriptor_path(int fd, char *out, size_t size) {
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, out, size - 1);
    if (n <= 0) { snprintf(out, size, "-"); return; }
    out[n] = 0;
}

// Paths are written resolved, as /proc/self/fd shows descriptors: the directory part through realpath (the
// file itself may be gone, as a rename's source is), joined to the working directory or the directory
// descriptor when relative.
static void absolute_path(int dirfd, const char *path, char *out, size_t size) {
    if (path == NULL) { snprintf(out, size, "-"); return; }
    char joined[2 * PATH_MAX + 2];
    if (path[0] == '/') {
        snprintf(joined, sizeof joined, "%s", path);
    } else {
        char base[PATH_MAX];
        if (dirfd == AT_FDCWD) {
            if (getcwd(base, sizeof base) == NULL) snprintf(base, sizeof base, "?");
        } else {
            descriptor_path(dirfd, base, sizeof base);
        }
        snprintf(joined, sizeof joined, "%s/%s", base, path);
    }
    char *slash = strrchr(joined, '/');
    char directory[PATH_MAX];
    if (slash != NULL && slash != joined) {
        *slash = 0;
        if (realpath(joined, directory) != NULL) {
            snprintf(out, size, "%s/%s", directory, slash + 1);
            return;
        }
        *slash = '/';
    }
    snprintf(out, size, "%s", joined);
}

static void record(unsigned long start, unsigned long end, const char *name, const char *fd_path, const char *path,
                   const char *new_path, int creates, long result) {
    if (log_fd < 0) return;
    char line[3 * PATH_BUFFER + 128];
    int n = snprintf(line, sizeof line, "%d\t%lu\t%lu\t%s\t%s\t%s\t%s\t%d\t%ld\n", (int)getpid(), start, end, name,
                     fd_path ? fd_path : "-", path ? path : "-", new_path ? new_path : "-", creates, result);
    if (n > 0) (void)!write(log_fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

#define REAL(name) static __typeof__(&name) real; if (real == NULL) real = (__typeof__(&name))dlsym(RTLD_NEXT, #name)
#define TICK() (atomic_fetch_add(&counter, 1) + 1)

static int logged_open(const char *name, int dirfd, const char *path, int flags, int result, unsigned long start) {
    char absolute[PATH_BUFFER];
    absolute_path(dirfd, path, absolute, sizeof absolute);
    record(start, TICK(), name, "-", absolute, "-", (flags & O_CREAT) != 0, result);
    return result;
}

static mode_t mode_argument(int flags, va_list arguments) {
    return ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? (mode_t)va_arg(arguments, int) : 0;
}

int open(const char *path, int flags, ...) {
    REAL(open);
    va_list arguments; va_start(arguments, flags); mode_t mode = mode_argument(flags, arguments); va_end(arguments);
    unsigned long start = TICK();
    return logged_open("open", AT_FDCWD, path, flags, real(path, flags, mode), start);
}

int open64(const char *path, int flags, ...) {
    REAL(open64);
    va_list arguments; va_start(arguments, flags); mode_t mode = mode_argument(flags, arguments); va_end(arguments);
    unsigned long start = TICK();
    return logged_open("open", AT_FDCWD, path, flags, real(path, flags, mode), start);
}

int openat(int dirfd, const char *path, int flags, ...) {
    REAL(openat);
    va_list arguments; va_start(arguments, flags); mode_t mode = mode_argument(flags, arguments); va_end(arguments);
    unsigned long start = TICK();
    return logged_open("openat", dirfd, path, flags, real(dirfd, path, flags, mode), start);
}

int openat64(int dirfd, const char *path, int flags, ...) {
    REAL(openat64);
    va_list arguments; va_start(arguments, flags); mode_t mode = mode_argument(flags, arguments); va_end(arguments);
    unsigned long start = TICK();
    return logged_open("openat", dirfd, path, flags, real(dirfd, path, flags, mode), start);
}

int close(int fd) {
    REAL(close);
    char path[PATH_MAX];
    descriptor_path(fd, path, sizeof path);
    unsigned long start = TICK();
    int result = real(fd);
    record(start, TICK(), "close", path, "-", "-", 0, result);
    return result;
}

#define SYNC_CALL(name)                                                      \
    int name(int fd) {                                                       \
        REAL(name);                                                          \
        char path[PATH_MAX];                                                 \
        descriptor_path(fd, path, sizeof path);                              \
        unsigned long start = TICK();                                        \
        int result = real(fd);                                               \
        record(start, TICK(), #name, path, "-", "-", 0, result);             \
        return result;                                                       \
    }
SYNC_CALL(fsync)
SYNC_CALL(fdatasync)
SYNC_CALL(syncfs)

static int logged_rename(const char *name, int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
                         int result, unsigned long start) {
    char from[PATH_BUFFER], to[PATH_BUFFER];
    absolute_path(olddirfd, oldpath, from, sizeof from);
    absolute_path(newdirfd, newpath, to, sizeof to);
    record(start, TICK(), name, "-", from, to, 0, result);
    return result;
}

int rename(const char *oldpath, const char *newpath) {
    REAL(rename);
    unsigned long start = TICK();
    return logged_rename("rename", AT_FDCWD, oldpath, AT_FDCWD, newpath, real(oldpath, newpath), start);
}

int renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath) {
    REAL(renameat);
    unsigned long start = TICK();
    int result = real(olddirfd, oldpath, newdirfd, newpath);
    return logged_rename("renameat", olddirfd, oldpath, newdirfd, newpath, result, start);
}

int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags) {
    REAL(renameat2);
    unsigned long start = TICK();
    int result = real(olddirfd, oldpath, newdirfd, newpath, flags);
    return logged_rename("renameat2", olddirfd, oldpath, newdirfd, newpath, result, start);
}
