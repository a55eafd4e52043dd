// Key ids for fixed P-256 and RSA keys, against values computed outside Node (openssl for
// the SPKI DER, Python's hashlib/base64): distribution's libtrust id (registry 2.8's `kid`)
// and the RFC 7638 thumbprint (registry 3.x's `kid`, ferry's own).
import { createPublicKey } from 'node:crypto';
import type { JWK } from 'jose';
import t from 'tap';
import { jwkThumbprint, libtrustKeyId } from '../../src/tokens/index.js';

const P256 = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEMOfYfeE1knknDaoXzcA/wtsavdDf
m7KiDgjUVBdCZ6jWAlsG4l17GpVJP+mAxAPb/qt7/VIdYO+IVicRtita+Q==
-----END PUBLIC KEY-----
`;
const RSA = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAm+8coJgOWerU0/nt1obA
qYpJAQ/fftFu2j/vrbBnERBgz5eQncAeCpuiXfDQXOkEjoeijD6nbzbL2Tq63AxQ
agpsf5y4jebaxW025226DvdPAx0i5plHPWyu1wdX50nqCl7bSLcUCYx0O9QTrjOv
MuqfQqfh38u+UMtuIFVoi2X086DxPBi+lLGeTAvuV9ZxPU0UKVMg3nnMmVe9AqQ5
9e2A249ylTHvLkxNj9a3YC7Wae/5t068jmzH7hmigMdf++ezBKdCwWtAE81Jfawx
K6odCeUH/7TZMr/PG8hgYTpAzg+6oaRAr59/yahV1B56txNiEp6tKEqpzU1OYmO2
6QIDAQAB
-----END PUBLIC KEY-----
`;

const jwkOf = (pem: string) => createPublicKey(pem).export({ format: 'jwk' }) as JWK;

void t.test('P-256: libtrust id and RFC 7638 thumbprint', async (t) => {
  t.equal(libtrustKeyId(P256), '435X:FPGB:EGY3:RHSK:KBPJ:S4PW:RMLM:32C6:ETR4:WH6B:AXYS:YQ3Q');
  t.equal(await jwkThumbprint(jwkOf(P256)), 'zGfIIAhsqpqZV9JJVusxqxdfqgtFfvzowr8MzaASWA0');
});

void t.test('RSA-2048: libtrust id and RFC 7638 thumbprint', async (t) => {
  t.equal(libtrustKeyId(RSA), 'PHLT:RM7U:DAOP:K6CC:MGSR:5AVA:64RX:77E6:EN22:47OK:JSOM:LZ4X');
  t.equal(await jwkThumbprint(jwkOf(RSA)), 'BJ-ZkRRAPitnYvarsDDAMb99fpb5W5LWj1YX2Qc8X4A');
});
