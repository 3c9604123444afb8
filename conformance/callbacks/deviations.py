"""What reproduces each callback deviation of langchain_core and of langchain_js (LangChain.js
over the wire, async lane only): a callback program or a probe.

Read by :mod:`conformance.transcripts.record_deviations`, which records the observations
into ``conformance/transcripts/deviations/<implementation>/<RULE-ID>.json``. A program
(:mod:`conformance.callbacks.programs`, built with the golden transcripts' builders) is
used wherever one shows the deviation; the probes (:mod:`conformance.callbacks.probes`,
:mod:`conformance.callbacks.manager_probes`) cover what a program cannot express.
Each definition gives the lanes, and a program or a probe; a rule with several manifest
entries has a list, one definition per entry.
"""

from __future__ import annotations

from typing import Any

from conformance.callbacks.scenarios import call, error, node, program

BOTH = ["sync", "async"]
GROUP_RUN_ID = "00000000-0000-4000-8000-0000000000a1"
# An explicit id labels the run even when its start raises (no run manager comes back).
CHAIN = node("chain", "c", run_id="00000000-0000-4000-8000-0000000000c1")


def with_program(lanes: list[str], prog: dict[str, Any]) -> dict[str, Any]:
    return {"lanes": lanes, "program": prog}


def with_probe(lanes: list[str], name: str, /, **args: Any) -> dict[str, Any]:
    return {"lanes": lanes, "probe": {"name": name, "args": args}}


def chat_model(*tokens: str) -> dict[str, Any]:
    return node("chat_model", "chat", *({"token": t} for t in tokens))


def group(*steps: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return node("group", "g", *steps, **fields)


INNER = call(node("chain", "inner"))
STRICT_ASYNC = {"strict": {"async": True, "raise_error": True, "fail_on": ["on_chain_start"]}}
INLINE_AND_PLAIN = {"inline": {"run_inline": True}, "plain": {}}

#: langchain_core: rule -> lanes plus a minimal program or a probe that shows the deviation.
LANGCHAIN_CORE: dict[str, dict[str, Any]] = {
    "CB-SCOPE-4": with_program(BOTH, program(node("chain", "c"), {"h": {}}, ["h", "h"])),
    "CB-CUSTOM-3": with_probe(BOTH, "custom_event_extra_keyword", handlers=0),
    "CB-DISP-1": with_probe(["sync"], "dispatch_order", handlers=["sync", "async", "sync"]),
    "CB-DISP-2": with_program(["async"], program(node("llm", "model"), INLINE_AND_PLAIN,
                                                  ["inline", "plain"])),
    "CB-DISP-3": with_program(["sync"], program(CHAIN, STRICT_ASYNC, ["strict"])),
    "CB-IGN-3": with_program(BOTH, program(chat_model("tok"),
                                           {"no_chat": {"ignore": ["chat_model"]}},
                                           ["no_chat"])),
    "CB-IGN-7": with_program(BOTH, program(chat_model("tok"), {"no_llm": {"ignore": ["llm"]}},
                                           ["no_llm"])),
    "CB-PAIR-1": with_program(BOTH, program(chat_model(), {"no_llm": {"ignore": ["llm"]}},
                                            ["no_llm"])),
    "CB-PAIR-2": with_program(BOTH, program(chat_model(),
                                            {"no_chat": {"ignore": ["chat_model"]}},
                                            ["no_chat"])),
    "CB-GROUP-1": with_program(["sync"], program(group(INNER), {"req": {}}, ["req"])),
    "CB-GROUP-2": with_program(["sync"], program(group(), {"req": {}}, ["req"])),
    "CB-GROUP-3": with_program(["sync"], program(
        group(call(node("chain", "inner", error("ValueError", "inside the group")))),
        {"req": {}}, ["req"])),
    "CB-GROUP-4": with_program(["sync"], program(
        group(INNER, tags=["grouped"], metadata={"group": 1}, run_id=GROUP_RUN_ID),
        {"req": {}}, ["req"])),
    "CB-GROUP-5": with_program(["async"], program(group(INNER), {"req": {}}, ["req"])),
    "CB-PARITY-1": with_program(BOTH, program(node("llm", "model"), INLINE_AND_PLAIN,
                                              ["inline", "plain"])),
    "CB-PARITY-2": with_program(BOTH, program(CHAIN, STRICT_ASYNC, ["strict"])),
    "CB-PARITY-3": with_probe(BOTH, "manager_parameters", method="on_tool_start"),
    "CB-TAG-5": with_probe(BOTH, "handler_mutates_received", field="tags"),
    "CB-META-4": with_probe(BOTH, "handler_mutates_received", field="metadata"),
    "CB-PAIR-4": with_probe(["async"], "cancel_during_end", kind="tool"),
    "CB-ASYNC-6": with_probe(["async"], "raise_while_others_run"),
    "CB-PAIR-5": with_probe(BOTH, "handlers_changed_after_start", kind="chain"),
    "CB-MERGE-3": [with_probe(BOTH, "merge_order")] * 2,  # tags only, then handlers too
    "CB-MERGE-2": [with_probe(BOTH, "merge_fields"), with_probe(BOTH, "merge_fields", group=True)],
    "CB-CONS-5": with_probe(BOTH, "remove_from_one_side", removals=["handler"]),
    "CB-CONS-6": with_probe(BOTH, "remove_from_one_side", removals=["tags", "metadata"]),
    "CB-ID-7": with_probe(BOTH, "explicit_parent"),
    "CB-EV-5": with_probe(BOTH, "bare_handler_chat_start"),
    "CB-DISP-6": with_probe(["async"], "inline_multi_prompt_starts"),
    "CB-VERB-3": with_probe(["sync"], "stdout_chain_start"),
    "CB-VERB-5": with_probe(["sync"], "stdout_chain_start", serialized={"name": "c"},
                            name="given"),
}

ASYNC = ["async"]  # LangChain.js has no sync manager: its deviations show on the async lane


def async_handler(**fields: Any) -> dict[str, Any]:
    """A program's handler spec: an async recording handler, with ``fields`` added."""
    return {"async": True, **fields}


#: langchain_js (LangChain.js over the wire): rule -> the async lane plus a minimal program or
#: a probe; langchain_core's definitions where they show the same behaviour on that lane.
LANGCHAIN_JS: dict[str, dict[str, Any]] = {
    # MUST rules
    "CB-CONS-3": with_probe(ASYNC, "configure_result"),
    "CB-TAG-2": with_probe(ASYNC, "configure_result", inheritable_tags=["t"]),
    "CB-CONS-5": with_probe(ASYNC, "add_handler_twice"),
    "CB-CUSTOM-1": with_probe(ASYNC, "custom_event_without_run_id"),
    "CB-CUSTOM-3": LANGCHAIN_CORE["CB-CUSTOM-3"] | {"lanes": ASYNC},
    "CB-DISP-6": LANGCHAIN_CORE["CB-DISP-6"],
    "CB-EV-2": with_probe(ASYNC, "extra_arguments", event="on_tool_start"),
    "CB-PAIR-2": with_probe(ASYNC, "handlers_changed_after_start", kind="tool"),
    "CB-EV-7": with_probe(ASYNC, "offers", on="run_manager", names=["on_retry"]),
    "CB-EV-8": with_probe(ASYNC, "extra_arguments", event="on_text"),
    "CB-ID-7": LANGCHAIN_CORE["CB-ID-7"] | {"lanes": ASYNC},
    "CB-IGN-3": with_program(ASYNC, program(
        chat_model("tok"), {"no_chat": async_handler(ignore=["chat_model"])}, ["no_chat"])),
    "CB-IGN-6": with_probe(ASYNC, "offers", on="run_manager", names=["on_retry"]),
    "CB-IGN-7": with_program(ASYNC, program(
        chat_model("tok"), {"no_llm": async_handler(ignore=["llm"])}, ["no_llm"])),
    "CB-MERGE-2": with_probe(ASYNC, "offers", on="manager", names=["merge"]),
    "CB-NOOP-1": with_probe(ASYNC, "offers", on="run_manager", names=["get_noop_manager"]),
    "CB-NOOP-2": with_probe(ASYNC, "offers", on="run_manager", names=["get_noop_manager"]),
    # configure() de-duplicates (a program's handlers go through it); the constructor not
    "CB-SCOPE-4": with_probe(ASYNC, "constructed_with_duplicates"),
    # SHOULD rules
    "CB-MERGE-3": with_probe(ASYNC, "offers", on="manager", names=["merge"]),
    "CB-TAG-5": LANGCHAIN_CORE["CB-TAG-5"] | {"lanes": ASYNC},
    "CB-META-4": LANGCHAIN_CORE["CB-META-4"] | {"lanes": ASYNC},
    "CB-PAIR-5": LANGCHAIN_CORE["CB-PAIR-5"] | {"lanes": ASYNC},
    "CB-ASYNC-6": LANGCHAIN_CORE["CB-ASYNC-6"],
}
