// SPDX-License-Identifier: AGPL-3.0-or-later
// tests/browser/lib/server.mjs: runs the real `safehouse` binary for the
// browser tests: `init --demo` into a temporary data directory, `serve` on
// ports the kernel picks (read back from what serve prints), the reviewer
// CLI, and a clean SIGTERM stop. Knows the CLI's output, not its internals.
import { spawn, spawnSync } from 'node:child_process';

const kSanitizerReport = /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/;

// runCli(bin, args, {input}): runs one CLI command to completion.
export function runCli(bin, args, { input } = {}) {
  const result = spawnSync(bin, args, { input, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

// initInstallation(bin, dir): `safehouse init --data dir --demo`; returns
// the log verifier key it prints (the landing page must show the same).
export function initInstallation(bin, dir) {
  const { code, stdout, stderr } = runCli(bin, ['init', '--data', dir, '--demo']);
  if (code !== 0) throw new Error(`safehouse init failed (${code}): ${stderr}`);
  const match = /Log verifier key[^\n]*\n\s*(\S+)/.exec(stdout);
  if (!match) throw new Error(`safehouse init: no verifier key in its output:\n${stdout}`);
  return { verifierKey: match[1] };
}

// startServer(bin, dir): `safehouse serve` on 127.0.0.1 with kernel-chosen
// ports. Resolves once it prints both URLs, to {origin, staffOrigin, stop}.
// stop() sends SIGTERM and resolves to {code, signal, stderr, sanitizerReport}.
export function startServer(bin, dir) {
  const child = spawn(bin, ['serve', '--data', dir, '--source-listen', '127.0.0.1:0', '--staff-listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const { code, signal } = await exited;
    return { code, signal, stderr, sanitizerReport: kSanitizerReport.test(stderr) };
  };
  return new Promise((resolve, reject) => {
    // Not a timing check: only keeps a server that never says where it
    // listens from hanging the run until ctest's timeout.
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`safehouse serve printed no listen addresses:\n${stdout}\n${stderr}`));
    }, 60_000);
    guard.unref();
    child.on('error', reject);
    exited.then(({ code, signal }) =>
      reject(new Error(`safehouse serve exited early (${code ?? signal}):\n${stdout}\n${stderr}`)));
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      const source = /Source pages:\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout);
      const staff = /Staff:\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout);
      if (source && staff) {
        clearTimeout(guard);
        resolve({ origin: source[1], staffOrigin: staff[1], stop, pid: child.pid });
      }
    });
  });
}
