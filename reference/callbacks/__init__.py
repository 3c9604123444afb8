"""Callback handlers and the managers that dispatch run events to them."""

from .base import AsyncCallbackHandler, BaseCallbackHandler
from .group import (
    AsyncCallbackManagerForChainGroup,
    CallbackManagerForChainGroup,
    atrace_as_chain_group,
    trace_as_chain_group,
)
from .managers import AsyncCallbackManager, BaseCallbackManager, CallbackManager, Callbacks
from .run_managers import (
    AsyncCallbackManagerForChainRun,
    AsyncCallbackManagerForChatModelRun,
    AsyncCallbackManagerForLLMRun,
    AsyncCallbackManagerForRetrieverRun,
    AsyncCallbackManagerForToolRun,
    AsyncParentRunManager,
    AsyncRunManager,
    BaseRunManager,
    CallbackManagerForChainRun,
    CallbackManagerForChatModelRun,
    CallbackManagerForLLMRun,
    CallbackManagerForRetrieverRun,
    CallbackManagerForToolRun,
    ParentRunManager,
    RunManager,
)
from .stdout import StdOutCallbackHandler

__all__ = [
    "AsyncCallbackHandler",
    "AsyncCallbackManager",
    "AsyncCallbackManagerForChainGroup",
    "AsyncCallbackManagerForChainRun",
    "AsyncCallbackManagerForChatModelRun",
    "AsyncCallbackManagerForLLMRun",
    "AsyncCallbackManagerForRetrieverRun",
    "AsyncCallbackManagerForToolRun",
    "AsyncParentRunManager",
    "AsyncRunManager",
    "BaseCallbackHandler",
    "BaseCallbackManager",
    "BaseRunManager",
    "CallbackManager",
    "CallbackManagerForChainGroup",
    "CallbackManagerForChainRun",
    "CallbackManagerForChatModelRun",
    "CallbackManagerForLLMRun",
    "CallbackManagerForRetrieverRun",
    "CallbackManagerForToolRun",
    "Callbacks",
    "ParentRunManager",
    "RunManager",
    "StdOutCallbackHandler",
    "atrace_as_chain_group",
    "trace_as_chain_group",
]
