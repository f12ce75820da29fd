#!/usr/bin/env python3
"""A real SMTP server on loopback for rota's reminder tests, and an independent mail parser.

    smtp_server.py serve DIR [--port N] [--tls CERT KEY] [--auth-fail] [--delay SECONDS]
        Serves SMTP on 127.0.0.1 (port N, or a free one) and prints "PORT <n>" once listening.
        --tls: offers and requires STARTTLS with this certificate chain and key (PEM).
        --auth-fail: requires AUTH and refuses every login (535), noting each in DIR/auth.log.
        --delay: waits this long before answering DATA (a slow server).
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
    def __init__(self, folder, delay=0.0):
        self.folder = folder
        self.delay = delay
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
        if self.delay:
            await asyncio.sleep(self.delay)
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


def refuse_login(folder):
    from aiosmtpd.smtp import AuthResult

    def authenticator(server, session, envelope, mechanism, auth_data):
        with open(os.path.join(folder, "auth.log"), "a") as f:
            f.write(f"{mechanism}\n")
        return AuthResult(success=False, handled=False)

    return authenticator


async def serve(folder, port, tls=None, auth_fail=False, delay=0.0):
    need("aiosmtpd", "aiosmtpd")
    from aiosmtpd.smtp import SMTP

    handler = Handler(folder, delay)
    options = {"hostname": "rota-test", "decode_data": False}
    if tls:
        import ssl

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(tls[0], tls[1])
        options.update(tls_context=context, require_starttls=True)
    if auth_fail:
        options.update(
            authenticator=refuse_login(folder), auth_required=True, auth_require_tls=False
        )
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, **options),
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
                        "sequence": int(ev.get("sequence", 0)),
                        "dtstamp": ev.decoded("dtstamp").isoformat(),
                        "status": str(ev.get("status", "")),
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
        args = sys.argv
        port = 0
        if "--port" in args:
            port = int(args[args.index("--port") + 1])
        tls = None
        if "--tls" in args:
            at = args.index("--tls")
            tls = (args[at + 1], args[at + 2])
        delay = 0.0
        if "--delay" in args:
            delay = float(args[args.index("--delay") + 1])
        try:
            asyncio.run(serve(args[2], port, tls, "--auth-fail" in args, delay))
        except KeyboardInterrupt:
            pass
    elif len(sys.argv) >= 2 and sys.argv[1] == "parse":
        parse(sys.argv[2:])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
