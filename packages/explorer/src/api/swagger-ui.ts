/**
 * Swagger UI at /swagger and the OpenAPI document at /swagger/json. The UI's files come from
 * @fastify/swagger-ui's bundle, served here directly: its plugin pulls in an ESM-only
 * dependency (content-disposition) that the CommonJS test runner cannot load.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

const STATIC = path.join(path.dirname(require.resolve('@fastify/swagger-ui/package.json')), 'static');
const FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css',
  'index.css': 'text/css',
  'swagger-ui-bundle.js': 'application/javascript',
  'swagger-ui-standalone-preset.js': 'application/javascript',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8"><title>TF Explorer API</title>
  <link rel="stylesheet" href="/swagger/static/swagger-ui.css" />
  <link rel="stylesheet" href="/swagger/static/index.css" />
  <link rel="icon" type="image/png" href="/swagger/static/favicon-32x32.png" sizes="32x32" />
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/swagger/static/swagger-ui-bundle.js"></script>
  <script src="/swagger/static/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: '/swagger/json', dom_id: '#swagger-ui', presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });
  </script>
</body>
</html>`;

export function swaggerUiRoutes(app: FastifyInstance): void {
  app.get('/swagger', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html').send(PAGE));
  app.get('/swagger/json', { schema: { hide: true } }, async () => app.swagger());
  app.get<{ Params: { file: string } }>('/swagger/static/:file', { schema: { hide: true } }, async (req, reply) => {
    const type = FILES[req.params.file];
    if (!type) return reply.code(404).send({ error: 'not found' });
    return reply.type(type).send(await readFile(path.join(STATIC, req.params.file)));
  });
}
