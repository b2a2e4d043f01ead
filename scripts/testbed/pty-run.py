#!/usr/bin/env python3
"""Runs a command with its stdin, stdout and stderr on a pseudo-terminal of a given width, as a user's terminal
would be, and prints everything it wrote there (escape sequences included) on stdout.

Usage: pty-run.py COLUMNS COMMAND [ARG...]
Exits with the command's exit status (128 + N when killed by signal N); gives up after 120 s.
"""
import fcntl, os, pty, select, struct, sys, termios, time

columns, command = int(sys.argv[1]), sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    # Sized before the command starts, so its first look at the window already sees the width.
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    os.execvp(command[0], command)
output = bytearray()
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.5)
    if ready:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
else:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(bytes(output))
sys.exit(os.waitstatus_to_exitcode(status) if os.waitstatus_to_exitcode(status) >= 0 else 128 - os.waitstatus_to_exitcode(status))
