"""A fork server for the integration tests' Python helpers (run.sh starts it).

Importing MLflow costs a new interpreter 2-5 s of CPU, and the integration
tests start the venv's Python hundreds of times (seeding, reading back through
MlflowClient). The server imports MLflow and its stores once; each
`python SCRIPT ARGS`, `python -c CODE ARGS`, `python -m MODULE ARGS` or
`python - ARGS` of a test is then a fork of it, with the caller's
arguments, working directory, environment, umask, stdin/stdout/stderr and
process group, so that it behaves like a fresh interpreter: same output,
same exit status (a signal that kills it kills the caller the same way),
killed with the test by the harness's timeout.

  pyzygote.py serve SOCKET SHIM               the server (run.sh)
  pyzygote.py client SOCKET REAL_PYTHON ARGS  what the SHIM runs for `python ARGS`

The client runs the real interpreter instead (exactly as called) whenever the
server cannot do it faithfully: interpreter options (-u, -X, -I, ...), a
PYTHON* variable that differs from the server's, or no server; and when the
caller sets MLGATE_TEST_ZYGOTE=0, for a script whose own process must be
small and new (one that reads its children's peak RSS: a fork's child
inherits the fork's high-water mark through exec).
"""
import json
import os
import select
import signal
import socket
import struct
import sys

FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT,
             signal.SIGUSR1, signal.SIGUSR2)


def _python_env(env):
    return {k: v for k, v in env.items() if k.startswith("PYTHON")}


def _send_msg(sock, obj, fds=()):
    data = json.dumps(obj).encode()
    head = struct.pack("!I", len(data))
    if fds:
        socket.send_fds(sock, [head + data], list(fds))
    else:
        sock.sendall(head + data)


def _recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def _recv_msg(sock):
    head = _recv_exact(sock, 4)
    if head is None:
        return None
    data = _recv_exact(sock, struct.unpack("!I", head)[0])
    return None if data is None else json.loads(data)


# ---------------------------------------------------------------- client


def client(sock_path, real_python, args):
    def real():
        os.execv(real_python, [real_python] + args)

    if not args or not (args[0] in ("-", "-c", "-m") or not args[0].startswith("-")):
        real()
    if args[0] in ("-c", "-m") and len(args) < 2:
        real()
    if os.environ.get("MLGATE_TEST_ZYGOTE") == "0":  # asked for a fresh interpreter
        real()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(sock_path)
    except OSError:
        real()
    umask = os.umask(0)
    os.umask(umask)
    # the reply to the request is the child's pid, then its wait status
    _send_msg(sock, {"args": args, "cwd": os.getcwd(), "env": dict(os.environ),
                     "umask": umask, "pgid": os.getpgrp()}, fds=(0, 1, 2))
    first = _recv_msg(sock)
    if first is None:
        sys.stderr.write("pyzygote: the server closed the connection\n")
        os._exit(70)
    if "refuse" in first:  # e.g. other PYTHON* variables: a fresh interpreter it is
        sock.close()
        real()
    child = first["pid"]

    def forward(signum, _frame):
        try:
            os.kill(child, signum)
        except OSError:
            pass

    for s in FORWARDED:
        signal.signal(s, forward)
    while True:
        try:
            done = _recv_msg(sock)
            break
        except InterruptedError:
            continue
    if done is None:
        sys.stderr.write("pyzygote: lost the server before the script ended\n")
        os._exit(70)
    code = done["exit"]
    if code < 0:  # killed by a signal: die of the same one
        for s in FORWARDED:
            signal.signal(s, signal.SIG_DFL)
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
        os._exit(128 - code)
    os._exit(code)


# ---------------------------------------------------------------- server


def _preload():
    # No warning filters of our own: after this a fork has the filters (and
    # the loggers) a fresh interpreter has after `import mlflow`.
    import runpy  # noqa: F401
    import sqlite3  # noqa: F401
    import traceback  # noqa: F401
    import types  # noqa: F401

    import mlflow  # noqa: F401
    import mlflow.sklearn  # noqa: F401
    import mlflow.store.db.utils  # noqa: F401
    import mlflow.store.model_registry.rest_store  # noqa: F401
    import mlflow.store.model_registry.sqlalchemy_store  # noqa: F401
    import mlflow.store.tracking.rest_store  # noqa: F401
    import mlflow.store.tracking.sqlalchemy_store  # noqa: F401
    import pandas  # noqa: F401
    import sklearn.linear_model  # noqa: F401
    import sqlalchemy.orm
    from mlflow import MlflowClient  # noqa: F401
    from mlflow.entities import ViewType  # noqa: F401

    sqlalchemy.orm.configure_mappers()  # what each new store would do first
    import gc
    gc.collect()
    gc.freeze()  # the children's collections skip (and so do not copy) all of this


def _fresh_main():
    import types
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = __builtins__
    sys.modules["__main__"] = main
    return main.__dict__


def _print_exc(e):
    """The traceback a fresh interpreter prints: without this file's and runpy's frames."""
    import runpy
    import traceback
    tb = e.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename in (__file__, runpy.__file__):
        tb = tb.tb_next
    traceback.print_exception(type(e), e, tb)


def _run_child(req, fds, shim):
    """In the forked child: become the caller's interpreter, run, exit."""
    import runpy
    import traceback
    try:
        os.setpgid(0, req["pgid"])
    except OSError:
        pass  # the server kills the child when the caller goes away
    for s in FORWARDED + (signal.SIGCHLD, signal.SIGALRM):
        signal.signal(s, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # as Python does at start-up
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    # The server's streams now write to the caller's descriptors; buffer them
    # as a fresh interpreter would for those (line by line on a terminal or
    # with PYTHONUNBUFFERED, else in blocks).
    unbuffered = bool(req["env"].get("PYTHONUNBUFFERED"))
    for f in (sys.__stdout__, sys.__stderr__):
        try:
            f.reconfigure(line_buffering=unbuffered or f is sys.__stderr__ or os.isatty(f.fileno()),
                          write_through=unbuffered)
        except (AttributeError, OSError, ValueError):
            pass
    # nothing of the server's: the caller's descriptors 0-2 only (it passes no others)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    os.chdir(req["cwd"])
    os.umask(req["umask"])
    os.environ.clear()
    os.environ.update(req["env"])
    sys.executable = shim
    args = req["args"]
    code = 0
    main = None  # the __main__ namespace the script ran in, when it is ours
    try:
        if args[0] == "-c":
            sys.argv = ["-c"] + args[2:]
            sys.path[0] = ""
            main = _fresh_main()
            exec(compile(args[1], "<string>", "exec"), main)
        elif args[0] == "-m":
            sys.argv = [args[1]] + args[2:]
            sys.path[0] = os.getcwd()
            runpy.run_module(args[1], run_name="__main__", alter_sys=True)
        elif args[0] == "-":
            sys.argv = ["-"] + args[1:]
            sys.path[0] = ""
            src = sys.stdin.read()
            main = _fresh_main()
            exec(compile(src, "<stdin>", "exec"), main)
        else:
            sys.argv = list(args)
            sys.path[0] = os.path.dirname(os.path.abspath(args[0]))
            runpy.run_path(args[0], run_name="__main__")
    except SystemExit as e:
        if e.code is None:
            code = 0
        elif isinstance(e.code, int):
            code = e.code
        else:
            sys.stderr.write(f"{e.code}\n")
            code = 1
    except KeyboardInterrupt as e:
        _print_exc(e)
        code = 130
    except BaseException as e:
        _print_exc(e)
        code = 1
    # What Py_Finalize does that a script can see: wait for its threads, run
    # the atexit handlers, drop __main__ (closing what it left open), flush.
    # Not the teardown of every module: in a fork of a process that holds
    # MLflow that takes seconds (each object touched is a page copied).
    try:
        import threading
        threading._shutdown()
    except BaseException:
        traceback.print_exc()
    import atexit
    atexit._run_exitfuncs()
    if main is not None:
        main.clear()
    # sys.__stdout__ too: a script that swapped sys.stdout (redirect_stdout,
    # keeping the original to print its result) still has its output there,
    # which a fresh interpreter flushes when it tears the object down.
    streams = []
    for f in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        if f is not None and all(f is not g for g in streams):
            streams.append(f)
    for f in streams:
        try:
            f.flush()
        except BaseException:
            code = code or 120  # as Python does when flushing fails at exit
    os._exit(code & 0xFF)


def _read_request(conn):
    msg, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
    try:
        if len(msg) < 4:
            raise OSError("short request")
        n = struct.unpack("!I", msg[:4])[0]
        while len(msg) < 4 + n:
            more = conn.recv(4 + n - len(msg))
            if not more:
                raise OSError("short request")
            msg += more
        if len(fds) != 3:
            raise OSError("want 3 descriptors")
        return json.loads(msg[4:4 + n]), fds
    except (OSError, ValueError):
        for fd in fds:
            os.close(fd)
        raise


def serve(sock_path, shim):
    os.setpgid(0, 0)  # not in the harness's group: a Ctrl-C is the harness's to handle
    _preload()
    import threading
    if threading.active_count() != 1:
        sys.stderr.write(f"pyzygote: {threading.active_count()} threads after the imports; "
                         "forking is not safe, not serving\n")
        sys.exit(1)
    pyenv = _python_env(os.environ)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    tmp = sock_path + ".new"
    if os.path.exists(tmp):
        os.unlink(tmp)
    srv.bind(tmp)
    srv.listen(64)
    # a child's end wakes the loop at once
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    os.set_blocking(wake_r, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sys.stdout.flush()
    sys.stderr.flush()
    os.rename(tmp, sock_path)  # the socket appears only once it is ready
    children = {}  # pid -> connection of its caller
    while True:
        try:
            ready, _, _ = select.select([srv, wake_r] + list(children.values()), [], [], 1.0)
        except InterruptedError:
            ready = []
        for r in ready:
            if r is wake_r:
                try:
                    os.read(wake_r, 512)
                except BlockingIOError:
                    pass
            elif r is srv:
                conn, _ = srv.accept()
                try:
                    req, fds = _read_request(conn)
                except (OSError, ValueError) as e:
                    sys.stderr.write(f"pyzygote: bad request: {e}\n")
                    conn.close()
                    continue
                if _python_env(req["env"]) != pyenv:
                    for fd in fds:
                        os.close(fd)
                    try:
                        _send_msg(conn, {"refuse": "PYTHON* variables differ"})
                    except OSError:
                        pass
                    conn.close()
                    continue
                pid = os.fork()
                if pid == 0:
                    signal.set_wakeup_fd(-1)
                    srv.close()
                    os.close(wake_r)
                    os.close(wake_w)
                    for c in children.values():
                        c.close()
                    conn.close()
                    _run_child(req, fds, shim)  # ends in os._exit
                for fd in fds:
                    os.close(fd)
                children[pid] = conn
                try:
                    _send_msg(conn, {"pid": pid})
                except OSError:
                    pass
            else:  # a caller's connection is readable only when the caller is gone
                for pid, c in list(children.items()):
                    if c is r:
                        try:
                            os.kill(pid, signal.SIGKILL)
                        except OSError:
                            pass
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            conn = children.pop(pid, None)
            if conn is not None:
                try:
                    _send_msg(conn, {"exit": os.waitstatus_to_exitcode(status)})
                except OSError:
                    pass
                conn.close()


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "client":
        client(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif len(sys.argv) == 4 and sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: pyzygote.py serve SOCKET SHIM | client SOCKET REAL_PYTHON ARGS...")
