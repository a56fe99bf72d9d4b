import type { Hono } from 'hono';

/**
 * Response types read straight off the worker's route definitions.
 *
 * Why not `hc<AppType>`: the app is composed from sub-apps with `app.route('/', x)`
 * and middleware, and the whole app's type drags every route's inference into each
 * web type-check. Each sub-app (`export const orgs = createRouter().openapi(...)...`)
 * already carries its endpoint table, so pages import just the one they need,
 * with `import type` only — no server code can reach the bundle.
 */
type EndpointsOf<App> = App extends Hono<infer _Env, infer Schema, infer _Base> ? Schema : never;

/** The JSON a route answers with on success (200 or 201). */
export type SuccessBody<
  App,
  Path extends keyof EndpointsOf<App>,
  Method extends keyof EndpointsOf<App>[Path],
> =
  Extract<EndpointsOf<App>[Path][Method], { status: 200 | 201 }> extends { output: infer Output }
    ? Output
    : never;

/** The JSON body a route accepts. */
export type JsonInput<
  App,
  Path extends keyof EndpointsOf<App>,
  Method extends keyof EndpointsOf<App>[Path],
> = EndpointsOf<App>[Path][Method] extends { input: { json: infer Body } } ? Body : never;
