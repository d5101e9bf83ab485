"""The container's last step: Lambda sends SIGTERM to the runtime before it ends an execution environment that
has an external extension registered (the AWS Parameters and Secrets Lambda Extension the function uses is one),
and gives it a few hundred milliseconds; the Python 3.13 runtime waits for the next event in a thread, so a
handler of the main thread runs. docs/INVOKER.md ("Logs") says what of this the tests prove.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType


def on_sigterm(action: Callable[[], None]) -> None:
    """Run ``action`` when the process receives SIGTERM, then do what SIGTERM did before (by default, end the
    process). Only the main thread may set a signal handler; elsewhere (a test's worker thread) nothing is set."""
    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.getsignal(signal.SIGTERM)

    def handle(signum: int, frame: FrameType | None) -> None:
        try:
            action()
        finally:
            if callable(previous):
                previous(signum, frame)
            elif previous != signal.SIG_IGN:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.raise_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, handle)
