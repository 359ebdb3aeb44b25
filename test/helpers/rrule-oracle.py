"""The recurrence oracle: python-dateutil's rrule + zoneinfo, an implementation independent of ours.

Reads one JSON array of cases on stdin and writes one JSON array of answers on stdout, in order:
case  {"zone", "rule", "start_ms", "n", "end_ms", "probe_ms"}
answer {"occurrences": [epoch ms, ...], "after_probe": epoch ms | null}
- occurrences: the first `n` occurrences of RRULE `rule` with DTSTART at `start_ms` in `zone`
  (its local wall-clock time), before `end_ms`;
- after_probe: the first occurrence strictly after `probe_ms` (or null).
dateutil combines each local date with DTSTART's local time and the zone (fold=0): zoneinfo then
reads a time in a spring-forward gap with the offset before the gap (02:30 -> 03:30), and a
repeated time as its first instant, which is what the contract asks for.
"""
import json
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

zones = {}
rules = {}


def ms(dt):
    return round(dt.timestamp() * 1000)


def answer(case):
    zone = zones.setdefault(case["zone"], ZoneInfo(case["zone"]))
    start = datetime.fromtimestamp(case["start_ms"] / 1000, tz=zone).replace(fold=0)
    # The rule text is parsed once; each series is that rule with its own DTSTART.
    parsed = rules.get(case["rule"])
    if parsed is None:
        parsed = rules[case["rule"]] = rrulestr(case["rule"], dtstart=start)
    rule = parsed.replace(dtstart=start)
    n, end, probe = case["n"], case["end_ms"], case["probe_ms"]
    occurrences = []
    after_probe = None
    for occurrence in rule:
        t = ms(occurrence)
        if len(occurrences) < n and t < end:
            occurrences.append(t)
        if after_probe is None and t > probe:
            after_probe = t
        if after_probe is not None and (len(occurrences) == n or t >= end):
            break
    return {"occurrences": occurrences, "after_probe": after_probe}


def main():
    cases = json.load(sys.stdin)
    json.dump([answer(case) for case in cases], sys.stdout)


main()
