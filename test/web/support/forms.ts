import type { FastifyInstance } from 'fastify';
import type { Person } from './web-app.ts';

/** A browser's part in a form post, over app.inject: the session cookie and the form's CSRF token. */
export class FormClient {
  cookie = '';

  /** `remoteAddress`: the client's address as the server sees it (light-my-request's default is 127.0.0.1). */
  constructor(
    private readonly app: FastifyInstance,
    private readonly remoteAddress?: string,
  ) {}

  private remember(setCookie: string | string[] | undefined): void {
    const first = Array.isArray(setCookie) ? setCookie[0] : setCookie;
    if (first) this.cookie = first.split(';')[0]!;
  }

  private from() {
    return this.remoteAddress ? { remoteAddress: this.remoteAddress } : {};
  }

  async get(url: string) {
    const response = await this.app.inject({ method: 'GET', url, headers: this.cookie ? { cookie: this.cookie } : {}, ...this.from() });
    this.remember(response.headers['set-cookie']);
    return response;
  }

  /** The CSRF token of the form on a page. */
  async token(url: string): Promise<string> {
    const page = await this.get(url);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
    if (!token) throw new Error(`no CSRF token on ${url} (status ${page.statusCode})`);
    return token;
  }

  async post(url: string, fields: Record<string, string>, options: { withToken?: boolean; from?: string } = {}) {
    const body = new URLSearchParams(fields);
    if (options.withToken !== false) body.set('_csrf', await this.token(options.from ?? url));
    const response = await this.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(this.cookie ? { cookie: this.cookie } : {}) },
      payload: body.toString(),
      ...this.from(),
    });
    this.remember(response.headers['set-cookie']);
    return response;
  }

  signIn(person: Person) {
    return this.post('/sign-in', { email: person.email, password: person.password });
  }
}
