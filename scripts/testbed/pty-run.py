#!/usr/bin/env python3
"""Runs a program on a pseudo-terminal, as a user at a terminal would, following a script; for the tests of
password prompts, progress bars and Ctrl-C.

Usage: pty-run.py < JOB.json, where JOB is
  {"argv": [...], "env": {...}, "cwd": "DIR" (optional), "timeout": seconds (whole run, default 60),
   "columns": the terminal's width (default 80; 24 rows),
   "stdout": "pty" | "pipe" (default pty; "pipe" keeps standard output apart from the terminal),
   "steps": [{"expect": "text"}      wait until the terminal output (since the last expect) holds text
             {"send": "text"}        type text ("\u0003" is Ctrl-C: the terminal sends SIGINT, as a keyboard does)
             {"echo": "name"}        record whether the terminal echoes typed text now, under name
             {"sleep": seconds}]}
The program gets the terminal as its controlling terminal, in a session of its own. Prints one JSON object:
  {"terminal": output, "stdout": piped output, "status": exit status or null, "signal": signal number or null,
   "echo": {name: bool, ..., "after_exit": bool}, "seconds_after_steps": time from the last step to the exit,
   "failed": null, or the step that timed out as JSON text}
"""
import fcntl, json, os, select, signal, struct, subprocess, sys, termios, time

job = json.load(sys.stdin)
deadline = time.monotonic() + job.get("timeout", 60)
master, slave = os.openpty()
# Sized before the program starts, so its first look at the window already sees the width.
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, job.get("columns", 80), 0, 0))
piped = job.get("stdout", "pty") == "pipe"


def take_terminal():
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    # As from a login shell: no signal blocked or ignored, whatever the test runner's thread had.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGHUP, signal.SIGPIPE):
        signal.signal(number, signal.SIG_DFL)


child = subprocess.Popen(job["argv"], stdin=slave, stdout=subprocess.PIPE if piped else slave, stderr=slave,
                         env=job.get("env"), cwd=job.get("cwd"), start_new_session=True, preexec_fn=take_terminal)
terminal, stdout, echo, failed = b"", b"", {}, None
seen = 0  # where the next expect starts looking


def pump(wait):
    """Reads what the program wrote within `wait` seconds."""
    global terminal, stdout
    fds = [master] + ([child.stdout] if piped and not child.stdout.closed else [])
    ready, _, _ = select.select(fds, [], [], wait)
    for fd in ready:
        if fd is master:
            try:
                terminal += os.read(master, 65536)
            except OSError:
                pass
        else:
            data = os.read(child.stdout.fileno(), 65536)
            if data:
                stdout += data
            else:
                child.stdout.close()


for step in job.get("steps", []):
    if "expect" in step:
        want = step["expect"].encode()
        while want not in terminal[seen:] and time.monotonic() < deadline and child.poll() is None:
            pump(0.05)
        pump(0)
        if want not in terminal[seen:]:
            failed = step
            break
        seen = terminal.index(want, seen) + len(want)
    elif "send" in step:
        os.write(master, step["send"].encode())
    elif "echo" in step:
        echo[step["echo"]] = bool(termios.tcgetattr(slave)[3] & termios.ECHO)
    elif "sleep" in step:
        end = time.monotonic() + step["sleep"]
        while time.monotonic() < end:
            pump(max(0, end - time.monotonic()))
steps_done = time.monotonic()
while child.poll() is None and time.monotonic() < deadline:
    pump(0.05)
if child.poll() is None:
    child.kill()
    child.wait()
    failed = failed or {"timeout": job.get("timeout", 60)}
exited = time.monotonic()
for _ in range(20):
    pump(0.01)
if piped and not child.stdout.closed:
    stdout += child.stdout.read()
echo["after_exit"] = bool(termios.tcgetattr(slave)[3] & termios.ECHO)
code = child.returncode
print(json.dumps({
    "terminal": terminal.decode("utf-8", "replace"), "stdout": stdout.decode("utf-8", "replace"),
    "status": code if code >= 0 else None, "signal": -code if code < 0 else None, "echo": echo,
    "seconds_after_steps": round(exited - steps_done, 3), "failed": json.dumps(failed) if failed else None,
}))
