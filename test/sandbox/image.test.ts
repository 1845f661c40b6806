/** The locally built image: idempotent, content-addressed, minimal, and the tar/ldd helpers behind it. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureSandboxImage } from '../../src/sandbox';
import { sharedLibraries } from '../../src/sandbox/image';
import { createTar } from '../../src/sandbox/tar';
import { docker, sandboxImage } from './support';

test('ensureSandboxImage is idempotent and labels the image with its input hash', async () => {
  const ref = await sandboxImage();
  const again = await ensureSandboxImage(docker);
  expect(again).toMatchObject({ ref, built: false });
  expect(ref).toBe(`agent-ecology-sandbox:${again.hash.slice(0, 16)}`);
  const info = await docker.getImage(ref).inspect();
  expect(info.Config.Labels['org.agent-ecology.sandbox.hash']).toBe(again.hash);
  expect(info.Config.User).toBe('0:0'); // the supervisor; jobs run as 10001 (see hostile.test.ts)
  expect(info.Size).toBeLessThan(250 * 1024 * 1024); // node + a handful of libraries, nothing else
});

test('ldd output is parsed into absolute library paths', async () => {
  const libs = await sharedLibraries(process.execPath);
  expect(libs.some((l) => /\/libc\.so/.test(l))).toBe(true);
  expect(libs.every((l) => l.startsWith('/'))).toBe(true);
});

test('the tar writer produces archives that tar(1) reads back', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sbx-tar-'));
  try {
    const longName = `${'d'.repeat(60)}/${'e'.repeat(60)}/file.txt`;
    const tar = createTar([
      { path: 'a', type: 'dir', mode: 0o755 },
      { path: 'a/hello.txt', type: 'file', mode: 0o644, content: Buffer.from('hello\n') },
      { path: longName, type: 'file', mode: 0o600, content: Buffer.alloc(1000, 120) },
    ]);
    writeFileSync(path.join(dir, 'x.tar'), tar);
    execFileSync('tar', ['-xf', 'x.tar'], { cwd: dir });
    expect(readFileSync(path.join(dir, 'a/hello.txt'), 'utf8')).toBe('hello\n');
    expect(readFileSync(path.join(dir, longName)).length).toBe(1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
