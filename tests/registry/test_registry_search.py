"""Search: BM25 over names, summaries, parameters and past tasks; safe query text; embeddings;
the migration that indexes each source task on its own."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skill_registry import Registry, State
from skill_registry._connection import SqliteConnection
from skill_registry._index import plan
from skill_registry._queries import canonical_json, sha256
from skill_registry.migrations import LATEST_VERSION, migrate
from skill_registry.search import content_terms, fts_query, terms_of
from tests.registry.helpers import PROVENANCE, add, pass_gates, schema_of, source_of


def promote(registry: Registry, name: str, summary: str, **kwargs: object) -> None:
    record = add(registry, name, summary=summary, **kwargs)  # type: ignore[arg-type]
    pass_gates(registry, record)
    registry.promote(name, actor="a", reason="r")


def test_search_ranks_the_skill_whose_name_and_summary_match(registry: Registry) -> None:
    promote(registry, "cancel_pending_order", "Cancel a pending order and refund it")
    promote(registry, "exchange_delivered_items", "Exchange delivered items for other variants")
    promote(registry, "update_address", "Change the shipping address of a pending order")
    hits = registry.search("exchange the delivered items of my order")
    assert hits[0].name == "exchange_delivered_items"
    assert hits[0].state is State.PROMOTED


def test_search_finds_skills_by_the_task_text_of_their_trajectories(registry: Registry) -> None:
    trajectory = {"id": "t1", "task": "My keyboard arrived broken, swap it for a new one"}
    promote(registry, "exchange_items", "Exchange items", trajectories=[trajectory])
    promote(registry, "cancel_order", "Cancel an order")
    assert registry.search("keyboard broken")[0].name == "exchange_items"


def test_a_skill_is_ranked_by_its_best_matching_past_tasks_not_by_all_its_words(
    registry: Registry,
) -> None:
    # The cancel skill's many past tasks share the query's common words ("order", "arrived");
    # the exchange skill has one past task much like the query.
    cancel_tasks = [
        {"id": f"c{i}", "task": f"Cancel my order {i}, it has not arrived and the order is late"}
        for i in range(6)
    ]
    promote(registry, "cancel_order", "Cancel an order", trajectories=cancel_tasks)
    exchange_task = {"id": "e1", "task": "The keyboard in my order arrived broken; swap it"}
    promote(registry, "exchange_items", "Exchange items", trajectories=[exchange_task])
    query = "My order arrived and the keyboard is broken, I want to swap it for a new one"
    assert [h.name for h in registry.search(query)] == ["exchange_items", "cancel_order"]


def test_native_trajectory_records_are_searched_by_their_instruction(registry: Registry) -> None:
    native = {"task_id": "n1", "instruction": "Send my parcel to the new flat instead", "steps": []}
    promote(registry, "change_address", "Change an address", trajectories=[native])
    promote(registry, "refund", "Refund an order")
    assert registry.search("parcel flat")[0].name == "change_address"


def test_past_tasks_follow_the_state_of_their_version(registry: Registry) -> None:
    trajectory = {"id": "t1", "task": "My keyboard arrived broken"}
    promote(registry, "exchange_items", "Exchange items", trajectories=[trajectory])
    assert [h.name for h in registry.search("keyboard")] == ["exchange_items"]
    registry.deprecate("exchange_items", actor="a", reason="replaced")
    assert registry.search("keyboard") == []
    assert registry.search("keyboard", states=["deprecated"])[0].name == "exchange_items"


def test_linking_new_source_trajectories_to_a_stored_version_indexes_their_tasks(
    registry: Registry,
) -> None:
    add(registry, "exchange_items", summary="Exchange items")
    assert registry.search("keyboard", states=None) == []
    add(registry, "exchange_items", summary="Exchange items",
        trajectories=[{"id": "t2", "task": "Swap the broken keyboard"}])  # fmt: skip
    assert registry.search("keyboard", states=None)[0].name == "exchange_items"


def test_a_long_query_keeps_its_content_words_past_the_term_cap() -> None:
    filler = " ".join(["the", "a", "to", "my"] * 20)
    assert content_terms(f"{filler} keyboard") == ["keyboard"]
    assert len(content_terms(" ".join(f"word{i}" for i in range(100)))) == 32


def test_a_schema_version_two_file_is_migrated_and_its_tasks_become_searchable(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v2.db"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    migrate(SqliteConnection(connection), path=str(path), target=2)
    body = canonical_json({"task_id": "n1", "instruction": "My keyboard arrived broken"})
    digest = sha256(body)
    connection.execute(
        "INSERT INTO skills (name, current_version, created_at) VALUES ('exchange_items', 1, 0)"
    )
    connection.execute(
        "INSERT INTO versions (id, skill, version, content_hash, source, schema_json, summary, "
        "docstring, tools_json, state, synthesizer, synthesizer_version, created_at) VALUES "
        "(1, 'exchange_items', 1, ?, ?, '{}', 'Exchange items', '', '[]', 'promoted', 'h', '', 0)",
        (sha256(source_of("exchange_items")), source_of("exchange_items")),
    )
    # Before migration 3, native records were stored with an empty task text.
    connection.execute(
        "INSERT INTO trajectories (digest, trajectory_id, task, body, source, created_at) "
        "VALUES (?, ?, '', ?, 'learning', 0)",
        (digest, digest[:16], body),
    )
    connection.execute(
        "INSERT INTO version_sources (version_id, position, trajectory_id, digest) "
        "VALUES (1, 0, ?, ?)",
        (digest[:16], digest),
    )
    connection.execute(
        "INSERT INTO search_index (rowid, name, summary, docstring, params, tasks, state) "
        "VALUES (1, 'exchange items exchange_items', 'Exchange items', '', '', '', 'promoted')"
    )
    connection.execute("COMMIT")
    connection.close()

    with Registry.open(path, create=True) as registry:
        assert registry.schema_version() == LATEST_VERSION
        assert registry.search("keyboard")[0].name == "exchange_items"
        assert registry.search("exchange")[0].name == "exchange_items"
        assert [t.task for t in registry.source_trajectories("exchange_items")] == [
            "My keyboard arrived broken"
        ]
    assert json.loads(body)["task_id"] == "n1"


def test_search_finds_skills_by_parameter_names(registry: Registry) -> None:
    record = registry.add_version(
        "lookup",
        source=source_of("lookup"),
        schema=schema_of("zip_code"),
        summary="Find a customer",
        provenance=PROVENANCE,
    )
    assert registry.search("zip", states=None)[0].version == record.version


def test_search_returns_only_the_requested_states(registry: Registry) -> None:
    add(registry, "draft_skill", summary="Refund an order")
    promote(registry, "promoted_skill", "Refund an order quickly")
    assert [h.name for h in registry.search("refund order")] == ["promoted_skill"]
    assert {h.name for h in registry.search("refund order", states=None)} == {
        "draft_skill",
        "promoted_skill",
    }
    assert [h.name for h in registry.search("refund order", states=["draft"])] == ["draft_skill"]


def test_search_gives_one_hit_per_skill(registry: Registry) -> None:
    add(registry, "refund", summary="Refund an order")
    add(registry, "refund", body="return {}", summary="Refund an order, second try")
    hits = registry.search("refund", states=None)
    assert [h.name for h in hits] == ["refund"]


def test_search_follows_state_changes(registry: Registry) -> None:
    promote(registry, "refund", "Refund an order")
    registry.deprecate("refund", actor="a", reason="replaced")
    assert registry.search("refund") == []
    assert registry.search("refund", states=["deprecated"])[0].name == "refund"


def test_search_blends_reliability_into_the_score(registry: Registry) -> None:
    promote(registry, "refund_a", "Refund an order")
    promote(registry, "refund_b", "Refund an order")
    for _ in range(5):
        registry.record_outcome("refund_b", version=1, success=True, duration_seconds=0.1)
    assert [h.name for h in registry.search("refund order")] == ["refund_b", "refund_a"]


def test_a_query_without_words_returns_nothing(registry: Registry) -> None:
    promote(registry, "refund", "Refund an order")
    assert registry.search('"*" - : () ') == []
    assert registry.search("refund", k=0) == []


def test_fts_syntax_in_the_query_is_neutralised() -> None:
    assert terms_of('NEAR(refund "order"*) AND OR -x: cancel_order camelCase') == [
        "near", "refund", "order", "and", "or", "x", "cancel", "camel", "case",
    ]  # fmt: skip
    assert fts_query("a", None) == '("a")'


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def searchable(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Registry]:
    location = str(tmp_path_factory.mktemp("search") / "r.db")
    if request.param == "postgresql":
        location = request.getfixturevalue("postgres_urls")()
    with Registry.open(location, create=True) as registry:
        task = {"id": "t1", "task": 'Refund my order "NEAR" (AND) -now: é*'}
        promote(registry, "refund", "Refund an order", trajectories=[task])
        yield registry


_FRAGMENTS = [*"\"'*-:()^{}[]+.,;!?~ \t\n_0", "NEAR", "AND", "OR", "NOT", "refund", "é", "order"]


@settings(max_examples=200)
@given(query=st.lists(st.sampled_from(_FRAGMENTS), max_size=20).map("".join) | st.text(max_size=40))
def test_search_never_raises_on_any_query_text(searchable: Registry, query: str) -> None:
    hits = searchable.search(query, states=None)
    assert all(hit.name == "refund" for hit in hits)


class ConceptEmbedder:
    """A tiny deterministic embedder: words map onto a few concept axes (synonyms share one)."""

    name = "concepts-v1"
    _CONCEPTS: ClassVar[dict[str, int]] = {
        "refund": 0, "reimburse": 0, "money": 0, "back": 0,
        "address": 1, "shipping": 1, "move": 1,
        "cancel": 2, "stop": 2,
    }  # fmt: skip

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors = []
        for text in texts:
            vector = [0.0, 0.0, 0.0, 0.01]
            for word in terms_of(text):
                if word in self._CONCEPTS:
                    vector[self._CONCEPTS[word]] += 1.0
            vectors.append(vector)
        return vectors


def test_an_embedder_finds_synonyms_that_bm25_misses(registry_location: str) -> None:
    with Registry.open(registry_location, embedder=ConceptEmbedder(), create=True) as registry:
        promote(registry, "refund_payment", "Refund a payment")
        promote(registry, "change_address", "Change the shipping address")
        hits = registry.search("please reimburse me")
        assert hits[0].name == "refund_payment"
        assert hits[0].score > (hits[1].score if len(hits) > 1 else 0.0)


def test_reindex_embeds_versions_stored_without_an_embedder(registry_location: str) -> None:
    with Registry.open(registry_location, create=True) as registry:
        promote(registry, "refund_payment", "Refund a payment")
    with Registry.open(registry_location, embedder=ConceptEmbedder()) as registry:
        assert registry.search("reimburse") == []
        assert registry.reindex_embeddings() == 1
        assert registry.reindex_embeddings() == 0
        assert registry.search("reimburse")[0].name == "refund_payment"


def test_a_schema_version_three_file_is_migrated_into_one_search_table(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    migrate(SqliteConnection(connection), path=str(path), target=3)
    body = canonical_json({"id": "t1", "task": "My keyboard arrived broken"})
    digest = sha256(body)
    connection.execute(
        "INSERT INTO skills (name, current_version, created_at) VALUES ('exchange_items', 1, 0)"
    )
    connection.execute(
        "INSERT INTO versions (id, skill, version, content_hash, source, schema_json, summary, "
        "docstring, tools_json, state, synthesizer, synthesizer_version, created_at) VALUES "
        "(1, 'exchange_items', 1, ?, ?, '{}', 'Exchange items', '', '[]', 'promoted', 'h', '', 0)",
        (sha256(source_of("exchange_items")), source_of("exchange_items")),
    )
    connection.execute(
        "INSERT INTO trajectories (digest, trajectory_id, task, body, source, created_at) "
        "VALUES (?, 't1', 'My keyboard arrived broken', ?, 'learning', 0)",
        (digest, body),
    )
    connection.execute(
        "INSERT INTO version_sources (version_id, position, trajectory_id, digest) "
        "VALUES (1, 0, 't1', ?)",
        (digest,),
    )
    connection.execute(
        "INSERT INTO search_index (rowid, name, summary, docstring, params, tasks, state) "
        "VALUES (1, 'exchange items exchange_items', 'Exchange items', '', '', '', 'promoted')"
    )
    connection.execute(
        "INSERT INTO search_task_docs (id, version_id, digest) VALUES (7, 1, ?)", (digest,)
    )
    connection.execute(
        "INSERT INTO search_tasks (rowid, task, state) "
        "VALUES (7, 'My keyboard arrived broken', 'promoted')"
    )
    connection.execute("COMMIT")
    connection.close()

    with Registry.open(path, create=True) as registry:
        assert registry.schema_version() == LATEST_VERSION
        assert registry.search("keyboard")[0].name == "exchange_items"
        assert registry.search("exchange")[0].name == "exchange_items"
        registry.deprecate("exchange_items", actor="a", reason="replaced")
        assert registry.search("keyboard") == []
        # Linking the same trajectory again adds no second task row.
        add(registry, "exchange_items", summary="Exchange items",
            body="return tools.get_order_details(order_id=order_id)", trajectories=[
                {"id": "t1", "task": "My keyboard arrived broken"}])  # fmt: skip
    check = sqlite3.connect(path)
    kinds = check.execute("SELECT kind, count(*) FROM search_docs GROUP BY kind").fetchall()
    check.close()
    assert sorted(kinds) == [("skill", 1), ("task", 1)]


def test_a_large_index_ranks_only_rows_holding_the_rarest_terms() -> None:
    expressions = plan(["order", "keyboard", "zebra", "broken"], [60000, 300, 0, 9000], 100000)
    assert expressions[0] == '("keyboard") AND ("order" OR "keyboard" OR "broken")'
    small = plan(["order", "keyboard"], [60, 3], 200)
    assert small == [
        '(task : ("order" OR "keyboard") OR {name summary docstring params} : '
        '("order" OR "keyboard"))'
    ]
    assert plan(["zebra"], [0], 100000) == []


def test_document_frequencies_follow_the_index_stemming(registry: Registry) -> None:
    promote(registry, "cancel_orders", "Cancel orders",
            trajectories=[{"id": "t1", "task": "Cancelling my orders"}])  # fmt: skip
    terms = ["order", "cancelled", "zebra"]
    counts = registry._db.read(lambda c: c.search.document_frequencies(c, terms))
    assert counts[0] >= 2
    assert counts[1] >= 1
    assert counts[2] == 0
