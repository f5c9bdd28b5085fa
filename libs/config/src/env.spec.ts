import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, parseEnv, runMode } from './env';
import { decodeKey } from './secrets';

describe('parseEnv', () => {
  it('applies defaults, treats empty strings as unset and picks the run mode', () => {
    const env = parseEnv({ PORT: '', DATABASE_URL: '' });
    expect(env.PORT).toBe(3000);
    expect(env.K_USERS).toBe(5);
    expect(runMode(env)).toBe('embedded');
    expect(runMode(parseEnv({ DATABASE_URL: 'postgres://x/y' }))).toBe('server');
  });

  it('names every bad variable and never echoes a value', () => {
    expect(() => parseEnv({ PORT: 'abc', K_USERS: '1', OPENAI_API_KEY: 'sk-secret' })).toThrow(
      ConfigError,
    );
    try {
      parseEnv({ PORT: 'abc', K_USERS: '1' });
    } catch (error) {
      expect((error as Error).message).toMatch(/PORT: .*; K_USERS: /);
      expect((error as Error).message).not.toContain('abc');
    }
  });

  it('parses the endpoint settings, naming a bad one', () => {
    const env = parseEnv({});
    expect([env.LLM_STRUCTURED_OUTPUT, env.EMBEDDING_PROVIDER]).toEqual(['auto', 'auto']);
    expect(parseEnv({ LLM_STRUCTURED_OUTPUT: 'json_object' }).LLM_STRUCTURED_OUTPUT).toBe(
      'json_object',
    );
    expect(parseEnv({ EMBEDDING_DIMENSION: '3072' }).EMBEDDING_DIMENSION).toBe(3072);
    expect(() => parseEnv({ EMBEDDING_PROVIDER: 'local' })).toThrow(/EMBEDDING_PROVIDER: /);
    expect(() => parseEnv({ LLM_STRUCTURED_OUTPUT: 'xml' })).toThrow(/LLM_STRUCTURED_OUTPUT: /);
    expect(() => parseEnv({ EMBEDDING_DIMENSION: '16001' })).toThrow(/EMBEDDING_DIMENSION: /);
  });

  it('hides sensitive values when describing the configuration', () => {
    const described = describeConfig(
      parseEnv({ OPENAI_API_KEY: 'sk-secret', DATABASE_URL: 'postgres://u:p@h/d' }),
    );
    expect(JSON.stringify(described)).not.toMatch(/sk-secret|u:p@h/);
    expect(described.OPENAI_API_KEY).toBe('[set]');
  });

  it('takes a metrics token of 16 printable characters or more, never printing it', () => {
    expect(parseEnv({}).METRICS_TOKEN).toBeUndefined();
    expect(parseEnv({ METRICS_TOKEN: '' }).METRICS_TOKEN).toBeUndefined();
    const token = 'f3a9c1e07b5d4e2a9c8b7a6f';
    expect(parseEnv({ METRICS_TOKEN: token }).METRICS_TOKEN).toBe(token);
    for (const bad of [
      'short-token',
      'sixteen chars ok!',
      'sixteen-chars-ok\n',
      'jëtön-with-ümlauts',
    ]) {
      expect(() => parseEnv({ METRICS_TOKEN: bad })).toThrow(
        /^Invalid configuration: METRICS_TOKEN: /,
      );
      try {
        parseEnv({ METRICS_TOKEN: bad });
      } catch (error) {
        expect((error as Error).message).not.toContain(bad);
      }
    }
    const described = describeConfig(parseEnv({ METRICS_TOKEN: token }));
    expect(described.METRICS_TOKEN).toBe('[set]');
    expect(JSON.stringify(described)).not.toContain(token);
  });
});

describe('decodeKey', () => {
  it('accepts 32 bytes as hex or base64 and rejects anything else, naming the variable', () => {
    expect(decodeKey('K', 'ab'.repeat(32))).toHaveLength(32);
    expect(decodeKey('K', Buffer.alloc(32, 7).toString('base64'))).toHaveLength(32);
    expect(() => decodeKey('SILHOUETTE_MASTER_KEY', 'short')).toThrow(
      /SILHOUETTE_MASTER_KEY: must be 32 bytes/,
    );
  });
});
