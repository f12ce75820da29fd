#!/usr/bin/env python3
"""A real SMTP server on loopback for rota's reminder tests, and an independent mail parser.

    smtp_server.py serve DIR [--port N]
        Serves SMTP on 127.0.0.1 (port N, or a free one) and prints "PORT <n>" once listening.
        Each accepted message is written to DIR/<seq>-<recipient>.eml (atomically).
        DIR/rules.json, read on every command, maps a recipient address to how to treat it:
        "451" (temporary rejection), "550" (permanent rejection) or "drop" (hang up during DATA).

    smtp_server.py parse FILE...
        Prints the messages as JSON, decoded with Python's email package, with each .ics
        attachment parsed by the icalendar package.
"""

import asyncio
import json
import os
import sys


def need(module, package):
    try:
        return __import__(module)
    except ImportError:
        sys.stderr.write(
            f"python3 lacks the `{module}` module the reminder tests need: "
            f"install it with `pip install {package}` or `apt-get install python3-{package}`\n"
        )
        sys.exit(3)


def rules(folder):
    try:
        with open(os.path.join(folder, "rules.json")) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


class Handler:
    def __init__(self, folder):
        self.folder = folder
        # A restarted server numbers on after what it stored before.
        self.count = sum(1 for f in os.listdir(folder) if f.endswith(".eml"))

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        rule = rules(self.folder).get(address)
        if rule == "451":
            return "451 4.2.1 Mailbox busy, try again later"
        if rule == "550":
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(rules(self.folder).get(r) == "drop" for r in envelope.rcpt_tos):
            server.transport.abort()
            return "421 4.4.2 Connection dropped"
        self.count += 1
        name = f"{self.count:04d}-{'+'.join(envelope.rcpt_tos)}.eml"
        tmp = os.path.join(self.folder, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(self.folder, name))
        return "250 Message accepted for delivery"


async def serve(folder, port):
    need("aiosmtpd", "aiosmtpd")
    from aiosmtpd.smtp import SMTP

    handler = Handler(folder)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="rota-test", decode_data=False),
        host="127.0.0.1",
        port=port,
        reuse_address=True,
    )
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def parse(paths):
    import email
    from email import policy

    icalendar = need("icalendar", "icalendar")
    out = []
    for path in paths:
        with open(path, "rb") as f:
            msg = email.message_from_binary_file(f, policy=policy.default)
        text = msg.get_body(preferencelist=("plain",))
        html = msg.get_body(preferencelist=("html",))
        attachments = []
        for part in msg.iter_attachments():
            entry = {
                "filename": part.get_filename(),
                "content_type": part.get_content_type(),
            }
            if part.get_content_type() == "text/calendar":
                cal = icalendar.Calendar.from_ical(part.get_content())
                entry["events"] = [
                    {
                        "uid": str(ev.get("uid")),
                        "summary": str(ev.get("summary")),
                        "start": ev.decoded("dtstart").isoformat(),
                        "end": ev.decoded("dtend").isoformat(),
                    }
                    for ev in cal.walk("VEVENT")
                ]
            attachments.append(entry)
        to = msg["to"].addresses[0]
        out.append(
            {
                "file": os.path.basename(path),
                "from": str(msg["from"]),
                "to_name": to.display_name,
                "to": to.addr_spec,
                "subject": str(msg["subject"]),
                "message_id": str(msg["message-id"]),
                "date": str(msg["date"]),
                "header_names": [k.lower() for k in msg.keys()],
                "content_type": msg.get_content_type(),
                "text": text.get_content() if text is not None else None,
                "html": html.get_content() if html is not None else None,
                "attachments": attachments,
            }
        )
    json.dump(out, sys.stdout, ensure_ascii=False)


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "serve":
        port = 0
        if "--port" in sys.argv:
            port = int(sys.argv[sys.argv.index("--port") + 1])
        try:
            asyncio.run(serve(sys.argv[2], port))
        except KeyboardInterrupt:
            pass
    elif len(sys.argv) >= 2 and sys.argv[1] == "parse":
        parse(sys.argv[2:])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
