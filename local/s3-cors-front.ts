import http from 'node:http';

/**
 * The S3 emulator answers no CORS, but the dashboard uploads reply files
 * straight to S3 with presigned PUTs, as it does in AWS (where the bucket has
 * a CORS rule). This front answers the preflight and adds the CORS headers,
 * and passes every request through untouched otherwise. Loopback only.
 */
export async function startS3CorsFront(port: number, target: { host: string; port: number }): Promise<{ server: http.Server; url: string }> {
  const cors = {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'GET,PUT,HEAD',
    'access-control-allow-headers': 'content-type,content-length,content-disposition,x-amz-*',
    'access-control-expose-headers': 'etag',
    'access-control-max-age': '3600',
  };
  const server = http.createServer((req, res) => {
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
    const upstream = http.request({ host: target.host, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, { ...up.headers, ...cors });
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, cors);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok());
  });
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}
