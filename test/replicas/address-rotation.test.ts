// Where an agent's next connection goes: a name with one address (a load balancer) is
// dialled as it is; a name with several (a headless Service) address by address in turn,
// TLS still checking the name; the list is looked up again after a while; DNS trouble
// falls back to the name.
import t from 'tap';
import { AddressRotation } from '../../src/agent/address-rotation.js';

void t.test('one address, an IP, several addresses, DNS failure', async (t) => {
  const single = new AddressRotation('ferry.example.com:9001', undefined, () => Promise.resolve(['10.0.0.1']));
  t.same(await single.next(), { address: 'ferry.example.com:9001', serverName: undefined }, 'a load balancer is dialled by name');

  const ip = new AddressRotation('127.0.0.1:9001', 'localhost', () => Promise.reject(new Error('not asked')));
  t.same(await ip.next(), { address: '127.0.0.1:9001', serverName: 'localhost' });

  let answer = ['10.0.0.2', '10.0.0.1', 'fd00::3'];
  let lookups = 0;
  const headless = new AddressRotation('ferry-controller-agents.ferry.svc:9001', undefined, () => {
    lookups++;
    return Promise.resolve(answer);
  });
  const seen = [];
  for (let i = 0; i < 4; i++) seen.push(await headless.next(1000));
  t.same(
    seen.map((s) => s.address),
    ['10.0.0.1:9001', '10.0.0.2:9001', '[fd00::3]:9001', '10.0.0.1:9001'],
    'each replica in turn',
  );
  t.ok(seen.every((s) => s.serverName === 'ferry-controller-agents.ferry.svc'), 'TLS checks the name');
  t.equal(lookups, 1, 'looked up once within the TTL');
  answer = ['10.0.0.9'];
  t.same(await headless.next(10_000), { address: 'ferry-controller-agents.ferry.svc:9001', serverName: undefined }, 'looked up again later');

  const broken = new AddressRotation('nowhere.invalid:9001', 'x', () => Promise.reject(new Error('ENOTFOUND')));
  t.same(await broken.next(), { address: 'nowhere.invalid:9001', serverName: 'x' }, 'DNS trouble: dial the name');
});
