"""Drives the CalDAV endpoint with Python's `caldav` library (Debian's python3-caldav), a client nobody
here wrote, for test/caldav-clients.e2e-spec.ts. Reads {url, user, password, list, step, token?} as
JSON on stdin, prints what it saw as JSON on stdout.

- step "main": discovery (principal, calendar home, calendars), create, edit, complete, the pending
  and all todos, a stale If-Match (412), delete, and the collection's sync token.
- step "sync": the changes after `token` (sync-collection), with their iCalendar data.
"""
import json
import sys

import caldav

cfg = json.load(sys.stdin)
client = caldav.DAVClient(url=cfg["url"], username=cfg["user"], password=cfg["password"])
principal = client.principal()
calendars = principal.calendars()
out = {"principal": str(principal.url), "calendars": sorted(c.name or "" for c in calendars)}
calendar = next(c for c in calendars if c.name == cfg["list"])


def ics(uid, summary, extra=""):
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//python3-caldav spec//EN\r\n"
        f"BEGIN:VTODO\r\nUID:{uid}\r\nDTSTAMP:20261206T120000Z\r\nSUMMARY:{summary}\r\n{extra}"
        "END:VTODO\r\nEND:VCALENDAR\r\n"
    )


def summaries(todos):
    return sorted(str(t.icalendar_component["SUMMARY"]) for t in todos)


if cfg["step"] == "main":
    todo = calendar.save_todo(ics("py-1", "Written by python", "PRIORITY:1\r\nX-PY-PROP:mine\r\n"))
    out["created"] = str(todo.url)
    # Edit: change the summary in the client's own copy and save it back (PUT).
    todo.load()
    todo.icalendar_component["SUMMARY"] = "Edited by python"
    todo.save()
    # Complete: the library sets STATUS and COMPLETED and saves.
    other = calendar.save_todo(ics("py-2", "To be completed"))
    other.load()
    other.complete()
    out["pending"] = summaries(calendar.todos())
    out["all"] = summaries(calendar.todos(include_completed=True))
    todo.load()
    out["edited_data"] = todo.data
    # A write with a stale If-Match is refused: 412.
    stale = client.put(str(todo.url), todo.data, {"If-Match": '"1"', "Content-Type": "text/calendar"})
    out["stale_status"] = stale.status
    gone = calendar.save_todo(ics("py-3", "To be deleted"))
    gone.delete()
    out["after_delete"] = summaries(calendar.todos(include_completed=True))
    sync = calendar.objects_by_sync_token(load_objects=False)
    out["token"] = sync.sync_token
    out["synced"] = sorted(str(o.url) for o in sync)
elif cfg["step"] == "sync":
    sync = calendar.objects_by_sync_token(sync_token=cfg["token"], load_objects=True)
    out["changed"] = [{"url": str(o.url), "data": o.data} for o in sync]
    out["token"] = sync.sync_token

print(json.dumps(out))
