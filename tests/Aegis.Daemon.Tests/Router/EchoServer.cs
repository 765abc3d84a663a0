namespace Aegis.Daemon.Tests.Router;

/// <summary>
/// What the router tests run in the sandbox on port 80, python3 standard library only: <c>/headers</c> answers the
/// path and request headers it got as JSON; a WebSocket upgrade gets "hello" and then "echo: X" for every text X;
/// anything else is a file from /workspace.
/// </summary>
internal static class EchoServer
{
    public const string Script = """
        import base64, hashlib, json, struct
        from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

        def frame(opcode, data):
            n = len(data)
            head = bytes([0x80 | opcode]) + (bytes([n]) if n < 126 else bytes([126]) + struct.pack(">H", n) if n < 65536 else bytes([127]) + struct.pack(">Q", n))
            return head + data

        class Handler(SimpleHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory="/workspace", **kwargs)

            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.headers.get("Upgrade", "").lower() == "websocket":
                    return self.websocket()
                if self.path.startswith("/headers"):
                    body = json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                super().do_GET()

            def websocket(self):
                accept = base64.b64encode(hashlib.sha1((self.headers["Sec-WebSocket-Key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
                self.send_response(101)
                self.send_header("Upgrade", "websocket")
                self.send_header("Connection", "Upgrade")
                self.send_header("Sec-WebSocket-Accept", accept)
                self.end_headers()
                self.wfile.write(frame(1, b"hello"))
                self.wfile.flush()
                while True:
                    head = self.rfile.read(2)
                    if len(head) < 2:
                        break
                    opcode, n = head[0] & 0x0F, head[1] & 0x7F
                    if n == 126:
                        n = struct.unpack(">H", self.rfile.read(2))[0]
                    elif n == 127:
                        n = struct.unpack(">Q", self.rfile.read(8))[0]
                    mask = self.rfile.read(4) if head[1] & 0x80 else bytes(4)
                    data = bytes(b ^ mask[i % 4] for i, b in enumerate(self.rfile.read(n)))
                    if opcode == 8:
                        self.wfile.write(frame(8, data[:2]))
                        self.wfile.flush()
                        break
                    if opcode == 9:
                        self.wfile.write(frame(10, data))
                    elif opcode == 1:
                        self.wfile.write(frame(1, b"echo: " + data))
                    self.wfile.flush()
                self.close_connection = True

        class Server(ThreadingHTTPServer):
            request_queue_size = 256
            daemon_threads = True

        Server(("0.0.0.0", 80), Handler).serve_forever()
        """;

    public static readonly string[] Command = ["python3", "/workspace/server.py"];
}
