"""Per burst message: ejabberd's scheduler time by microstate in our client's and the peer's measured TCP bursts."""
import re
import sys

prefix = sys.argv[1]
samples = []
for line in open(prefix + ".msacc"):
    if line.startswith("MSACC"):
        parts = line.split()
        samples.append((int(parts[1]), {k: int(v) for k, v in (p.split("=") for p in parts[2:])}))
lines = open(prefix + ".err").read().splitlines()


def stamp(pattern):
    for line in lines:
        if re.search(pattern, line):
            return int(line.split()[0])
    sys.exit(f"no line matching {pattern!r} in {prefix}.err")


table = open(prefix + ".out").read()
# Messages in a window: the burst's own rate (the bench's table) times the window, which covers the sampled part.
rates = {}
for row in table.splitlines():
    cells = [c.strip() for c in row.split("|")]
    if len(cells) > 9 and cells[2] == "tcp" and cells[3] == "off":
        rates["Famiglia.Xmpp" if cells[1].startswith("Famiglia") else "@xmpp/client"] = float(cells[9])
windows = {
    "Famiglia.Xmpp": (stamp(r"ours/tcp-nomam: burst starts"), stamp(r"ours/tcp-nomam burst: per message")),
    "@xmpp/client": (stamp(r"burst: A sends"), stamp(r'burst: \{"sent"')),
}
print("| client | window ms | busy µs/msg | " + " | ".join(k for k in sorted(samples[-1][1]) if k != "sleep") + " |")
for name, (start, end) in windows.items():
    first = min((s for s in samples if s[0] >= start), key=lambda s: s[0])
    last = max((s for s in samples if s[0] <= end), key=lambda s: s[0])
    delta = {k: last[1][k] - first[1][k] for k in last[1]}
    messages = rates[name] * (last[0] - first[0]) / 1000
    busy = sum(v for k, v in delta.items() if k != "sleep")
    print(f"| {name} | {last[0] - first[0]} | {busy / messages:.1f} | " + " | ".join(f"{delta[k] / messages:.1f}" for k in sorted(delta) if k != "sleep") + " |")
