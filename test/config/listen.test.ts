import t from 'tap';
import { createServer } from 'node:net';
import { formatListen, listenSchema, parseListen } from '../../src/config/listen.js';

void t.test('listen address forms', (t) => {
  t.same(listenSchema.parse(':9002'), { host: '0.0.0.0', port: 9002 });
  t.same(listenSchema.parse('127.0.0.1:9002'), { host: '127.0.0.1', port: 9002 });
  t.same(listenSchema.parse('[::1]:9002'), { host: '::1', port: 9002 });
  t.same(listenSchema.parse('[::]:0'), { host: '::', port: 0 });
  t.same(listenSchema.parse('localhost:8080'), { host: 'localhost', port: 8080 });
  t.same(listenSchema.parse('ferry-controller.ferry.svc:9001'), { host: 'ferry-controller.ferry.svc', port: 9001 });
  t.same(listenSchema.parse('0'), { host: '0.0.0.0', port: 0 });
  t.same(listenSchema.parse('9102'), { host: '0.0.0.0', port: 9102 });
  t.same(listenSchema.parse(9102), { host: '0.0.0.0', port: 9102 });
  t.end();
});

void t.test('malformed listen addresses', (t) => {
  for (const input of ['', ':', 'host', 'host:', ':65536', '1.2.3.4:-1', '::1:9002', '[::1]', '[nothost]:1', '[::1]:x', 'a b:1', 9.5, -1, 70000, null, {}]) {
    const result = listenSchema.safeParse(input);
    t.notOk(result.success, JSON.stringify(input));
    if (!result.success) t.match(result.error.issues[0]!.message, /^expected a listen address/);
  }
  t.end();
});

void t.test('formatListen round-trips and brackets IPv6', (t) => {
  t.equal(formatListen({ host: '::1', port: 9002 }), '[::1]:9002');
  t.equal(formatListen({ host: '0.0.0.0', port: 9102 }), '0.0.0.0:9102');
  for (const text of ['[::1]:9002', '127.0.0.1:1', 'localhost:80']) t.equal(formatListen(parseListen(text)!), text);
  t.end();
});

void t.test('a parsed address is one net.Server accepts', async (t) => {
  for (const text of ['127.0.0.1:0', '[::1]:0']) {
    const { host, port } = listenSchema.parse(text);
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, host, () => resolve(true));
    });
    if (!bound) {
      t.comment(`cannot bind ${text} on this machine`);
      continue;
    }
    const address = server.address();
    t.ok(address && typeof address === 'object' && address.port > 0, `bound ${text}`);
    await new Promise((resolve) => server.close(resolve));
  }
  t.end();
});
