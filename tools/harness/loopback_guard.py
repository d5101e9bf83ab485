"""Refuses, in the process that runs it, every connection and name lookup that would leave this machine.

What proves that `make try` (and any other use of the stand-ins) reaches nothing but loopback: with
``LOOPBACK_GUARD_LOG`` set to a file, :func:`install_from_environment` (standard library only, so a bundle's
isolated container can run this file with ``runpy.run_path``) adds an audit hook that fails ``socket.connect``,
``sendto`` and the name lookups for any host that is not a loopback address or name, and appends one line per
refusal to that file, so a refusal the code under test swallows is still seen. The harness's containers run it when the
variable is set (:mod:`tools.harness.container` passes the variable on); other processes run it from a
``sitecustomize`` on ``PYTHONPATH`` (tests/e2e/test_try_scvctl.py).
"""

import ipaddress
import os
import sys

#: the file that collects refusals; the guard is active in a process where this variable is set
LOG_VARIABLE = "LOOPBACK_GUARD_LOG"
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
#: audit events whose first argument is a host, and those whose second is an address tuple
_LOOKUPS = frozenset({"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr"})
_CONNECTIONS = frozenset({"socket.connect", "socket.sendto", "socket.sendmsg"})


def _host(event, args):
    if event in _LOOKUPS:
        return args[0]
    if event in _CONNECTIONS:
        address = args[1] if event != "socket.sendmsg" else args[-1]
        return address[0] if isinstance(address, tuple) else None  # a Unix socket's path stays on the machine
    return None


def _is_loopback(host):
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    text = str(host).strip("[]").split("%")[0].lower()
    if text in ("", *_LOOPBACK_NAMES):  # "": a passive (bind) lookup
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def install(log_path):
    def refuse_outside_loopback(event, args):
        host = _host(event, args)
        if host is None or _is_loopback(host):
            return
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(f"{event} {host}\n")
        raise ConnectionRefusedError(f"loopback guard: {event} of {host!r} would leave this machine")

    sys.addaudithook(refuse_outside_loopback)


def install_from_environment():
    """Install the guard if ``LOOPBACK_GUARD_LOG`` names a log file (run as ``runpy.run_path(...)[name]()``)."""
    if os.environ.get(LOG_VARIABLE):
        install(os.environ[LOG_VARIABLE])
