"""A minimal tasks-extension client for the official SDK (2.3 has the hooks, not the client).

`Client(url, extensions=[TasksClient(on_input)])` declares io.modelcontextprotocol/tasks, and a
`resultType: "task"` answer to `call_tool` is resolved by polling `tasks/get`, answering
`input_required` through `tasks/update`, until the task ends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import mcp_types as types
from mcp.client.extension import ClaimContext, ClientExtension, ResultClaim
from pydantic import ConfigDict, Field

TASKS = "io.modelcontextprotocol/tasks"


class CreatedTask(types.Result):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    result_type: Literal["task"] = Field("task", alias="resultType")
    task_id: str = Field(alias="taskId")
    status: str


class TaskParams(types.RequestParams):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    task_id: str = Field(alias="taskId")
    input_responses: dict[str, Any] | None = Field(None, alias="inputResponses")


class GetTask(types.Request[TaskParams, Literal["tasks/get"]]):
    method: Literal["tasks/get"] = "tasks/get"
    name_param = "taskId"


class UpdateTask(types.Request[TaskParams, Literal["tasks/update"]]):
    method: Literal["tasks/update"] = "tasks/update"
    name_param = "taskId"


class TaskState(types.Result):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    status: str
    input_requests: dict[str, Any] | None = Field(None, alias="inputRequests")
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None


Answerer = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


class TasksClient(ClientExtension):
    identifier = TASKS

    def __init__(self, answer: Answerer, poll_seconds: float = 0.1) -> None:
        self.answer = answer
        self.poll_seconds = poll_seconds
        self.seen: list[str] = []  # statuses observed, for tests

    def claims(self) -> list[ResultClaim[Any]]:
        return [ResultClaim(result_type="task", model=CreatedTask, resolve=self.resolve)]

    async def resolve(self, created: CreatedTask, ctx: ClaimContext) -> types.CallToolResult:
        params = {"taskId": created.task_id}
        while True:
            state = await ctx.session.send_request(GetTask(params=TaskParams(**params)),
                                                   TaskState)
            self.seen.append(state.status)
            if state.status == "input_required" and state.input_requests:
                answers = {key: await self.answer(key, request)
                           for key, request in state.input_requests.items()}
                await ctx.session.send_request(UpdateTask(params=TaskParams(
                    taskId=created.task_id, inputResponses=answers)), types.Result)
            elif state.status == "completed":
                return types.CallToolResult.model_validate(state.result)
            elif state.status in ("failed", "cancelled"):
                raise RuntimeError(f"task {state.status}: {state.error}")
            await asyncio.sleep(self.poll_seconds)
