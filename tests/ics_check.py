#!/usr/bin/env python3
"""Checks `rota export` output with an independent iCalendar parser (the `icalendar` package).

    python3 tests/ics_check.py DIR PLAN_JSON [--person ID]... [--rotation NAME]...

PLAN_JSON is `rota plan --format json` for the same period. Every `.ics` file in DIR is read
as raw bytes (CRLF, 75-octet lines) and parsed; team.ics must hold the plan's shifts event for
event, rotation-NAME.ics exactly that rotation's and person-ID.ics exactly that person's.
Shifts that started before the period and run into it are in the feeds too (the plan lists
the shifts that start in it). Given --person/--rotation, DIR must hold exactly the files for
them and team.ics.

Alarms (--alarms person|all|none, --before-hours H): only the feeds that the setting names
carry alarms, each a DISPLAY alarm H hours ahead of its event's start, at most one an event.

Prints the parsed events as JSON ({file: [{uid, start, end, summary, description, sequence,
dtstamp, last_modified, alarms}]}) on stdout; prints every problem on stderr and exits 1 if
there is any.
"""

import argparse
import datetime as dt
import json
import os
import sys

try:
    import icalendar
except ImportError:
    sys.stderr.write(
        "the Python package `icalendar` is missing: run `pip install icalendar` "
        "(.ci/run installs it)\n"
    )
    sys.exit(3)

UTC = dt.timezone.utc
problems = []
ALARMS = "person"
BEFORE_HOURS = 24


def rings(name):
    """Whether the feed `name` may carry alarms under the --alarms setting."""
    if ALARMS == "all":
        return True
    return ALARMS == "person" and name.startswith("person-")


def problem(text):
    problems.append(text)


def check_lines(name, raw):
    """RFC 5545 section 3.1: CRLF-terminated lines of at most 75 octets, UTF-8."""
    if not raw.endswith(b"\r\n"):
        problem(f"{name}: does not end with CRLF")
    for number, line in enumerate(raw.split(b"\r\n")[:-1], start=1):
        if b"\n" in line or b"\r" in line:
            problem(f"{name}:{number}: bare LF or CR inside a line")
        if len(line) > 75:
            problem(f"{name}:{number}: {len(line)} octets, more than 75")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            problem(f"{name}:{number}: not UTF-8, or a character split by folding")


def utc_instant(component, key, name):
    prop = component.get(key)
    if prop is None:
        problem(f"{name}: an event has no {key}")
        return None
    raw = prop.to_ical().decode()
    value = component.decoded(key)
    if not isinstance(value, dt.datetime) or not raw.endswith("Z"):
        problem(f"{name}: {key}:{raw} is not a UTC date-time")
        return None
    return value.astimezone(UTC)


def read_feed(name, raw):
    check_lines(name, raw)
    try:
        cal = icalendar.Calendar.from_ical(raw)
    except Exception as e:  # noqa: BLE001 - any parse failure is the finding
        problem(f"{name}: does not parse: {e}")
        return []
    if cal.name != "VCALENDAR":
        problem(f"{name}: top component is {cal.name}")
    for key, want in (("VERSION", "2.0"), ("PRODID", None), ("X-WR-CALNAME", None)):
        got = cal.get(key)
        if got is None or (want is not None and str(got) != want):
            problem(f"{name}: calendar property {key} is {got!r}")
    if cal.get("METHOD") is not None:
        problem(f"{name}: METHOD without ORGANIZER (RFC 5546)")
    events = []
    for event in cal.walk("VEVENT"):
        start = utc_instant(event, "DTSTART", name)
        end = utc_instant(event, "DTEND", name)
        uid = str(event.get("UID", ""))
        if not uid or not uid.isascii():
            problem(f"{name}: event UID {uid!r} is missing or not ASCII")
        if event.get("DTSTAMP") is None:
            problem(f"{name}: event {uid} has no DTSTAMP")
        if str(event.get("TRANSP", "")) != "TRANSPARENT":
            problem(f"{name}: event {uid} is not TRANSP:TRANSPARENT")
        alarms = event.walk("VALARM")
        if len(alarms) > (1 if rings(name) else 0):
            problem(f"{name}: event {uid} has {len(alarms)} alarms")
        for alarm in alarms:
            if str(alarm.get("ACTION")) != "DISPLAY" or not alarm.get("DESCRIPTION"):
                problem(f"{name}: event {uid}: alarm is not a DISPLAY with a DESCRIPTION")
            if alarm.decoded("TRIGGER") != dt.timedelta(hours=-BEFORE_HOURS):
                problem(f"{name}: event {uid}: alarm trigger is {alarm.decoded('TRIGGER')}")
        stamp = utc_instant(event, "DTSTAMP", name)
        modified = utc_instant(event, "LAST-MODIFIED", name)
        if stamp and modified and stamp != modified:
            problem(f"{name}: event {uid}: LAST-MODIFIED differs from DTSTAMP")
        events.append(
            {
                "uid": uid,
                "start": start.strftime("%Y-%m-%dT%H:%M:%SZ") if start else None,
                "end": end.strftime("%Y-%m-%dT%H:%M:%SZ") if end else None,
                "summary": str(event.get("SUMMARY", "")),
                "description": str(event.get("DESCRIPTION", "")),
                "sequence": int(event.get("SEQUENCE", 0)),
                "dtstamp": stamp.strftime("%Y-%m-%dT%H:%M:%SZ") if stamp else None,
                "last_modified": modified.strftime("%Y-%m-%dT%H:%M:%SZ") if modified else None,
                "alarms": len(alarms),
            }
        )
    uids = [e["uid"] for e in events]
    if len(set(uids)) != len(uids):
        problem(f"{name}: duplicate UIDs")
    return events


def expected(plan):
    out = []
    for s in plan["shifts"]:
        start = dt.datetime.fromisoformat(s["start"]).astimezone(UTC)
        end = dt.datetime.fromisoformat(s["end"]).astimezone(UTC)
        who = s["name"] if s["person"] is not None else "UNASSIGNED"
        out.append(
            {
                "rotation": s["rotation"],
                "person": s["person"],
                "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "end": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "summary": f"{who} — {s['rotation']}",
            }
        )
    return out


def compare(name, got, want, period_from):
    strip = lambda e: (e["start"], e["end"], e["summary"])  # noqa: E731
    # Shifts running at the start of the period are in the feed but not in the plan.
    got = [e for e in got if e["start"] >= period_from or e["end"] <= period_from]
    got_keys = [strip(e) for e in got]
    want_keys = [strip(e) for e in want]
    if got_keys != want_keys:
        missing = [k for k in want_keys if k not in got_keys]
        extra = [k for k in got_keys if k not in want_keys]
        problem(
            f"{name}: {len(got_keys)} events, plan has {len(want_keys)}; "
            f"missing {missing[:3]}, extra {extra[:3]}"
            + ("" if missing or extra else " (order differs)")
        )


def main():
    args = argparse.ArgumentParser()
    args.add_argument("dir")
    args.add_argument("plan")
    args.add_argument("--person", action="append", default=[])
    args.add_argument("--rotation", action="append", default=[])
    args.add_argument("--alarms", default="person", choices=["person", "all", "none"])
    args.add_argument("--before-hours", type=float, default=24)
    args = args.parse_args()
    global ALARMS, BEFORE_HOURS
    ALARMS, BEFORE_HOURS = args.alarms, args.before_hours

    with open(args.plan, encoding="utf-8") as f:
        raw_plan = json.load(f)
    plan = expected(raw_plan)
    period_from = (
        dt.datetime.fromisoformat(raw_plan["from"]).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    names = sorted(n for n in os.listdir(args.dir) if n.endswith(".ics"))
    feeds = {}
    for name in names:
        with open(os.path.join(args.dir, name), "rb") as f:
            feeds[name] = read_feed(name, f.read())

    if args.person or args.rotation:
        want_files = {"team.ics"}
        want_files |= {f"rotation-{r}.ics" for r in args.rotation}
        want_files |= {f"person-{p}.ics" for p in args.person}
        if set(names) != want_files:
            problem(f"files {sorted(set(names) ^ want_files)} are missing or unexpected")

    by_uid = {}
    for name, events in feeds.items():
        if name == "team.ics":
            # Rotation by rotation (the order rota writes them in), each in plan order.
            first_seen = {}
            for event in events:
                rotation = event["summary"].rsplit(" — ", 1)[-1]
                first_seen.setdefault(rotation, len(first_seen))
            want = sorted(plan, key=lambda s: first_seen.get(s["rotation"], len(first_seen)))
        elif name.startswith("rotation-"):
            rotation = name[len("rotation-") : -len(".ics")]
            want = [s for s in plan if s["rotation"] == rotation]
        elif name.startswith("person-"):
            person = name[len("person-") : -len(".ics")]
            want = [s for s in plan if s["person"] == person]
        else:
            continue
        compare(name, events, want, period_from)
        for event in events:
            same = {k: v for k, v in event.items() if k != "alarms"}
            seen = by_uid.setdefault(event["uid"], same)
            if seen != same:
                problem(f"{name}: event {event['uid']} differs from the same UID elsewhere")

    json.dump(feeds, sys.stdout, ensure_ascii=False, indent=1)
    for p in problems:
        sys.stderr.write(p + "\n")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
