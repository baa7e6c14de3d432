"""A small SMTP server on a loopback port that keeps what it is sent, for tests that use
Django's real SMTP backend (``smtplib`` over a socket) rather than the in-memory outbox."""

import email
import email.policy
import socketserver
import threading


class _Session(socketserver.StreamRequestHandler):
    """One SMTP conversation (RFC 5321, the commands Django's backend uses, no TLS)."""

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 sink ESMTP")
        recipients = []
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command.split(":")[0].split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 sink")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = []
                while (part := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(part[1:] if part.startswith(b"..") else part)
                self.server.received.append(
                    (
                        recipients,
                        email.message_from_bytes(b"".join(data), policy=email.policy.default),
                    )
                )
                self.reply("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class SMTPSink(socketserver.ThreadingTCPServer):
    """``with SMTPSink() as sink:`` serves on ``sink.port``; ``sink.received`` holds
    ``(recipients, email.message.Message)`` pairs."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port=0):
        super().__init__(("127.0.0.1", port), _Session)
        self.received = []
        self.port = self.server_address[1]

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()
