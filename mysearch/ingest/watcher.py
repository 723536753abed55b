"""Watch the indexed folders with watchdog and report changed paths, never losing one.

Only the event types we act on are subscribed (``event_filter``: without it a big tree overflowed the
inotify queue at start). Running out of inotify watches is silent on Linux, so the number
of folders is checked against the limit before watching; a tree that does not fit is rescanned
periodically instead, and the user is told which.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

INOTIFY_LIMIT = "/proc/sys/fs/inotify/max_user_watches"


def watch_limit(override: int = 0) -> int | None:
    """How many folders may be watched; None where the platform sets no such limit."""
    if override > 0:
        return override
    if not sys.platform.startswith("linux"):
        return None
    try:
        with open(INOTIFY_LIMIT) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def count_folders(root: str, stop_at: int) -> int:
    """Folders under root (watchdog watches every one, ignored or not), counting up to ``stop_at``."""
    n = 0
    for _dirpath, dirnames, _ in os.walk(root, followlinks=False):
        n += 1
        if n > stop_at:
            break
        dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(_dirpath, d))]
    return n


@dataclass
class WatchPlan:
    watched: list[str] = field(default_factory=list)
    polled: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)


class FolderWatcher:
    def __init__(self, on_paths: Callable[[list[str]], None], max_watches: int = 0) -> None:
        self.on_paths = on_paths
        self.max_watches = max_watches
        self.plan = WatchPlan()
        self._observer = None

    def start(self, roots: list[str]) -> WatchPlan:
        from watchdog.events import (
            DirCreatedEvent,
            DirDeletedEvent,
            DirMovedEvent,
            FileClosedEvent,
            FileCreatedEvent,
            FileDeletedEvent,
            FileModifiedEvent,
            FileMovedEvent,
            FileSystemEventHandler,
        )
        from watchdog.observers import Observer

        wanted = [
            FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent, FileClosedEvent,
            DirCreatedEvent, DirDeletedEvent, DirMovedEvent,
        ]
        report = self.on_paths

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event) -> None:
                changed = [os.fsdecode(event.src_path)]
                if getattr(event, "dest_path", None):
                    changed.append(os.fsdecode(event.dest_path))
                report(changed)

        self.stop()
        plan = WatchPlan()
        budget = watch_limit(self.max_watches)
        observer = Observer()
        handler = Handler()
        for root in roots:
            if not os.path.exists(root):
                continue
            folder = root if os.path.isdir(root) else os.path.dirname(root)
            recursive = os.path.isdir(root)
            need = count_folders(folder, (budget or 0) + 1) if (recursive and budget) else 1
            if budget is not None and need > budget:
                plan.polled.append(root)
                plan.reasons[root] = (
                    f"{need}+ folders exceed the system's watch limit ({budget}); rescanned periodically instead"
                )
                log.warning("%s: %s", root, plan.reasons[root])
                continue
            try:
                observer.schedule(handler, folder, recursive=recursive, event_filter=wanted)
            except OSError as exc:  # ENOSPC: out of watches after all
                plan.polled.append(root)
                plan.reasons[root] = f"cannot watch ({exc.strerror or exc}); rescanned periodically instead"
                log.warning("%s: %s", root, plan.reasons[root])
                continue
            plan.watched.append(root)
            if budget is not None:
                budget -= need
        observer.daemon = True
        observer.start()
        self._observer = observer
        self.plan = plan
        return plan

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(5)
            self._observer = None
