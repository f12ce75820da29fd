#!/usr/bin/env python3
"""The team feed of `rota export`, written with Python's icalendar library, for comparison.

    rota plan --from 2027-01-01 --to 2028-01-01 --format json > plan.json
    python3 benches/py_team_feed.py plan.json team.ics

Reads the plan, builds one calendar with an event per shift the way rota's team.ics has them
(UID from rotation and slot, fixed DTSTAMP, UTC times, summary, a description naming who hands
over before and after, TRANSP, a day-ahead alarm), and writes it. Only building and writing
are timed; the last line printed is `feed_seconds=<s> peak_rss_kb=<kb>`.
"""

import datetime as dt
import json
import resource
import sys
import time

import icalendar


def main(plan_path, out_path):
    with open(plan_path, encoding="utf-8") as f:
        plan = json.load(f)
    shifts = plan["shifts"]
    team = "Example Org"

    started = time.perf_counter()
    by_rotation = {}
    for i, shift in enumerate(shifts):
        by_rotation.setdefault(shift["rotation"], []).append(i)
    before, after = {}, {}
    for indices in by_rotation.values():
        for prev, nxt in zip(indices, indices[1:]):
            after[prev] = nxt
            before[nxt] = prev

    stamp = dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc)
    cal = icalendar.Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", "-//rota comparison//python icalendar//EN")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{team} rota")
    for i, shift in enumerate(shifts):
        start = dt.datetime.fromisoformat(shift["start"]).astimezone(dt.timezone.utc)
        end = dt.datetime.fromisoformat(shift["end"]).astimezone(dt.timezone.utc)
        who = shift["name"] or "UNASSIGNED"
        summary = f"{who} — {shift['rotation']}"
        lines = [
            f"Rotation: {shift['rotation']} ({team})",
            f"On duty: {shift['name'] or 'nobody'} ({start:%a %d %b %H:%M} – {end:%a %d %b %H:%M} UTC)",
        ]
        if shift["override"]:
            lines.append("This is an override: a one-off swap for this time only.")
        prev = shifts[before[i]] if i in before else None
        nxt = shifts[after[i]] if i in after else None
        lines.append(f"Before: {prev['name']}, until {prev['end']}" if prev else "Before: nobody")
        lines.append(f"After: {nxt['name']}, from {nxt['start']}" if nxt else "After: nobody")

        event = icalendar.Event()
        event.add("uid", f"{start:%Y-%m-%d}-{shift['rotation']}@example-org.rota")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("summary", summary)
        event.add("description", "\n".join(lines))
        event.add("transp", "TRANSPARENT")
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", dt.timedelta(days=-1))
        alarm.add("description", f"Tomorrow: {summary}")
        event.add_component(alarm)
        cal.add_component(event)
    with open(out_path, "wb") as f:
        f.write(cal.to_ical())
    seconds = time.perf_counter() - started

    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{len(shifts)} events")
    print(f"feed_seconds={seconds:.2f} peak_rss_kb={peak_kb}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: py_team_feed.py PLAN.json OUT.ics")
    main(sys.argv[1], sys.argv[2])
