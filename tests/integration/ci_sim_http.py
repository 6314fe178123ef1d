"""A loopback file server standing for a release host (GitHub releases, a
mirror) in t_ci_setup_download.sh:

  ci_sim_http.py DIR PORT_FILE LOG

serves DIR on 127.0.0.1 (a free port, written to PORT_FILE once listening)
and appends one line per request to LOG: `GET /path -> CODE`."""
import functools
import http.server
import os
import sys


def main():
    root, port_file, log = sys.argv[1:4]

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_request(self, code="-", size="-"):
            with open(log, "a", encoding="utf-8") as f:
                f.write(f"{self.command} {self.path} -> {int(code)}\n")

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=root))
    tmp = port_file + ".new"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
