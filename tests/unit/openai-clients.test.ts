/** The one OpenAI client factory: key from the secrets lookup at the moment of use, the test base URL. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIClients } from '../../src-main/platform/openai';

let server: http.Server;
let baseURL: string;
const seen: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ object: 'list', data: [] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('OpenAIClients', () => {
  it('has no client without a key, and follows a rotated key on the next request', async () => {
    let key: string | undefined;
    const clients = new OpenAIClients({ keys: { get: () => key }, baseURL });
    expect(clients.client('chat')).toBeNull();
    expect(clients.identity()).toBeNull();

    key = 'sk-first-key-000000';
    const first = clients.client('chat')!;
    expect(clients.client('chat')).toBe(first);
    await (await first()).models.list();
    const id1 = clients.identity();

    key = 'sk-second-key-00000';
    expect(clients.identity()).not.toBe(id1);
    await (await clients.client('chat')!()).models.list();
    expect(seen).toEqual([
      'GET /v1/models Bearer sk-first-key-000000',
      'GET /v1/models Bearer sk-second-key-00000',
    ]);
  });

  it('makes a client for a key being checked, to the same endpoint', async () => {
    seen.length = 0;
    const clients = new OpenAIClients({ keys: { get: () => undefined }, baseURL });
    await (await clients.forKey('sk-checked-key-0000', 'check')()).models.list();
    expect(seen).toEqual(['GET /v1/models Bearer sk-checked-key-0000']);
  });
});
