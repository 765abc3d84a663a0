#!/usr/bin/env node
// MUC (XEP-0045) benchmark peer built on @xmpp/client 0.14.0.
//
// Two occupants A (nick "a") and B (nick "b") join one room; we measure
//   1. latency: A sends one groupchat message, B receives it, next (sequential round trips),
//   2. burst:   A sends M messages back-to-back, B counts arrivals until M or the timeout.
// Exactly one JSON line goes to stdout at the end; everything else goes to stderr.
// Run `node bench.mjs --help` for the interface.

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const CLIENT = "@xmpp/client 0.14.0";
const NS_MUC = "http://jabber.org/protocol/muc";
const NS_MUC_USER = "http://jabber.org/protocol/muc#user";
const NS_MUC_OWNER = "http://jabber.org/protocol/muc#owner";
const NS_XDATA = "jabber:x:data";
const CHILD_ENV = "XMPP_PEER_BENCH_CHILD";

const EXIT_USAGE = 2;
const EXIT_ERROR = 1;
const EXIT_HARD_TIMEOUT = 3;

const USAGE = `usage: node bench.mjs --service URI --domain D --room ROOMJID
         --user-a U --pass-a P --user-b U --pass-b P --latency N --burst M
         [--timeout-seconds T] [--warmup W] [--warmup-burst B] [--server-pid PID]
  --service          xmpp://HOST:PORT (TCP + STARTTLS, verified against --domain;
                     trust a self-signed cert with NODE_EXTRA_CA_CERTS) or ws(s)://HOST:PORT/PATH
  --latency N        sequential A->B round trips measured (after W warm-up messages, default 50)
  --burst M          messages A sends back-to-back; B counts them until M or T seconds
  --timeout-seconds  default 60; bounds connect/join, each round trip and the burst wait;
                     the whole process is killed after T+30 s
  --warmup-burst B   an unmeasured burst of B messages (all received) before the round trips (default 0)
  --server-pid       the server's process id: its CPU time during the burst is reported (Linux /proc)
stdout: one JSON line; stderr: logs. Exit 0 on a result (also a stalled burst), non-zero on errors.`;

const startedAt = process.hrtime.bigint();

function log(msg) {
  const t = (Number(process.hrtime.bigint() - startedAt) / 1e9).toFixed(3);
  process.stderr.write(`[xmpp-peer +${t}s] ${msg}\n`);
}

function die(msg, code = EXIT_ERROR) {
  process.stderr.write(`xmpp-peer: error: ${msg}\n`);
  process.exit(code);
}

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const spec = {
    "service": "string",
    "domain": "string",
    "room": "string",
    "user-a": "string",
    "pass-a": "string",
    "user-b": "string",
    "pass-b": "string",
    "latency": "int",
    "burst": "int",
    "timeout-seconds": "number",
    "warmup": "int",
    "warmup-burst": "int",
    "server-pid": "int",
  };
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") {
      process.stderr.write(USAGE + "\n");
      process.exit(0);
    }
    if (!arg.startsWith("--")) die(`unexpected argument '${arg}'\n${USAGE}`, EXIT_USAGE);
    let name = arg.slice(2);
    let value;
    const eq = name.indexOf("=");
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    } else {
      if (i + 1 >= argv.length) die(`missing value for --${name}`, EXIT_USAGE);
      value = argv[++i];
    }
    const type = spec[name];
    if (!type) die(`unknown option --${name}\n${USAGE}`, EXIT_USAGE);
    if (type === "string") {
      if (value === "") die(`--${name} must not be empty`, EXIT_USAGE);
      out[name] = value;
    } else {
      const n = Number(value);
      const ok = type === "int" ? Number.isInteger(n) && n >= 0 : Number.isFinite(n) && n > 0;
      if (!ok) die(`--${name} must be a ${type === "int" ? "non-negative integer" : "positive number"}, got '${value}'`, EXIT_USAGE);
      out[name] = n;
    }
  }
  for (const name of ["service", "domain", "room", "user-a", "pass-a", "user-b", "pass-b", "latency", "burst"]) {
    if (out[name] === undefined) die(`missing required option --${name}\n${USAGE}`, EXIT_USAGE);
  }
  out["timeout-seconds"] ??= 60;
  out["warmup"] ??= 50;
  out["warmup-burst"] ??= 0;

  let transport;
  if (/^xmpps?:\/\//i.test(out.service)) transport = "tcp";
  else if (/^wss?:\/\//i.test(out.service)) transport = "websocket";
  else die(`--service must start with xmpp:// or ws:// (got '${out.service}')`, EXIT_USAGE);
  const room = out.room.toLowerCase();
  if (!/^[^@/\s]+@[^@/\s]+$/.test(room)) die(`--room must be a bare room JID like bench@conference.example (got '${out.room}')`, EXIT_USAGE);

  return {
    service: out.service,
    transport,
    domain: out.domain,
    room,
    users: {
      a: { nick: "a", username: out["user-a"], password: out["pass-a"] },
      b: { nick: "b", username: out["user-b"], password: out["pass-b"] },
    },
    latency: out.latency,
    burst: out.burst,
    warmup: out.warmup,
    warmupBurst: out["warmup-burst"],
    serverPid: out["server-pid"],
    timeoutMs: Math.round(out["timeout-seconds"] * 1000),
  };
}

const opts = parseArgs(process.argv.slice(2));

// Hard bound on the whole run: timeout + 30 s, whatever happens.
const hardDeadlineMs = opts.timeoutMs + 30_000;
let phase = "starting"; // for the hard-timeout message
let closeStreams = () => {}; // set by main(): best-effort </stream> so the server ends the sessions now
function armHardTimeout() {
  setTimeout(() => {
    process.stderr.write(`xmpp-peer: error: hard timeout: run did not finish within ${hardDeadlineMs / 1000} s (timeout-seconds + 30), killed during ${phase}\n`);
    closeStreams();
    setTimeout(() => process.exit(EXIT_HARD_TIMEOUT), 300);
  }, hardDeadlineMs - Number(process.hrtime.bigint() - startedAt) / 1e6).unref();
}

// ------------------------------------------------- WebSocket on Node < 22
// @xmpp/websocket 0.14 uses the global WebSocket (undici's, built into Node). Node 22+ has it by
// default; Node 20 only with --experimental-websocket, which cannot be switched on at run time,
// so re-run this script once with that flag (same stdio, exit code and signals passed through).

if (opts.transport === "websocket" && typeof globalThis.WebSocket !== "function") {
  if (process.env[CHILD_ENV]) die("global WebSocket still missing with --experimental-websocket; use Node >= 20.10");
  const flags = ["--experimental-websocket"];
  if (process.allowedNodeEnvironmentFlags.has("--disable-warning")) flags.push("--disable-warning=ExperimentalWarning");
  log(`Node ${process.version} has no global WebSocket: re-running with ${flags.join(" ")}`);
  const child = spawn(process.execPath, [...flags, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, [CHILD_ENV]: "1" },
  });
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(sig, () => child.kill(sig));
  }
  // The child enforces the hard deadline (timeout + 30 s) itself; this only catches a stuck child.
  const guard = setTimeout(() => {
    process.stderr.write("xmpp-peer: error: hard timeout: child process did not exit, killing it\n");
    child.kill("SIGKILL");
  }, hardDeadlineMs + 2_000);
  guard.unref();
  child.on("error", (err) => die(`cannot re-run node: ${err.message}`));
  child.on("exit", (code, signal) => {
    clearTimeout(guard);
    if (signal) die(`child process ended by ${signal}`);
    process.exit(code ?? EXIT_ERROR);
  });
} else {
  armHardTimeout();
  for (const [sig, num] of [["SIGINT", 2], ["SIGTERM", 15], ["SIGHUP", 1]]) {
    process.on(sig, () => {
      process.stderr.write(`xmpp-peer: error: ${sig} received during ${phase}, closing the streams\n`);
      closeStreams();
      setTimeout(() => process.exit(128 + num), 300);
    });
  }
  main().then(
    (code) => {
      process.exitCode = code;
      // Both clients are stopped, so the event loop should drain by itself; just in case a
      // library timer lingers, do not keep the runner waiting.
      setTimeout(() => {
        log(`warning: handles still open 5 s after stopping the clients (${process.getActiveResourcesInfo().join(",")}), exiting anyway`);
        process.exit(code);
      }, 5_000).unref();
    },
    (err) => die(err?.message ?? String(err)),
  );
}

// ---------------------------------------------------------------- helpers

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timeout after ${(ms / 1000).toFixed(1)} s: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// User + system CPU ms of another process (Linux /proc/PID/stat; clock ticks assumed 100 Hz), or null.
function processCpuMs(pid) {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function percentile(sorted, p) {
  // nearest-rank
  if (sorted.length === 0) return 0;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[idx];
}

// ---------------------------------------------------------------- benchmark

async function main() {
  const { client, xml } = await import("@xmpp/client");
  const runId = randomBytes(4).toString("hex");
  const roomA = `${opts.room}/a`;
  let stopping = false;
  let fatal = null; // set by an unexpected disconnect; wakes up whoever is waiting
  const fatalWaiters = new Set();

  function raiseFatal(err) {
    if (stopping || fatal) return;
    fatal = err;
    log(err.message);
    for (const reject of fatalWaiters) reject(err);
  }

  // Wait for `promise`, but fail early if a client drops.
  function guarded(promise) {
    if (fatal) return Promise.reject(fatal);
    let rejectFn;
    const p = new Promise((_, reject) => {
      rejectFn = reject;
      fatalWaiters.add(reject);
    });
    return Promise.race([promise, p]).finally(() => fatalWaiters.delete(rejectFn));
  }

  function makeClient(user) {
    const xmpp = client({
      service: opts.service,
      domain: opts.domain,
      username: user.username,
      password: user.password,
      resource: `bench-${user.nick}-${runId}`,
      // timeout for stream open/close and STARTTLS negotiation (library default 2 s)
      timeout: 10_000,
    });
    // A reconnect would silently drop the room membership: fail instead.
    xmpp.reconnect.stop();
    xmpp.on("error", (err) => {
      const cond = err?.condition ? ` (${err.condition}${err.text ? ": " + err.text : ""})` : "";
      log(`client ${user.nick}: ${err?.message ?? err}${cond}`);
    });
    xmpp.on("disconnect", ({ reason } = {}) => {
      raiseFatal(new Error(`client ${user.nick} (${user.username}) disconnected unexpectedly${reason ? ": " + (reason.message ?? reason) : ""}`));
    });
    return xmpp;
  }

  const a = makeClient(opts.users.a);
  const b = makeClient(opts.users.b);
  const clients = [a, b];
  // Without a stream close (e.g. on process.exit) ejabberd keeps the sessions, and so the room
  // occupants, for the stream-management resume_timeout.
  closeStreams = () => {
    stopping = true;
    for (const x of clients) {
      try {
        if (x.socket && x.status !== "offline" && x.status !== "disconnect") x.write(x.footer(x.footerElement())).catch(() => {});
      } catch {}
    }
  };

  async function stopAll() {
    stopping = true;
    let timer;
    await Promise.race([
      Promise.allSettled(
        clients.map(async (x) => {
          if (x.status === "offline") return;
          await x.stop();
        }),
      ),
      new Promise((resolve) => (timer = setTimeout(resolve, 15_000))),
    ]);
    clearTimeout(timer);
  }

  try {
    // -------- connect
    phase = "connect";
    log(`connecting ${opts.users.a.username} and ${opts.users.b.username} to ${opts.service} (domain ${opts.domain}, ${opts.transport})`);
    await Promise.all(
      [
        [a, opts.users.a],
        [b, opts.users.b],
      ].map(async ([x, user]) => {
        try {
          await withTimeout(x.start(), opts.timeoutMs, `connecting ${user.username}`);
        } catch (err) {
          if (err?.name === "SASLError") {
            throw new Error(`authentication failed for ${user.username}@${opts.domain}: ${err.condition ?? err.message}${err.text ? " (" + err.text + ")" : ""}`);
          }
          const code = err?.code ? ` [${err.code}]` : "";
          throw new Error(`cannot connect ${user.username}@${opts.domain} to ${opts.service}: ${err?.message ?? err}${code}`);
        }
        log(`${user.nick}: online as ${x.jid} (secure=${x.isSecure()})`);
      }),
    );

    // -------- B's receive path: groupchat messages from room/a with a body of ours
    let onBenchMessage = null; // (kind, seq, tNs) => void
    const suffix = ` ${runId}`;
    b.on("stanza", (stanza) => {
      if (stanza.name !== "message") return;
      const t = process.hrtime.bigint();
      if (stanza.attrs.type !== "groupchat") return;
      const from = stanza.attrs.from;
      if (!from || from.toLowerCase() !== roomA) return;
      const body = stanza.getChildText("body");
      if (body === null || !body.endsWith(suffix)) return; // subject, chat states, strangers
      const dash = body.indexOf("-");
      const kind = body.slice(0, dash);
      const seq = Number(body.slice(dash + 1, body.length - suffix.length));
      if (onBenchMessage) onBenchMessage(kind, seq, t);
    });

    // -------- join A then B (A may have to unlock a freshly created room)
    async function join(x, nick) {
      const full = `${opts.room}/${nick}`;
      const self = new Promise((resolve) => {
        const handler = (stanza) => {
          if (stanza.name !== "presence" || stanza.attrs.from?.toLowerCase() !== full) return;
          const isError = stanza.attrs.type === "error";
          const mucUser = stanza.getChild("x", NS_MUC_USER);
          const codes = mucUser ? mucUser.getChildren("status").map((s) => s.attrs.code) : [];
          if (!isError && !codes.includes("110")) return;
          x.removeListener("stanza", handler);
          resolve({ stanza, isError, codes });
        };
        x.on("stanza", handler);
      });
      await x.send(xml("presence", { to: full }, xml("x", { xmlns: NS_MUC }, xml("history", { maxstanzas: "0" }))));
      const { stanza, isError, codes } = await guarded(withTimeout(self, opts.timeoutMs, `joining ${full}`));
      if (isError) {
        const err = stanza.getChild("error");
        const cond = err?.children.find((c) => typeof c !== "string" && c.name !== "text")?.name ?? "unknown";
        const text = err?.getChildText("text");
        throw new Error(`join of ${full} failed: ${cond}${text ? " (" + text + ")" : ""}`);
      }
      if (codes.includes("201")) {
        // New room, locked until configured: accept the default configuration (instant room).
        log(`${nick}: created ${opts.room}, submitting instant-room configuration`);
        await guarded(
          withTimeout(
            x.iqCaller.request(
              xml("iq", { type: "set", to: opts.room }, xml("query", { xmlns: NS_MUC_OWNER }, xml("x", { xmlns: NS_XDATA, type: "submit" }))),
              opts.timeoutMs,
            ),
            opts.timeoutMs,
            `configuring ${opts.room}`,
          ),
        );
      }
      log(`${nick}: joined ${full} (status ${codes.join(",")})`);
    }
    phase = "room join";
    await join(a, "a");
    await join(b, "b");
    log(`stream management (XEP-0198): a ${a.streamManagement.enabled ? "on" : "off"}, b ${b.streamManagement.enabled ? "on" : "off"}`);

    const message = (kind, seq) =>
      xml("message", { to: opts.room, type: "groupchat", id: `${kind}-${seq}-${runId}` }, xml("body", {}, `${kind}-${seq}${suffix}`));

    // -------- warm-up (unmeasured), as the C# runner does for its client: twice a burst of B messages and
    // 200 round trips, each time followed by a 1 s pause for background compilation
    for (let round = 0; opts.warmupBurst > 0 && round < 2; round++) {
      phase = `warm-up round ${round + 1}`;
      let warmReceived = 0;
      let warmResolve;
      const warmDone = new Promise((resolve) => (warmResolve = resolve));
      onBenchMessage = (k) => {
        if (k === `warmburst${round}` && ++warmReceived === opts.warmupBurst) warmResolve();
      };
      log(`warm-up round ${round + 1}: a burst of ${opts.warmupBurst} and 200 round trips, unmeasured`);
      for (let i = 0; i < opts.warmupBurst; i++) await guarded(a.send(message(`warmburst${round}`, i)));
      await guarded(withTimeout(warmDone, opts.timeoutMs, "the warm-up burst to reach B"));
      for (let i = 0; i < 200; i++) {
        const received = new Promise((resolve) => {
          onBenchMessage = (k, s) => {
            if (k === `warmrt${round}` && s === i) resolve();
          };
        });
        await guarded(withTimeout(Promise.all([a.send(message(`warmrt${round}`, i)), received]), opts.timeoutMs, "a warm-up round trip"));
      }
      onBenchMessage = null;
      await sleep(1_000);
    }

    // -------- latency
    const samples = new Float64Array(opts.latency);
    const total = opts.warmup + opts.latency;
    log(`latency: ${opts.warmup} warm-up + ${opts.latency} measured round trips`);
    for (let i = 0; i < total; i++) {
      const warm = i < opts.warmup;
      const kind = warm ? "warm" : "lat";
      const seq = warm ? i : i - opts.warmup;
      const received = new Promise((resolve) => {
        onBenchMessage = (k, s, t) => {
          if (k === kind && s === seq) resolve(t);
        };
      });
      phase = `latency phase (${i}/${total} round trips incl. warm-up done)`;
      const t0 = process.hrtime.bigint();
      const sent = a.send(message(kind, seq));
      const [, t1] = await guarded(withTimeout(Promise.all([sent, received]), opts.timeoutMs, `${kind}-${seq} from A to reach B`));
      if (!warm) samples[seq] = Number(t1 - t0) / 1e6;
    }
    onBenchMessage = null;
    const sorted = Array.from(samples).sort((x, y) => x - y);
    const latency = {
      count: sorted.length,
      p50Ms: round(percentile(sorted, 0.5), 3),
      p99Ms: round(percentile(sorted, 0.99), 3),
      meanMs: round(sorted.length ? sorted.reduce((s, v) => s + v, 0) / sorted.length : 0, 3),
      maxMs: round(sorted.length ? sorted[sorted.length - 1] : 0, 3),
    };
    log(`latency: ${JSON.stringify(latency)}`);

    // -------- burst
    const M = opts.burst;
    const seen = new Uint8Array(M);
    let received = 0;
    let duplicates = 0;
    let tLast = 0n;
    let doneResolve;
    const done = new Promise((resolve) => (doneResolve = resolve));
    if (M === 0) doneResolve();
    onBenchMessage = (k, s, t) => {
      if (k !== "burst" || !(s >= 0 && s < M)) return;
      if (seen[s]) {
        duplicates++;
        return;
      }
      seen[s] = 1;
      received++;
      tLast = t;
      if (received === M) doneResolve();
    };

    // Burst wait: T seconds from the first send, but never past the hard deadline (leave 8 s
    // to stop the clients and print the result).
    const elapsedMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
    const waitMs = Math.min(opts.timeoutMs, hardDeadlineMs - 8_000 - elapsedMs);
    if (waitMs < opts.timeoutMs) log(`burst: wait capped at ${(waitMs / 1000).toFixed(1)} s by the hard deadline`);
    let timer;
    const timedOut = new Promise((resolve) => (timer = setTimeout(() => resolve("timeout"), Math.max(0, waitMs))));

    log(`burst: A sends ${M} messages back-to-back (await xmpp.send() per message)`);
    let sent = 0;
    let sendError = null;
    phase = "burst phase";
    const cpuStart = process.cpuUsage();
    const serverCpuStart = processCpuMs(opts.serverPid);
    const tStart = process.hrtime.bigint();
    const sender = (async () => {
      // What @xmpp/client users normally write: await each send. The promise resolves once the
      // stanza is handed to the socket (write callback), so this keeps Node's write buffer small.
      for (let i = 0; i < M; i++) {
        if (fatal) throw fatal;
        await a.send(message("burst", i));
        sent++;
      }
    })().then(
      () => log(`burst: A finished sending ${sent} in ${(Number(process.hrtime.bigint() - tStart) / 1e9).toFixed(3)} s`),
      (err) => {
        sendError = err;
        log(`burst: A stopped sending after ${sent}: ${err?.message ?? err}`);
      },
    );

    const fatalNow = new Promise((resolve) => {
      if (fatal) resolve("fatal");
      fatalWaiters.add(() => resolve("fatal"));
    });
    const outcome = await Promise.race([done.then(() => "done"), timedOut, fatalNow]);
    clearTimeout(timer);
    const tEnd = process.hrtime.bigint();
    const cpu = process.cpuUsage(cpuStart);
    const serverCpuEnd = processCpuMs(opts.serverPid);
    onBenchMessage = null;
    await Promise.race([sender, sleep(1_000)]);

    const stalled = received < M;
    // seconds: first send -> last burst message received by B (the achieved delivery rate);
    // if nothing arrived, the time waited.
    const seconds = received > 0 ? Number(tLast - tStart) / 1e9 : Number(tEnd - tStart) / 1e9;
    const burst = {
      sent: sendError ? sent : M,
      received,
      seconds: round(seconds, 3),
      perSecond: round(seconds > 0 ? received / seconds : 0, 1),
      stalled,
      // CPU of this process (both occupants) and of the server from the first send to the last receipt.
      cpuMs: round((cpu.user + cpu.system) / 1000, 1),
      serverCpuMs: serverCpuStart === null || serverCpuEnd === null ? null : serverCpuEnd - serverCpuStart,
    };
    if (stalled) {
      const why = outcome === "fatal" ? `a client dropped (${fatal?.message})` : `timeout after ${(Number(tEnd - tStart) / 1e9).toFixed(1)} s`;
      log(`burst: STALLED, B received ${received}/${M}, A sent ${sent}: ${why}`);
    }
    if (duplicates) log(`burst: ${duplicates} duplicate deliveries ignored`);
    log(`burst: ${JSON.stringify(burst)}`);

    phase = "stopping the clients";
    await stopAll();
    process.stdout.write(
      JSON.stringify({ client: CLIENT, transport: opts.transport, latency, burst }) + "\n",
    );
    return 0;
  } catch (err) {
    stopping = true;
    await stopAll().catch(() => {});
    throw err;
  }
}
