/**
 * Webhook targets (issue #10, finding 4): every notation of a non-public address is refused, a
 * name that resolves to one is refused at delivery (DNS rebinding), refused targets are never
 * contacted and get one fixed message, and only the operator's allow-list lets a local receiver in.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postWebhook } from './webhook';
import {
  checkWebhookUrl,
  isPublicAddress,
  publicOnlyLookup,
  REFUSED_WEBHOOK_TARGET,
  WebhookTargetError,
  type Resolver,
} from './webhook-target';

const open = { allowHosts: [] };

describe('checkWebhookUrl', () => {
  it.each([
    // Loopback in every IPv4 notation the URL parser accepts.
    'https://127.0.0.1/hook',
    'https://127.1/hook',
    'https://2130706433/hook',
    'https://0x7f.1/hook',
    'https://0177.0.0.1/hook',
    'https://0x7f000001/hook',
    'https://127.0.0.1./hook',
    'https://127.255.255.254/hook',
    // Unspecified, private, link-local (cloud metadata), CGNAT, multicast, broadcast, reserved.
    'https://0.0.0.0/hook',
    'https://0/hook',
    'https://10.0.0.1/hook',
    'https://172.16.5.4/hook',
    'https://172.31.255.255/hook',
    'https://192.168.1.1/hook',
    'https://169.254.169.254/latest/meta-data',
    'https://100.64.0.1/hook',
    'https://100.127.255.255/hook',
    'https://224.0.0.1/hook',
    'https://239.255.255.250/hook',
    'https://255.255.255.255/hook',
    'https://240.0.0.1/hook',
    'https://198.18.0.1/hook',
    // IPv6, and IPv6 forms that carry one of the above.
    'https://[::1]/hook',
    'https://[0:0:0:0:0:0:0:1]/hook',
    'https://[::]/hook',
    'https://[::ffff:127.0.0.1]/hook',
    'https://[::ffff:7f00:1]/hook',
    'https://[::ffff:a9fe:a9fe]/hook',
    'https://[::127.0.0.1]/hook',
    'https://[64:ff9b::a9fe:a9fe]/hook',
    'https://[2002:7f00:1::]/hook',
    'https://[2002:a00:1::1]/hook',
    'https://[fe80::1]/hook',
    'https://[fc00::1]/hook',
    'https://[fd12:3456::1]/hook',
    'https://[ff02::1]/hook',
    'https://[fec0::1]/hook',
    'https://[2001:db8::1]/hook',
    // Names that only mean something locally.
    'https://localhost/hook',
    'https://LOCALHOST./hook',
    'https://api.localhost/hook',
    'https://metadata/computeMetadata',
    'https://printer.local/hook',
    'https://vault.internal/hook',
  ])('refuses %s with the fixed message', (url) => {
    expect(checkWebhookUrl(url, open)).toEqual({ ok: false, message: REFUSED_WEBHOOK_TARGET });
  });

  it.each([
    'https://hooks.example.com/silhouette',
    'https://8.8.8.8/hook',
    'https://[2606:4700:4700::1111]/hook',
    'https://[::ffff:8.8.8.8]/hook',
    'https://172.32.0.1/hook',
    'https://100.128.0.1/hook',
  ])('accepts the public target %s', (url) => {
    expect(checkWebhookUrl(url, open)).toMatchObject({ ok: true, allowListed: false });
  });

  it('requires https and no credentials, whatever the host', () => {
    expect(checkWebhookUrl('http://hooks.example.com/x', open)).toEqual({
      ok: false,
      message: 'must be an https URL',
    });
    expect(checkWebhookUrl('https://user:pw@hooks.example.com/x', open)).toMatchObject({
      ok: false,
    });
    expect(checkWebhookUrl('ftp://hooks.example.com/x', open)).toMatchObject({ ok: false });
  });

  it('lets only the allow-listed host in, in any notation, on its port when one is given', () => {
    const policy = { allowHosts: ['127.0.0.1'] };
    expect(checkWebhookUrl('http://127.1:8080/hook', policy)).toMatchObject({
      ok: true,
      allowListed: true,
    });
    expect(checkWebhookUrl('http://2130706433/hook', policy)).toMatchObject({ ok: true });
    expect(checkWebhookUrl('http://10.0.0.1/hook', policy)).toMatchObject({ ok: false });
    const port = { allowHosts: ['127.0.0.1:9000', '[::1]'] };
    expect(checkWebhookUrl('http://127.0.0.1:9000/hook', port)).toMatchObject({ ok: true });
    expect(checkWebhookUrl('http://127.0.0.1:9001/hook', port)).toMatchObject({ ok: false });
    expect(checkWebhookUrl('http://[0::1]:7/hook', port)).toMatchObject({ ok: true });
  });
});

describe('isPublicAddress', () => {
  it('reads IP literals only (with or without brackets)', () => {
    expect(isPublicAddress('93.184.216.34')).toBe(true);
    expect(isPublicAddress('[2606:4700::1]')).toBe(true);
    expect(isPublicAddress('fe80::1%eth0')).toBe(false);
    expect(isPublicAddress('example.com')).toBe(false);
  });
});

describe('delivery', () => {
  let receiver: Server;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    receiver = createServer((request, response) => {
      hits += 1;
      request.resume();
      response.writeHead(204).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    port = (receiver.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => receiver.close(resolve)));

  /** A DNS that answers with the receiver's loopback address, as a rebinding attacker would. */
  const rebinding: Resolver = (_hostname, _options, callback) =>
    callback(null, [{ address: '127.0.0.1', family: 4 }]);

  it('never contacts a refused target, and says nothing about it', async () => {
    for (const url of [`http://127.0.0.1:${port}/hook`, `https://127.1:${port}/hook`]) {
      const error = await postWebhook(url, 'secret', { a: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WebhookTargetError);
      expect((error as Error).message).toBe(REFUSED_WEBHOOK_TARGET);
    }
    expect(hits).toBe(0);
  });

  it('refuses a public-looking name that resolves to loopback at delivery time', async () => {
    const url = `https://hooks.rebind.example:${port}/hook`;
    expect(checkWebhookUrl(url, open)).toMatchObject({ ok: true });
    const error = await postWebhook(url, 'secret', {}, { resolve: rebinding }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe(REFUSED_WEBHOOK_TARGET);
    expect(hits).toBe(0);
    // The same check over the system resolver: localhost resolves to loopback.
    const refused = await new Promise<unknown>((resolve) =>
      publicOnlyLookup('localhost', { all: true }, (e) => resolve(e)),
    );
    expect(refused).toBeInstanceOf(WebhookTargetError);
  });

  it('delivers to an allow-listed receiver (through the same resolver)', async () => {
    await postWebhook(
      `http://hooks.rebind.example:${port}/hook`,
      'secret',
      { a: 1 },
      { allowHosts: ['hooks.rebind.example'], resolve: rebinding },
    );
    await postWebhook(`http://127.0.0.1:${port}/hook`, 'secret', {}, { allowHosts: ['127.0.0.1'] });
    expect(hits).toBe(2);
  });
});
