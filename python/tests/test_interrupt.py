"""Ctrl-C during a long simulation raises KeyboardInterrupt within a second."""

import os
import signal
import threading
import time

import prism


def test_keyboard_interrupt_stops_a_long_simulation():
    # About a minute of work on two cores; interrupted after 0.5 s.
    kw = dict(p=300, H=150, sigma2=1 / 300, N=600, t_max=2000.0, record=10, seeds=4, mode="physical")
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    try:
        prism.simulate(**kw)
    except KeyboardInterrupt:
        elapsed = time.monotonic() - start
    else:  # pragma: no cover - the test fails
        raise AssertionError("the simulation was not interrupted")
    finally:
        timer.cancel()
    assert elapsed < 0.5 + 1.0, elapsed
    # The package still works afterwards.
    r = prism.simulate(20, 10, 0.05, t_max=0.5, seeds=2, record=2)
    assert r["t"].tolist() == [0.0, 0.25, 0.5]
