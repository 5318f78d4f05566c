"""A stand-in for Grafana's HTTP API (test_dashboards.py): records each request
make-fructosa-dashboard --upload makes and answers like Grafana."""

import http.server
import json
import threading

import fructosa_testlib as lib


class UploadHandler(http.server.BaseHTTPRequestHandler):
    """Records each request; answers like Grafana (or with status_to_send)."""
    requests = []
    status_to_send = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        UploadHandler.requests.append({"method": "POST", "path": self.path, "headers": dict(self.headers),
                                       "body": body})
        status = UploadHandler.status_to_send
        if status == 200:
            uid = json.loads(body)["dashboard"]["uid"]
            answer = {"status": "success", "uid": uid, "url": "/d/%s/%s" % (uid, uid), "version": 1}
        else:
            answer = {"message": "invalid API key"}
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        UploadHandler.requests.append({"method": "GET", "path": self.path, "headers": dict(self.headers), "body": b""})
        self.send_error(405)

    def log_message(self, *args):
        pass


def start_fake_grafana(owner, status=200):
    """Serves UploadHandler on a free port of 127.0.0.1 until the owner's cleanups run
    (owner: a TestCase). Earlier requests are forgotten; every POST is answered with
    `status`. Returns the server's URL."""
    UploadHandler.requests = []
    UploadHandler.status_to_send = status
    server = http.server.ThreadingHTTPServer(("127.0.0.1", lib.free_port()), UploadHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()
        thread.join(5)
    owner.addCleanup(stop)
    return "http://127.0.0.1:%d" % server.server_address[1]
