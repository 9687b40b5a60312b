// A logging HTTP proxy for the Firefox privacy test: Firefox sends every http request (127.0.0.1 included, with
// network.proxy.allow_hijacking_localhost) and every https CONNECT through it, so nothing the extension does can
// bypass the log. Requests to 127.0.0.1 are forwarded (the gallery keeps working); anything else is refused.
import http from 'node:http';

export async function startLoggingProxy() {
  const log = [];
  const server = http.createServer((req, res) => {
    log.push({ method: req.method, url: req.url, headers: req.headers });
    let u;
    try { u = new URL(req.url); } catch { res.writeHead(400); return res.end(); }
    if (u.hostname !== '127.0.0.1') { res.writeHead(502); return res.end(); }
    const up = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => { if (!res.headersSent) res.writeHead(502); res.end(); });
    req.pipe(up);
  });
  server.on('connect', (req, socket) => {
    log.push({ method: 'CONNECT', url: req.url, headers: req.headers });
    socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;
  return {
    port, log,
    prefs: {
      'network.proxy.type': 1, 'network.proxy.http': '127.0.0.1', 'network.proxy.http_port': port,
      'network.proxy.ssl': '127.0.0.1', 'network.proxy.ssl_port': port,
      'network.proxy.allow_hijacking_localhost': true, 'network.proxy.no_proxies_on': '',
    },
    async close() { server.closeAllConnections(); await new Promise((r) => server.close(r)); },
  };
}
