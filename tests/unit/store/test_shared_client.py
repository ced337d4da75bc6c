"""Every table and the transactions talk through one botocore client (chalicelib/store/connection.py):
a botocore session per table cost ~0.18 s of CPU each on a Lambda's first requests."""
import threading

from chalicelib.store import connection
from chalicelib.store.registry import ALL_MODELS
from chalicelib.store.transactions import _conn


def test_all_tables_and_transactions_share_one_client(aws):
    clients = {id(model._get_connection().connection.client) for model in ALL_MODELS}
    clients.add(id(_conn().client))
    assert len(ALL_MODELS) >= 20 and len(clients) == 1


def test_concurrent_first_uses_build_one_connection(monkeypatch, aws):
    monkeypatch.setattr(connection, "_connection", None)
    built, start = [], threading.Barrier(8)

    def first_use():
        start.wait()
        built.append(connection.shared())

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(c) for c in built}) == 1 and len({id(c.client) for c in built}) == 1
