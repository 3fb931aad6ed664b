// A webhook receiver as an integrator would write it in Node, with node:http and node:crypto
// only (nothing of the proxy's code). Same usage and answers as receiver.py.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { setTimeout } from 'node:timers';

const [secretFile, encoding, mode = 'correct'] = process.argv.slice(2);
const secret = readFileSync(secretFile, 'utf8').split('\n')[0].trim();
const received = [];

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    if (request.method !== 'POST') return answer(response, 200, JSON.stringify(received), 'application/json');
    const body = Buffer.concat(chunks);
    const expected = Buffer.from(createHmac('sha512', secret).update(body).digest(encoding));
    const given = Buffer.from(String(request.headers['x-signature-sha512'] ?? ''));
    const valid = given.length === expected.length && timingSafeEqual(given, expected);
    received.push({ path: request.url, body: body.toString('base64'), signature: given.toString(), valid });
    const status = mode === 'accept-all' ? 200 : mode === 'reject-all' ? 401 : valid ? 200 : 401;
    const send = () => answer(response, status, status === 200 ? 'ok' : 'invalid signature');
    if (mode === 'sleep') setTimeout(send, 4000);
    else send();
  });
});

function answer(response, status, text, type = 'text/plain') {
  response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

server.listen(0, '127.0.0.1', () => console.log(server.address().port));
