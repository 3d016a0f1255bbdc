#!/usr/bin/python3
"""A local HTTP server for the http client and http provider tests.

Listens on 127.0.0.1 (--port, 0 picks a free one) or on a unix socket (--unix PATH), prints
"READY <port>" once it accepts connections, and serves:
  /echo          the request as JSON: method, path, query, lower-cased headers, body, and the
                 number of the connection it came on (to prove keep-alive reuse)
  /status/N      status N with body "status N"
  /json          a JSON document
  /slow?ms=N     answers after N milliseconds
  /bytes?n=N     N bytes of a repeating pattern
  /sigv4/...     checks the AWS SigV4 signature with botocore (an independent implementation):
                 200 "signature ok" or 403 with the reason
Keep-alive (HTTP/1.1) is on, so one client connection serves many requests.
"""
import argparse
import hashlib
import itertools
import json
import os
import socketserver
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"

_connection_numbers = itertools.count(1)
_lock = threading.Lock()


def check_sigv4(method, path, headers, body):
    """Returns None when the request's signature is what botocore computes, else a reason."""
    sys.path.insert(0, "/usr/lib/python3/dist-packages/awscli")
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    auth_header = headers.get("authorization", "")
    if not auth_header.startswith("AWS4-HMAC-SHA256 "):
        return "no AWS4-HMAC-SHA256 authorization header"
    fields = dict(part.strip().split("=", 1) for part in auth_header[17:].split(","))
    credential = fields["Credential"].split("/")
    if credential[0] != ACCESS_KEY:
        return "wrong access key " + credential[0]
    signed = fields["SignedHeaders"].split(";")
    payload_hash = headers.get("x-amz-content-sha256")
    if payload_hash is None:
        return "no x-amz-content-sha256 header"
    if payload_hash != "UNSIGNED-PAYLOAD" and payload_hash != hashlib.sha256(body).hexdigest():
        return "x-amz-content-sha256 does not match the body"
    request = AWSRequest(method=method, url="http://" + headers["host"] + path,
                         headers={name: headers[name] for name in signed}, data=body)
    request.context["timestamp"] = headers["x-amz-date"]
    signer = S3SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), credential[3], credential[2])
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if expected != fields["Signature"]:
        return "signature mismatch; canonical request:\n" + canonical
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        with _lock:
            self.connection_number = next(_connection_numbers)

    def log_message(self, format, *args):
        pass

    def answer(self, status, body, content_type="text/plain"):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Test-Server", "Yes")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self):
        length = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(length) if length else b""

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        body = self.read_body()
        headers = {name.lower(): value for name, value in self.headers.items()}
        if url.path == "/echo":
            self.answer(200, json.dumps({
                "method": self.command, "path": url.path, "query": url.query,
                "headers": headers, "body": body.decode("utf-8", "replace"),
                "connection": self.connection_number}), "application/json")
        elif url.path.startswith("/status/"):
            status = int(url.path[len("/status/"):])
            self.answer(status, "status %d" % status)
        elif url.path == "/json":
            self.answer(200, '{"ok": true, "version": "v2", "items": [1, 2]}',
                        "application/json")
        elif url.path == "/slow":
            time.sleep(int(query.get("ms", ["1000"])[0]) / 1000.0)
            self.answer(200, "slow")
        elif url.path == "/bytes":
            count = int(query.get("n", ["0"])[0])
            pattern = bytes(range(256))
            self.answer(200, (pattern * (count // 256 + 1))[:count],
                        "application/octet-stream")
        elif url.path.startswith("/sigv4/"):
            reason = check_sigv4(self.command, self.path, headers, body)
            self.answer(403 if reason else 200, reason or "signature ok")
        else:
            self.answer(404, "not found")

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any


class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def get_request(self):
        connection, _ = super().get_request()
        return connection, ("unix", 0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--unix")
    args = parser.parse_args()
    if args.unix:
        if os.path.exists(args.unix):
            os.unlink(args.unix)
        server = UnixServer(args.unix, Handler)
        port = 0
    else:
        ThreadingHTTPServer.daemon_threads = True
        server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
        port = server.server_address[1]
    print("READY %d" % port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
