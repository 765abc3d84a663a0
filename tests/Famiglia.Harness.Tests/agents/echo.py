#!/usr/bin/env python3
"""A small agent in Python speaking docs/agent-protocol.md directly: proof that the protocol needs no SDK.

Answers every message in its thread with "echo: <body>". Special bodies, for the harness tests:
  die-once     exits with code 3 without answering, unless the marker file exists (then answers normally)
  slow-once    never answers (the handler waits for good), unless the marker file exists (then answers normally)
  canvas TEXT  writes index.html with TEXT, bumps the version, answers "canvas: <version>"
  escape PATH  tries canvas.write to PATH and answers with the error code it got
Writes its pid to $WORKSPACE_DIR/agent.pid (default /workspace) on start.
"""
import json, os, sys, threading

workspace = os.environ.get("WORKSPACE_DIR", "/workspace")
with open(os.path.join(workspace, "agent.pid"), "w") as f:
    f.write(str(os.getpid()))

lock = threading.Lock()
pending = {}
next_id = [0]


def send(obj):
    with lock:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


def request(method, params):
    with lock:
        next_id[0] += 1
        rid = next_id[0]
        event = threading.Event()
        pending[rid] = [event, None]
    send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
    event.wait(30)
    return pending.pop(rid)[1]


def handle(msg):
    p = msg["params"]
    body = p["body"]
    reply = "echo: " + body
    if body == "die-once":
        marker = os.path.join(workspace, "died-once")
        if not os.path.exists(marker):
            open(marker, "w").close()
            sys.stderr.write("dying on purpose\n")
            sys.stderr.flush()
            os._exit(3)
        reply = "echo: die-once (after a restart)"
    elif body == "slow-once":
        marker = os.path.join(workspace, "slow-once")
        if not os.path.exists(marker):
            open(marker, "w").close()
            threading.Event().wait()
        reply = "echo: slow-once (after a restart)"
    elif body.startswith("canvas "):
        request("canvas.write", {"path": "index.html", "text": "<h1>" + body[7:] + "</h1>"})
        version = request("canvas.bumpVersion", {})["result"]["version"]
        reply = "canvas: %d" % version
    elif body.startswith("escape "):
        answer = request("canvas.write", {"path": body[7:], "text": "x"})
        reply = "escape: %s" % (answer.get("error", {}).get("code"))
    # A reply goes where the message came from: its thread, or the main chat (announce).
    if p["thread"] is None:
        request("announce", {"text": reply})
    else:
        request("say", {"text": reply, "thread": p["thread"]})
    send({"jsonrpc": "2.0", "id": msg["id"], "result": None})


def reader():
    for line in sys.stdin:
        msg = json.loads(line)
        if "method" in msg:
            if msg["method"] == "message":
                threading.Thread(target=handle, args=(msg,), daemon=True).start()
            elif msg["method"] == "shutdown":
                os._exit(0)
        elif msg.get("id") in pending:
            pending[msg["id"]][1] = msg
            pending[msg["id"]][0].set()
    os._exit(0)


threading.Thread(target=reader, daemon=True).start()
identity = request("ready", {"sdk": "python-test/1"})
sys.stderr.write("ready as %s\n" % identity["result"]["nick"])
sys.stderr.flush()
threading.Event().wait()
