"""Inputs of the golden callback transcripts: what each scenario runs and which rules it covers.

The expected records are not written here: ``pytest --impl=reference
conformance/callbacks/suites/test_transcripts.py --snapshot-update`` records them from the
reference into ``conformance/transcripts/callbacks/<id>.json``. A scenario's program
follows :mod:`conformance.callbacks.programs`; helpers below keep the programs short.
"""

from __future__ import annotations

from typing import Any

BOTH = ["sync", "async"]
SEED_003 = "seed 003 (callbacks design post)"
SEED_001 = "seed 001 (AsyncCallbackManagerForRetrieverRun API page)"
SEED_000 = "seed 000 (AsyncRunManager API page)"
GUIDE = "GUIDE §1"


def node(kind: str, name: str, *steps: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "name": name, **fields, **({"steps": list(steps)} if steps else {})}


def call(child: dict[str, Any], tag: str | None = None) -> dict[str, Any]:
    return {"call": child, **({"tag": tag} if tag else {})}


def error(kind: str, message: str = "") -> dict[str, Any]:
    return {"error": {"type": kind, **({"message": message} if message else {})}}


def program(root: dict[str, Any], handlers: dict[str, dict[str, Any]],
            request_handlers: list[str], **request: Any) -> dict[str, Any]:
    """A one-request program."""
    return {"handlers": handlers,
            "requests": [{"name": "r1", "handlers": request_handlers, "root": root, **request}]}


def scenario(id: str, title: str, source: str, rules: list[str], prog: dict[str, Any],
             lanes: list[str] | None = None) -> dict[str, Any]:
    return {"id": id, "title": title, "source": source, "rules": rules,
            "lanes": lanes or BOTH, "program": prog}


def model_call(name: str, *tokens: str, kind: str = "llm") -> dict[str, Any]:
    return node(kind, name, *({"token": t} for t in tokens))


AGENT = node(
    "chain", "agent_executor",
    {"text": "Thought: I should search"},
    call(node("chain", "llm_chain", call(model_call("model", "search", "(weather)")),
              handlers=["ctor_chain"]), "step:1"),
    call(node("tool", "search", input="weather in Paris", output="sunny"), "step:2"),
    call(node("chain", "llm_chain", call(model_call("model", "Final", " answer")),
              handlers=["ctor_chain"]), "step:3"),
    call(node("tool", "calculator", input="2+2", output="4"), "step:4"),
)

SCENARIOS: list[dict[str, Any]] = [
    scenario(
        "agent_request_handler",
        "A request handler reaches the agent, its tools, its LLM chain and its model; the "
        "chain's constructor handler does not reach the model",
        f"{SEED_003}: 'when a handler is passed through to an AgentExecutor via run, it will "
        "be used for all callbacks related to the agent and all the objects involved in the "
        "agent's execution, in this case, the Tools, LLMChain, and LLM' and 'if you pass a "
        "handler to the LLMChain constructor, it will not be used by the model attached to "
        "that chain'",
        ["CB-SCOPE-1", "CB-SCOPE-2", "CB-ID-4", "CB-ID-5", "CB-EV-1", "CB-EV-2", "CB-EV-4"],
        program(AGENT, {"req": {}, "ctor_chain": {}}, ["req"]),
    ),
    scenario(
        "retriever_child_managers",
        "A retriever run hands child managers to the model that rewrites its query",
        f"{SEED_001}: get_child(tag=None) 'Get a child callback manager'",
        ["CB-EV-3", "CB-ID-5", "CB-CHILD-2", "CB-CHILD-3", "CB-SCOPE-2"],
        program(node("chain", "rag", call(node(
            "retriever", "docs", call(model_call("rewriter", "paris weather"), "rewrite"),
            {"text": "searching the index"}, input="weather?",
            output=["Paris: sunny", "Lyon: rain"], handlers=["ctor_retriever"]), "retrieve"),
            call(model_call("answerer", "sunny", kind="chat_model"), "answer")),
            {"req": {"async": True}, "ctor_retriever": {}}, ["req"]),
    ),
    scenario(
        "concurrent_requests_isolated",
        "Concurrent requests each see only their own events; a shared tool's constructor "
        "handler sees both, each linked to its own request",
        f"{SEED_003}: 'better support concurrent runs with independent callbacks' and "
        "'callback handlers scoped to a single request'",
        ["CB-ISO-1", "CB-ISO-2", "CB-ISO-3"],
        {"handlers": {"ws1": {}, "ws2": {"async": True}, "tool_log": {}},
         "concurrent": True,
         "requests": [
             {"name": f"r{i}", "handlers": [f"ws{i}"], "metadata": {"user": f"u{i}"},
              "root": node("chain", "agent", {"rendezvous": True},
                           call(node("tool", "search", {"rendezvous": True},
                                     handlers=["tool_log"], input=f"query {i}")),
                           {"text": f"done {i}"})}
             for i in (1, 2)]},
    ),
    scenario(
        "tool_error_caught",
        "A tool fails, the agent catches the error and carries on",
        f"{GUIDE}: every start gets exactly one end or error",
        ["CB-PAIR-1", "CB-EV-2", "CB-EV-9"],
        program(node("chain", "agent",
                     call(node("tool", "flaky", error("ValueError", "tool failed"),
                               catch=True)),
                     {"text": "the tool failed, answering anyway"},
                     call(node("tool", "backup", output="fallback answer"))),
                {"req": {}}, ["req"]),
    ),
    scenario(
        "uncaught_error_closes_runs",
        "An error nobody catches closes every open run, innermost first, with the same error",
        f"{GUIDE}: every start gets exactly one end or error",
        ["CB-PAIR-1", "CB-EV-9", "CB-EV-1", "CB-EV-2"],
        program(node("chain", "agent", call(node(
            "chain", "plan", call(node("tool", "search", {"text": "about to fail"},
                                       error("RuntimeError", "search backend down")))))),
            {"req": {}, "areq": {"async": True}}, ["req", "areq"]),
    ),
    scenario(
        "keyboard_interrupt_closes_runs",
        "A KeyboardInterrupt inside a model closes the model and its chain with that interrupt",
        f"{SEED_000}: on_*_error takes any BaseException",
        ["CB-EV-9", "CB-PAIR-1"],
        program(node("chain", "chain", call(node("llm", "model", {"token": "par"},
                                                  error("KeyboardInterrupt")))),
                {"req": {}}, ["req"]),
    ),
    scenario(
        "retries",
        "Retry wrappers report each attempt on the run being retried",
        f"{SEED_000}: on_retry(retry_state) 'Run when a retry is received'",
        ["CB-EV-7", "CB-IGN-6"],
        program(node("chain", "with_retry", {"retry": 1}, {"retry": 2},
                     call(node("llm", "model", {"retry": 1}, {"token": "ok"}))),
                {"req": {}, "no_retry": {"ignore": ["retry"]}}, ["req", "no_retry"]),
    ),
    scenario(
        "custom_events_in_tool",
        "Code inside a tool dispatches custom events on its run's child manager",
        f"{SEED_000}: on_custom_event(name, data, run_id) 'Dispatch an adhoc event to the "
        "handlers'",
        ["CB-CUSTOM-1", "CB-CUSTOM-2", "CB-CUSTOM-4", "CB-SCOPE-2"],
        program(node("chain", "agent", call(node(
            "tool", "downloader", {"custom": {"name": "progress", "data": {"pct": 50}}},
            {"custom": {"name": "progress", "data": {"pct": 100}}},
            handlers=["tool_ctor"], tags=["own:downloader"], metadata={"tool": "dl"}),
            "step:1")),
            {"req": {}, "tool_ctor": {}, "no_custom": {"ignore": ["custom_event"]}},
            ["req", "no_custom"], tags=["request"], metadata={"user": "u1"}),
    ),
    scenario(
        "llm_token_streaming",
        "An LLM streams tokens with their chunks between start and end",
        f"{SEED_000}: on_llm_new_token(token, *, chunk=None) 'Run when LLM generates a new "
        "token'",
        ["CB-EV-4", "CB-EV-8"],
        program(node("chain", "chain", call(model_call("model", "Hel", "lo", " world"))),
                {"req": {}, "areq": {"async": True}}, ["req", "areq"]),
    ),
    scenario(
        "chat_model",
        "A chat model announces itself with on_chat_model_start and streams like an LLM",
        f"{SEED_000}: on_chat_model_start",
        ["CB-EV-5", "CB-EV-4", "CB-PAIR-1"],
        program(node("chain", "chat_chain",
                     call(model_call("chat", "Bon", "jour", kind="chat_model"))),
                {"req": {}, "areq": {"async": True}}, ["req", "areq"]),
    ),
    scenario(
        "tags_metadata_inheritance",
        "Request tags and metadata reach every run; component tags and metadata stay on "
        "their component and win conflicts there only",
        f"{SEED_000}: inheritable_tags, inheritable_metadata; {SEED_003}",
        ["CB-TAG-1", "CB-TAG-2", "CB-TAG-3", "CB-META-1", "CB-META-2", "CB-META-3"],
        program(node("chain", "outer",
                     call(node("chain", "inner", call(node("tool", "leaf")),
                               tags=["own:inner"],
                               metadata={"user": "inner-user", "component": "inner"})),
                     tags=["own:outer"], metadata={"level": "outer"}),
                {"req": {}}, ["req"], tags=["request", "tenant:a"],
                metadata={"user": "u1", "level": "request"}),
    ),
    scenario(
        "get_child_step_tags",
        "get_child(tag) labels the sub-call it starts and none of that call's sub-calls",
        f"{SEED_001}: get_child(tag) 'The tag for the child callback manager'",
        ["CB-CHILD-3", "CB-ID-5"],
        program(node("chain", "sequence",
                     call(node("chain", "first", call(node("tool", "nested"))), "seq:step:1"),
                     call(node("llm", "second", {"token": "x"}), "seq:step:2")),
                {"req": {}}, ["req"], tags=["request"]),
    ),
    scenario(
        "handler_two_routes_once",
        "A handler given twice as a request handler and again as a constructor handler sees "
        "each event once",
        f"{GUIDE}: each handler exactly once",
        ["CB-SCOPE-4", "CB-DISP-2"],
        program(node("chain", "agent", {"text": "hello"},
                     call(node("tool", "search", handlers=["both"])),
                     handlers=["both"]),
                {"both": {}, "abot": {"async": True}}, ["both", "abot", "both"]),
    ),
    scenario(
        "ignore_flags",
        "Each ignore flag silences one family for one handler; on_text reaches everybody",
        f"{GUIDE}: flags (ignore_*) mean the same thing on both managers",
        ["CB-IGN-1", "CB-IGN-2", "CB-IGN-4", "CB-IGN-5", "CB-IGN-6", "CB-IGN-7",
         "CB-CUSTOM-4", "CB-PAIR-2"],
        program(node("chain", "agent", {"text": "start"}, {"retry": 1},
                     {"custom": {"name": "progress", "data": {}}},
                     call(node("tool", "search")), call(node("retriever", "docs")),
                     call(model_call("model", "tok")),
                     call(model_call("chat", "tok", kind="chat_model"))),
                {f"no_{flag}": {"ignore": [flag]} for flag in
                 ("chain", "agent", "retriever", "llm", "retry", "custom_event")}
                | {"all": {}},
                ["all", "no_chain", "no_agent", "no_retriever", "no_llm", "no_retry",
                 "no_custom_event"]),
    ),
    scenario(
        "chat_model_ignore_chat_model",
        "ignore_chat_model silences a chat model's whole run: start, tokens and end",
        f"{GUIDE}: flags (ignore_*) mean the same thing on both managers",
        ["CB-PAIR-2", "CB-IGN-3"],
        program(node("chain", "chain", call(model_call("chat", "a", "b", kind="chat_model"))),
                {"no_chat": {"ignore": ["chat_model"]},
                 "a_no_chat": {"async": True, "ignore": ["chat_model"]}},
                ["no_chat", "a_no_chat"]),
    ),
    scenario(
        "chat_model_ignore_llm",
        "ignore_llm silences no event of a chat model's run: its start is closed by its end",
        f"{GUIDE}: flags (ignore_*) mean the same thing on both managers",
        ["CB-PAIR-1", "CB-IGN-7"],
        program(node("chain", "chain", call(model_call("chat", "a", "b", kind="chat_model"))),
                {"no_llm": {"ignore": ["llm"]}, "a_no_llm": {"async": True, "ignore": ["llm"]}},
                ["no_llm", "a_no_llm"]),
    ),
    scenario(
        "failing_handler_not_starving",
        "Handlers that fail without raise_error neither stop the program nor the others",
        f"{GUIDE}: a failing handler does not starve the others",
        ["CB-DISP-4", "CB-DISP-5"],
        program(node("chain", "agent", {"text": "thinking"},
                     call(node("tool", "search")), call(model_call("model", "ok"))),
                {"bad": {"fail_on": ["on_chain_start", "on_text", "on_tool_start",
                                     "on_llm_start", "on_llm_new_token", "on_chain_end"]},
                 "abad": {"async": True, "fail_on": ["on_chain_start", "on_tool_end",
                                                     "on_llm_end"]},
                 "good": {}, "agood": {"async": True}},
                ["bad", "abad", "good", "agood"]),
    ),
    scenario(
        "inline_and_concurrent_handlers",
        "Inline and non-inline handlers both receive every event, model starts included",
        f"{GUIDE}: inline handlers run first; every handler exactly once",
        ["CB-DISP-2"],
        program(node("chain", "chain", call(model_call("model", "x")),
                     call(model_call("chat", "y", kind="chat_model"))),
                {"inline": {"run_inline": True}, "plain": {}, "async": {"async": True}},
                ["inline", "plain", "async"]),
    ),
    scenario(
        "raise_error_propagates",
        "A handler with raise_error stops the run it fails on, sync or async handler, on "
        "both managers",
        f"{GUIDE}: raise_error means the same on both managers",
        ["CB-DISP-3"],
        {"handlers": {"strict": {"async": True, "raise_error": True,
                                 "fail_on": ["on_tool_start"]},
                      "strict_sync": {"raise_error": True, "fail_on": ["on_retriever_start"]},
                      "watch": {}},
         "requests": [
             {"name": "r1", "handlers": ["watch", "strict"],
              "root": node("chain", "agent", call(node("tool", "search")),
                           {"text": "after the tool"})},
             {"name": "r2", "handlers": ["watch", "strict_sync"],
              "root": node("chain", "rag", call(node("retriever", "docs")),
                           {"text": "after the retriever"})}]},
    ),
    scenario(
        "async_handler_flags_parity",
        "An async handler's raise_error, ignore flag and duplicate route mean the same on "
        "both managers",
        f"{GUIDE}: handler flags mean the same thing on both managers",
        ["CB-PARITY-2"],
        program(node("chain", "agent", {"text": "thinking"},
                     call(node("chain", "step", {"text": "inner"}, handlers=["twice"])),
                     {"retry": 1}, call(node("tool", "strict_tool"))),
                {"watch": {}, "twice": {"async": True},
                 "no_chain": {"async": True, "ignore": ["chain"]},
                 "strict": {"async": True, "raise_error": True, "fail_on": ["on_tool_end"]}},
                ["watch", "twice", "no_chain", "strict"]),
    ),
    scenario(
        "async_request_cancelled",
        "Cancelling a request's task closes every open run with CancelledError, innermost "
        "first",
        f"{GUIDE}: every start gets exactly one end or error, also on cancellation",
        ["CB-PAIR-3", "CB-EV-9"],
        program(node("chain", "agent", call(node(
            "tool", "slow_tool", {"text": "waiting"}, {"cancel": True}))),
            {"req": {}, "areq": {"async": True}}, ["req", "areq"]),
        lanes=["async"],
    ),
    scenario(
        "early_stop_generator_exit",
        "A consumer that stops streaming early closes the model and its chain with "
        "GeneratorExit",
        f"{GUIDE}: every start gets exactly one end or error, also on early stop",
        ["CB-PAIR-3", "CB-EV-9"],
        program(node("chain", "stream", call(node(
            "chat_model", "chat", {"token": "Hel"}, {"token": "lo"}, error("GeneratorExit")))),
            {"req": {}, "areq": {"async": True}}, ["req", "areq"]),
    ),
    scenario(
        "explicit_run_ids",
        "Explicit run ids name the runs they are given to",
        f"{SEED_000}: run_id 'The ID of the run'",
        ["CB-ID-2", "CB-ID-5"],
        program(node("chain", "agent",
                     call(node("tool", "search", run_id="00000000-0000-4000-8000-000000000002")),
                     call(node("llm", "model", run_id="00000000-0000-4000-8000-000000000003")),
                     run_id="00000000-0000-4000-8000-000000000001"),
                {"req": {}}, ["req"]),
    ),
    scenario(
        "trace_group",
        "trace_as_chain_group runs its calls as children of one group run, with the given "
        "manager's handlers and the group's tags and metadata",
        f"{SEED_003}: 'We've also added a context manager to make tracing specific runs even "
        "easier'",
        ["CB-GROUP-1", "CB-GROUP-2", "CB-GROUP-4"],
        program(node("group", "my_group",
                     call(node("chain", "first", call(model_call("model", "x")))),
                     call(node("tool", "second")),
                     tags=["group:tag"], metadata={"group_key": "g"}),
                {"req": {}}, ["req"], tags=["request"]),
    ),
]


def by_id() -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in SCENARIOS}
