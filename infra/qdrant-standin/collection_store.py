"""Collections as engine shards on disk: name → shard directory, with the create request kept beside it.

Layout under the data dir:
    collections/<id>/collection.json   name, create request, payload index requests, last operation id
    collections/<id>/shard/            the EdgeShard (WAL + segments)
collection.json is written last on create, and a deleted collection is first renamed to a
dot-directory, so whatever a crash in the middle of either leaves behind is removed at the next start.
"""

import contextlib
import json
import logging
import os
import shutil
import threading
import uuid

import qdrant_edge as qe

import collection_config
from api_errors import AlreadyExists, collection_not_found, from_engine

log = logging.getLogger("qdrant-standin")

META_FILE = "collection.json"


class Collection:
    """One open shard. `lock` serializes engine calls; the engine does not release the GIL anyway."""

    def __init__(self, path: str, meta: dict, shard):
        self.path = path
        self.meta = meta
        self.shard = shard
        self.lock = threading.RLock()
        self.closed = False
        self.dirty = False

    @property
    def name(self) -> str:
        return self.meta["name"]

    def next_operation_id(self) -> int:
        self.meta["operation_id"] += 1
        self.dirty = True
        return self.meta["operation_id"]

    def save_meta(self) -> None:
        tmp = os.path.join(self.path, META_FILE + ".tmp")
        with open(tmp, "w") as f:
            json.dump(self.meta, f)
        os.replace(tmp, os.path.join(self.path, META_FILE))

    def flush(self) -> None:
        self.shard.flush()
        self.save_meta()
        self.dirty = False

    def close(self) -> None:
        if self.closed:
            return
        self.save_meta()
        self.shard.close()
        self.closed = True


class CollectionStore:
    def __init__(self, data_dir: str):
        self.root = os.path.join(data_dir, "collections")
        os.makedirs(self.root, exist_ok=True)
        self._lock = threading.Lock()
        self._by_name: dict[str, Collection] = {}
        self._creating: set[str] = set()

    def load_all(self) -> int:
        for entry in sorted(os.listdir(self.root)):
            path = os.path.join(self.root, entry)
            if entry.startswith(".") or not os.path.exists(os.path.join(path, META_FILE)):
                log.warning("removing %s, left by an interrupted create or delete", path)
                shutil.rmtree(path, ignore_errors=True)
                continue
            with open(os.path.join(path, META_FILE)) as f:
                meta = json.load(f)
            shard = qe.EdgeShard.load(os.path.join(path, "shard"))
            self._by_name[meta["name"]] = Collection(path, meta, shard)
        return len(self._by_name)

    def names(self) -> list[str]:
        with self._lock:
            return list(self._by_name)

    def exists(self, name: str) -> bool:
        with self._lock:
            return name in self._by_name

    def create(self, name: str, body: dict) -> None:
        try:
            config = collection_config.edge_config(body)
        except (TypeError, ValueError) as exc:
            raise from_engine(exc) from exc
        # The name is reserved under the lock, the shard made outside it: creating one takes a
        # while (the WAL is preallocated) and must not stall requests to other collections.
        with self._lock:
            if name in self._by_name or name in self._creating:
                raise AlreadyExists(f"Collection `{name}` already exists!")
            self._creating.add(name)
        try:
            path = os.path.join(self.root, uuid.uuid4().hex)
            os.makedirs(os.path.join(path, "shard"))
            try:
                shard = qe.EdgeShard.create(os.path.join(path, "shard"), config)
            except Exception as exc:
                shutil.rmtree(path, ignore_errors=True)
                raise from_engine(exc) from exc
            meta = {"name": name, "create_request": body, "field_indexes": {}, "operation_id": -1}
            collection = Collection(path, meta, shard)
            # Written last: a directory without it is an interrupted create.
            collection.save_meta()
            with self._lock:
                self._by_name[name] = collection
        finally:
            with self._lock:
                self._creating.discard(name)

    def delete(self, name: str) -> bool:
        with self._lock:
            collection = self._by_name.pop(name, None)
        if collection is None:
            return False
        with collection.lock:
            collection.close()
        trash = os.path.join(self.root, f".{os.path.basename(collection.path)}.deleting")
        os.rename(collection.path, trash)
        shutil.rmtree(trash, ignore_errors=True)
        return True

    @contextlib.contextmanager
    def use(self, name: str):
        """Holds the collection's lock for the block; 404 if it does not exist (or was just deleted)."""
        with self._lock:
            collection = self._by_name.get(name)
        if collection is None:
            raise collection_not_found(name)
        with collection.lock:
            if collection.closed:
                raise collection_not_found(name)
            yield collection

    def flush_dirty(self) -> None:
        with self._lock:
            collections = list(self._by_name.values())
        for collection in collections:
            with collection.lock:
                if collection.dirty and not collection.closed:
                    collection.flush()

    def close_all(self) -> None:
        with self._lock:
            collections = list(self._by_name.values())
            self._by_name.clear()
        for collection in collections:
            with collection.lock:
                collection.close()
