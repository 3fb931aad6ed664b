"""A webhook receiver as an integrator would write it in Python, independent of the proxy's code.

Usage: receiver.py <secret file> <hex|base64> [correct|accept-all|reject-all|sleep]
Prints its port, then serves: POST anywhere checks X-Signature-SHA512 over the raw body with
hmac.compare_digest and answers 200 or 401 (accept-all: always 200, the broken receiver;
reject-all: always 401; sleep: 4 s before answering). GET /received lists what arrived.
"""
import base64
import hashlib
import hmac
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

with open(sys.argv[1], "rb") as handle:
    SECRET = handle.read().split(b"\n")[0].strip()
ENCODING = sys.argv[2]
MODE = sys.argv[3] if len(sys.argv) > 3 else "correct"
RECEIVED = []


def expected_signature(body):
    digest = hmac.new(SECRET, body, hashlib.sha512).digest()
    return digest.hex() if ENCODING == "hex" else base64.b64encode(digest).decode("ascii")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        given = self.headers.get("x-signature-sha512", "")
        valid = hmac.compare_digest(given.encode("ascii", "replace"), expected_signature(body).encode("ascii"))
        RECEIVED.append({"path": self.path, "body": base64.b64encode(body).decode("ascii"), "signature": given, "valid": valid})
        if MODE == "sleep":
            time.sleep(4)
        status = 200 if MODE == "accept-all" else 401 if MODE == "reject-all" else (200 if valid else 401)
        self.answer(status, b"ok" if status == 200 else b"invalid signature")

    def do_GET(self):
        self.answer(200, json.dumps(RECEIVED).encode("utf-8"), "application/json")

    def answer(self, status, payload, content_type="text/plain"):
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
