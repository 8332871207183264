"""History: the append-only record of what happened, queried and stored as JSON."""
from __future__ import annotations

import pytest

from orchestra import Clock, History, Record
from orchestra import history as h
from orchestra.shop import ChargePayment, ReserveStock, build_world


@pytest.fixture
def red_dress_history():
    """Two orders through a queued shop: ada's red dress, and bob's, whose charge fails."""
    world = build_world("queued", seed=3)
    world.send(ReserveStock(order_id="order-ada", sku="red-dress"), correlation_id="order-ada")
    world.send(ChargePayment(order_id="order-bob", customer="bob", amount_cents=-1),
               correlation_id="order-bob")
    world.run()
    return world.history


def test_records_are_stamped_with_virtual_time_and_numbered_in_order():
    clock = Clock()
    history = History(clock)
    history.append(h.SENT, correlation_id="order-1")
    clock.call_at(2.5, lambda: history.append(h.DELIVERED, correlation_id="order-1"))
    clock.run()
    assert [(r.seq, r.time, r.kind) for r in history] == [(0, 0.0, "sent"),
                                                          (1, 2.5, "delivered")]
    assert len(history) == 2 and history[-1].kind == "delivered"


def test_an_unknown_kind_is_refused_naming_the_kinds_there_are():
    with pytest.raises(ValueError, match="unknown history kind 'shipped'.*delivered"):
        History().append("shipped")


def test_records_cannot_be_edited():
    record = History().append(h.SENT)
    with pytest.raises(AttributeError):
        record.kind = "lost"
    with pytest.raises(TypeError):
        record[2] = "lost"


def test_for_instance_gives_one_orders_story_in_order(red_dress_history):
    story = red_dress_history.for_instance("order-ada")
    assert story and all(r.correlation_id == "order-ada" for r in story)
    assert [r.seq for r in story] == sorted(r.seq for r in story)
    assert [r.kind for r in story][:3] == ["sent", "enqueued", "delivered"]
    assert "replied" in [r.kind for r in story]
    assert red_dress_history.for_instance("order-nobody") == []


def test_instances_lists_each_order_once_in_order_of_appearance(red_dress_history):
    assert red_dress_history.instances == ["order-ada", "order-bob"]


def test_for_service_gives_what_a_service_sent_or_received(red_dress_history):
    payment = red_dress_history.for_service("payment")
    assert payment and all("payment" in (r.sender, r.receiver) for r in payment)
    assert {r.correlation_id for r in payment} == {"order-bob"}


def test_of_kind_and_where_filter_the_records(red_dress_history):
    replies = red_dress_history.of_kind(h.REPLIED)
    assert [r.detail["ok"] for r in replies] == [True, False]
    failed = red_dress_history.where(kind="failed", receiver="payment")
    assert len(failed) == 1 and failed[0].detail["rejected"] is True
    assert red_dress_history.of_kind(h.SENT, h.REPLIED) == [
        r for r in red_dress_history if r.kind in ("sent", "replied")]


def test_where_on_a_field_records_lack_says_which_fields_they_have(red_dress_history):
    with pytest.raises(ValueError, match="no field.*customer.*correlation_id"):
        red_dress_history.where(customer="ada")


def test_a_history_read_back_from_json_is_the_same_history(red_dress_history):
    text = red_dress_history.to_json()
    back = History.from_json(text)
    assert list(back) == list(red_dress_history)
    assert back.to_json() == text
    assert back.instances == red_dress_history.instances
    assert back.for_instance("order-bob") == red_dress_history.for_instance("order-bob")


@pytest.mark.parametrize("garbage", ["not json at all", "42", "null", '{"kind": "sent"}',
                                     "[1, 2]", '[{"seq": 0}]', '[{"seq": 0, "time": 0, '
                                     '"kind": "sent", "colour": "red"}]'])
def test_reading_something_that_is_not_a_history_says_what_to_pass(garbage):
    with pytest.raises(ValueError, match="pass the text that to_json returned"):
        History.from_json(garbage)


def test_a_history_without_a_clock_records_time_zero():
    assert History().append(h.STATE).time == 0.0
    assert isinstance(History().append(h.STATE), Record)


def test_a_history_with_a_kind_orchestra_never_writes_is_refused():
    import pytest
    from orchestra import History
    text = '[{"seq": 0, "time": 0.0, "kind": "teleported"}]'
    with pytest.raises(ValueError, match="not a history written by History.to_json"):
        History.from_json(text)


# -- thousands of records: kept in chunks, and forgotten under a limit ------------------------
def a_long_history(records: int, limit=None) -> History:
    """Orders o-0, o-1, ... each with three records (sent, delivered, replied), in turn."""
    history = History(limit=limit)
    for i in range(records):
        order = f"o-{i // 3}"
        history.append((h.SENT, h.DELIVERED, h.REPLIED)[i % 3], correlation_id=order,
                       detail={"step": i, "result": {"parcel": f"P-{i}"}, "items": ["red-dress"]})
    return history


def test_a_history_longer_than_a_chunk_reads_back_every_record_in_order():
    history = a_long_history(2_500)  # two full chunks of 1,024 and a tail
    assert len(history) == 2_500
    assert [r.seq for r in history] == list(range(2_500))
    assert history[1_500].detail == {"step": 1_500, "result": {"parcel": "P-1500"},
                                     "items": ["red-dress"]}
    assert history[-1].seq == 2_499 and [r.seq for r in history[1_023:1_026]] == [1_023, 1_024, 1_025]
    assert [r.kind for r in history.for_instance("o-400")] == ["sent", "delivered", "replied"]
    assert History.from_json(history.to_json()).to_json() == history.to_json()


def test_reading_a_record_gives_a_fresh_detail_that_cannot_change_the_history():
    history = a_long_history(3)
    history[0].detail["result"]["parcel"] = "stolen"
    assert history[0].detail["result"] == {"parcel": "P-0"}


def test_a_history_with_a_limit_keeps_the_latest_records_and_forgets_whole_orders():
    history = a_long_history(10_000, limit=3_000)
    assert 3_000 <= len(history) < 3_000 + 1_024
    assert history.dropped + len(history) == 10_000
    assert history[0].seq == history.dropped and history[-1].seq == 9_999
    assert history.for_instance("o-3333") == [r for r in history if r.correlation_id == "o-3333"]
    assert history.for_instance("o-0") == [] and "o-0" not in history.instances
    assert len(history.instances) * 3 >= len(history)  # no index left for forgotten orders


def test_a_limit_must_be_a_positive_number_of_records():
    with pytest.raises(ValueError, match="limit=0.*None keeps every record"):
        History(limit=0)


def test_the_index_built_before_old_records_are_forgotten_stays_right_after():
    history = a_long_history(2_000, limit=3_000)
    assert len(history.for_instance("o-100")) == 3  # builds the index of the first 2,000
    for i in range(2_000, 10_000):
        history.append(h.SENT, correlation_id=f"o-{i // 3}", detail={"step": i})
    assert history.for_instance("o-100") == [] and "o-100" not in history.instances
    assert [r.seq for r in history.for_instance("o-3000")] == [9_000, 9_001, 9_002]
