"""A mail server for benchmarks: speaks just enough SMTP, takes every message, keeps none, and answers each DATA after
`--delay` seconds (a slow or distant mail server). `python -m bench.smtp_sink --port 2525 --delay 0.3`, then run the
bench with EMAIL_HOST=127.0.0.1 EMAIL_PORT=2525. Loopback only."""

import argparse
import socketserver
import time


class Session(socketserver.StreamRequestHandler):
    delay = 0.0

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 sink ESMTP")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb in {b"EHLO", b"HELO"}:
                self.reply("250 sink")
            elif verb == b"DATA":
                self.reply("354 go on")
                while (chunk := self.rfile.readline()) and chunk != b".\r\n":
                    pass
                time.sleep(self.delay)
                self.reply("250 taken")
            elif verb == b"QUIT":
                self.reply("221 bye")
                return
            else:  # MAIL, RCPT, RSET, NOOP
                self.reply("250 ok")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--delay", type=float, default=0.3)
    options = parser.parse_args()
    Session.delay = options.delay
    with socketserver.ThreadingTCPServer(("127.0.0.1", options.port), Session) as server:
        server.daemon_threads = True
        server.serve_forever()


if __name__ == "__main__":
    main()
