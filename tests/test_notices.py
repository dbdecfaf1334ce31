"""endolab.notices: one notice type; collected per thread/task, warned only outside a block."""

from __future__ import annotations

import pickle
import threading
import warnings

import pytest

from endolab.errors import EndolabWarning
from endolab.hcg import Notice as HcgNotice
from endolab.notices import Notice, collect, echo, emit, unique


def test_hcg_shares_the_notice_type() -> None:
    assert HcgNotice is Notice


def test_outside_a_block_a_notice_is_a_warning_carrying_it() -> None:
    n = Notice("W_X", "W", "something to see", field="gl")
    with pytest.warns(EndolabWarning, match="something to see") as record:
        emit(n)
    assert record[0].message.notice == n  # type: ignore[union-attr]


def test_inside_a_block_nothing_is_warned_and_blocks_nest() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with collect() as outer:
            emit(Notice("W_A", "W", "a"))
            with collect() as inner:
                emit(Notice("W_B", "W", "b"))
            echo(inner)  # re-emitted: into the enclosing block
    assert [n.code for n in inner] == ["W_B"]
    assert [n.code for n in outer] == ["W_A", "W_B"]


def test_blocks_of_threads_are_their_own() -> None:
    # Eight threads emit while all their blocks are open at once (a barrier holds them):
    # each block holds exactly its own thread's notices. warnings.catch_warnings would mix them.
    k = 8
    barrier = threading.Barrier(k)
    got: dict[int, list[str]] = {}

    def work(i: int) -> None:
        with collect() as found:
            barrier.wait()
            for j in range(50):
                emit(Notice("W_T", "W", f"{i}/{j}"))
            barrier.wait()
        got[i] = [n.message for n in found]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(k)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == {i: [f"{i}/{j}" for j in range(50)] for i in range(k)}


def test_unique_keeps_order_and_pickle_keeps_data() -> None:
    a = Notice("W_A", "W", "a", data={"n": 3})
    assert unique([a, Notice("W_B", "I", "b"), Notice("W_A", "W", "a")]) == (
        a,
        Notice("W_B", "I", "b"),
    )
    back = pickle.loads(pickle.dumps(a))
    assert back == a and dict(back.data) == {"n": 3}
    assert a.as_dict() == {"code": "W_A", "severity": "W", "message": "a"}
