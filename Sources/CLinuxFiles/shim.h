// Linux file calls that glibc declares only under _GNU_SOURCE, which Swift's Glibc module is built without:
// `syncfs` (one durability pass over a whole file system instead of an fsync per file) and `copy_file_range`
// (a copy inside the kernel, no buffer in the process); `posix_spawn_file_actions_addchdir_np` (glibc 2.29: a
// child's working directory, set between fork and exec, which a threaded process cannot do with chdir). Declared here with glibc's own signatures; nothing to link.
#ifndef OSSB_CLINUXFILES_SHIM_H
#define OSSB_CLINUXFILES_SHIM_H
#include <stdint.h>
#include <sys/types.h>
#include <spawn.h>
extern int syncfs(int fd);
extern ssize_t copy_file_range(int fd_in, int64_t *off_in, int fd_out, int64_t *off_out, size_t len,
                               unsigned int flags);
extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *actions, const char *path);
#endif
