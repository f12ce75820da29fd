#!/usr/bin/env python3
"""Checks `.ics` files with libical's strict checks (RFC 5545 parsing and RFC 5546 restrictions),
through its GObject bindings (Debian: python3-gi gir1.2-ical-3.0).

    python3 tests/libical_check.py FILE...

Prints every problem libical reports (X-LIC-ERROR) and exits 1 if there is any; exits 3 if
libical's bindings are missing.
"""

import sys

try:
    import gi

    gi.require_version("ICalGLib", "3.0")
    from gi.repository import ICalGLib as ical
except (ImportError, ValueError):
    sys.stderr.write("libical's Python bindings are missing: apt-get install python3-gi gir1.2-ical-3.0\n")
    sys.exit(3)


def errors(component):
    found = []
    prop = component.get_first_property(ical.PropertyKind.XLICERROR_PROPERTY)
    while prop:
        found.append(prop.as_ical_string().replace("\r\n ", "").strip())
        prop = component.get_next_property(ical.PropertyKind.XLICERROR_PROPERTY)
    child = component.get_first_component(ical.ComponentKind.ANY_COMPONENT)
    while child:
        found.extend(errors(child))
        child = component.get_next_component(ical.ComponentKind.ANY_COMPONENT)
    return found


problems = []
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        component = ical.Component.new_from_string(f.read())
    if component is None:
        problems.append(f"{path}: libical cannot parse it")
        continue
    if not ical.restriction_check(component):
        problems.append(f"{path}: fails libical's restriction check")
    problems.extend(f"{path}: {e}" for e in errors(component))
for p in problems:
    sys.stderr.write(p + "\n")
sys.exit(1 if problems else 0)
