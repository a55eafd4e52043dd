// A request body read as 16 KiB TLS records must leave as few, full Data frames, without
// holding any byte past the event-loop turn it arrived in.
import { setImmediate as nextTurn } from 'node:timers/promises';
import t from 'tap';
import { DataBatch } from '../../src/tunnel/data-batch.js';
import { DATA_FRAME_BYTES } from '../../src/tunnel/limits.js';

const KiB = 1024;

function recorder() {
  const sent: Buffer[] = [];
  return { sent, batch: new DataBatch((data) => sent.push(data)) };
}

void t.test("one turn's chunks leave as one frame, in order, at the end of the turn", async (t) => {
  const { sent, batch } = recorder();
  const chunks = [Buffer.alloc(16 * KiB, 1), Buffer.alloc(16 * KiB, 2), Buffer.alloc(5, 3)];
  for (const c of chunks) batch.push(c);
  t.equal(sent.length, 0, 'nothing sent while the turn runs');
  await nextTurn();
  t.equal(sent.length, 1);
  t.same(sent[0], Buffer.concat(chunks));
});

void t.test('a full frame leaves at once; the rest at the end of the turn', async (t) => {
  const { sent, batch } = recorder();
  const record = Buffer.alloc(16 * KiB, 7);
  const records = DATA_FRAME_BYTES / record.length + 1;
  for (let i = 0; i < records; i++) batch.push(record);
  t.equal(sent.length, 1, 'the first full frame went synchronously');
  t.equal(sent[0]!.length, DATA_FRAME_BYTES);
  await nextTurn();
  t.equal(sent.length, 2);
  t.equal(sent[1]!.length, record.length);
});

void t.test('flush sends what is held and cancels the pending turn', async (t) => {
  const { sent, batch } = recorder();
  batch.push(Buffer.from('abc'));
  batch.flush();
  t.same(sent, [Buffer.from('abc')]);
  batch.flush();
  await nextTurn();
  t.equal(sent.length, 1, 'no empty or repeated frame');
});

void t.test('discard drops what is held and the pending turn', async (t) => {
  const { sent, batch } = recorder();
  batch.push(Buffer.from('abc'));
  batch.discard();
  await nextTurn();
  t.same(sent, [], 'nothing sent after a discard');
  batch.push(Buffer.from('d'));
  await nextTurn();
  t.same(sent, [Buffer.from('d')], 'the batch still works afterwards');
});
