"""Activities (Step Functions' workers that poll) and the tasks waiting for them.

An activity is one item; each task a Task state offers to it is one item in the
activity's partition, sorted by when it was offered. A worker's poll takes the oldest by
deleting it on condition that it is still there, so two workers never get the same task.
"""

from __future__ import annotations

from typing import Any

from segue.store.errors import ConflictError
from segue.store.table import Table, to_item

ACTIVITY = "ACTIVITY"


def _activity(name: str) -> dict[str, str]:
    return {"pk": f"AC#{name}", "sk": ACTIVITY}


class ActivityStore(Table):
    """Activities by name, and their offered tasks, oldest first."""

    def create(self, name: str, created_at: str, tags: dict[str, str]) -> dict[str, Any]:
        """The activity (created now, or as it already was: creating is idempotent)."""
        attributes: dict[str, Any] = {"kind": ACTIVITY, "list_key": name, "name": name}
        attributes |= {"created_at": created_at, "tags": tags}
        try:
            self._put(_activity(name), attributes, "attribute_not_exists(sk)", return_old=True)
        except ConflictError as taken:
            return dict(taken.item or attributes)
        return attributes

    def get(self, name: str) -> dict[str, Any] | None:
        return self._get(_activity(name))

    def put_tags(self, name: str, tags: dict[str, str]) -> None:
        key = _activity(name)
        self._update(key, "SET tags = :tags", "sk = :sk", {":tags": tags, ":sk": key["sk"]})

    def delete(self, name: str) -> None:
        """Forget the activity; tasks already offered to it stay until taken or expired."""
        self._call(
            self.client.delete_item, {"TableName": self.table, "Key": to_item(_activity(name))}
        )

    def offer(self, name: str, at: str, task_token: str, input_json: str, expires_at: int) -> None:
        """Offer a task to the activity's workers (again, harmlessly, after a retry)."""
        key = {"pk": f"AC#{name}", "sk": f"T#{at}#{task_token[-32:]}"}
        attributes = {"task_token": task_token, "input": input_json, "expires_at": expires_at}
        self._put(key, attributes)

    def take(self, name: str, now_epoch: int, looked: int = 10) -> dict[str, Any] | None:
        """The oldest offered task, taken (so no other worker gets it); None if none."""
        found = self._query(
            "pk = :pk AND begins_with(sk, :t)",
            {":pk": f"AC#{name}", ":t": "T#"},
            None,
            limit=looked,
        )
        for item in found:
            if int(item.get("expires_at", 0)) and int(item["expires_at"]) < now_epoch:
                continue
            try:
                self._call(
                    self.client.delete_item,
                    {
                        "TableName": self.table,
                        "Key": to_item({"pk": item["pk"], "sk": item["sk"]}),
                        "ConditionExpression": "attribute_exists(sk)",
                    },
                )
            except ConflictError:
                continue  # another worker took it first
            return item
        return None
