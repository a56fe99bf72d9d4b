/** A scripted Atrium user over HTTP: signs up once, then calls the API with a Bearer token. */
export class AtriumClient {
  readonly base: string;
  #auth: Record<string, string> = {};

  private constructor(base: string) {
    this.base = base;
  }

  static async signUp(base: string, email = `bench-${Date.now()}@example.com`): Promise<AtriumClient> {
    const client = new AtriumClient(base);
    const res = await fetch(`${base}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base },
      body: JSON.stringify({ email, password: 'bench password 123', name: 'Bench' }),
    });
    if (!res.ok) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const token = await fetch(`${base}/api/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base, cookie },
      body: JSON.stringify({ name: 'bench', ceiling: 'owner', expiresAt: null }),
    });
    if (!token.ok) throw new Error(`token failed: ${token.status} ${await token.text()}`);
    client.#auth = { authorization: `Bearer ${((await token.json()) as { token: string }).token}` };
    return client;
  }

  get headers(): Record<string, string> {
    return { ...this.#auth };
  }

  async request(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${this.base}${path}`, {
      method,
      headers: { ...this.#auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request(method, path, body);
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  async createConnection(config: Record<string, unknown>): Promise<string> {
    return (await this.json<{ id: string }>('POST', '/api/connections', config)).id;
  }
}
