import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { jwkThumbprint, libtrustKeyId } from '../../src/tokens/index.js';

// Expected id computed independently: `openssl pkey -pubin -outform DER | sha256 | head -c30 | python base64.b32encode`.
const PUBLIC_PEM = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEMOfYfeE1knknDaoXzcA/wtsavdDf
m7KiDgjUVBdCZ6jWAlsG4l17GpVJP+mAxAPb/qt7/VIdYO+IVicRtita+Q==
-----END PUBLIC KEY-----
`;

void t.test('libtrustKeyId matches an independently computed id', (t) => {
  t.equal(libtrustKeyId(PUBLIC_PEM), '435X:FPGB:EGY3:RHSK:KBPJ:S4PW:RMLM:32C6:ETR4:WH6B:AXYS:YQ3Q');
  t.end();
});

void t.test('libtrustKeyId has the documented shape for any key', (t) => {
  for (let i = 0; i < 20; i++) {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const id = libtrustKeyId(publicKey.export({ type: 'spki', format: 'pem' }).toString());
    t.match(id, /^[A-Z2-7]{4}(?::[A-Z2-7]{4}){11}$/, '12 groups of 4 base32 chars');
    t.equal(libtrustKeyId(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), id, 'same from the private key');
    t.equal(libtrustKeyId(publicKey), id, 'same from a KeyObject');
  }
  t.end();
});

void t.test('jwkThumbprint is RFC 7638 (the RFC example)', async (t) => {
  const rfcJwk = {
    kty: 'RSA',
    n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
    e: 'AQAB',
    alg: 'RS256',
    kid: '2011-04-29',
  };
  t.equal(await jwkThumbprint(rfcJwk), 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
});
