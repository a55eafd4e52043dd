// Progress lines for the quickstart: "… doing" then "✓ done (12 ms)" on a terminal,
// plain lines otherwise.
export async function step<T>(label: string, work: () => Promise<T>): Promise<T> {
  const tty = process.stdout.isTTY === true;
  const started = Date.now();
  if (tty) process.stdout.write(`  … ${label}`);
  try {
    const result = await work();
    const line = `  ✓ ${label} (${Date.now() - started} ms)`;
    process.stdout.write(tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
    return result;
  } catch (err) {
    const line = `  ✗ ${label}`;
    process.stdout.write(tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
    throw err;
  }
}
